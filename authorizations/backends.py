"""Permissions follow the role (DOMAIN Actors): bureau staff change everything in our apps, managers only read."""

from django.contrib.auth.backends import ModelBackend

from authorizations.models import Role, User

MANAGED_APPS = {"zzmetro", "authorizations", "reporting", "inspections", "auth"}
_USER_COLUMNS = ", ".join(f'"{field.column}"' for field in User._meta.concrete_fields)
_USER_BY_ID = f'SELECT {_USER_COLUMNS} FROM "{User._meta.db_table}" WHERE "{User._meta.pk.column}" = %s'


class RoleBackend(ModelBackend):
    def get_user(self, user_id):
        """The signed-in account, on every request: read by one plain statement, which costs a fifth of what the ORM
        takes to build the same query (issue 13 "Load"); its station is loaded when a page first asks for it."""
        user = next(iter(User._default_manager.raw(_USER_BY_ID, [user_id])), None)
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
