from django.contrib import admin

from authorizations.models import LifecycleEvent
from zzmetro.admin_site import EventAdmin


@admin.register(LifecycleEvent)
class LifecycleEventAdmin(EventAdmin):
    """Append-only (A12): nobody may add, edit or delete an event here."""

    list_display = ("at", "station", "action_label", "from_state", "to_state", "by", "document", "note")
    list_filter = ("action_label", "station__district")
    search_fields = ("station__name", "note", "document", "application__number", "certificate__number")
    date_hierarchy = "at"
    list_select_related = ("station", "by")
    list_per_page = 50
