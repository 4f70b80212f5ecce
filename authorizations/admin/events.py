from django.contrib import admin

from authorizations.models import LifecycleEvent


@admin.register(LifecycleEvent)
class LifecycleEventAdmin(admin.ModelAdmin):
    """Append-only (A12): nobody may add, edit or delete an event here."""

    list_display = ("at", "station", "action_label", "from_state", "to_state", "by", "document", "note")
    list_filter = ("action_label", "station__district")
    search_fields = ("station__name", "note", "document", "application__number", "certificate__number")
    date_hierarchy = "at"
    list_select_related = ("station", "by")
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
