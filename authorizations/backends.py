"""Permissions follow the role (DOMAIN Actors): bureau staff change everything in our apps, managers only read."""

from django.contrib.auth.backends import ModelBackend

from authorizations.models import Role, User

MANAGED_APPS = {"zzmetro", "authorizations", "reporting", "inspections", "auth"}


class RoleBackend(ModelBackend):
    def get_user(self, user_id):
        """The signed-in account with its station in the same query: every officer's page shows it (issue 13)."""
        user = User._default_manager.select_related("station").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        app_label, _, codename = perm.partition(".")
        if app_label in MANAGED_APPS:
            if user_obj.role == Role.BUREAU:
                return True
            if user_obj.role == Role.MANAGER:
                return codename.startswith("view_")
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and app_label in MANAGED_APPS and user_obj.role in (Role.BUREAU, Role.MANAGER):
            return True
        return super().has_module_perms(user_obj, app_label)
