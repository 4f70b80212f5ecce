"""Station resources in the admin: bureau staff and managers read them; stations keep them in the portal (R1, R2)."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from authorizations.models import ExpiryWarning, MeasurementStandard, Personnel, StationCapability
from authorizations.selectors.resources import capability_stations, prefetched_capabilities, warning_days
from zzmetro.admin_site import ReadOnlyAdmin
from zzmetro.dates import beijing_today


class ValidityFilter(admin.SimpleListFilter):
    title = "证书有效性"
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("valid", "有效"), ("expiring", f"{max(warning_days())}天内到期"), ("expired", "已过期")]

    def queryset(self, request, queryset):
        import datetime as dt

        today = beijing_today()
        soon = today + dt.timedelta(days=max(warning_days()))
        filters = {
            "valid": {"valid_until__gt": soon},
            "expiring": {"valid_until__gte": today, "valid_until__lte": soon},
            "expired": {"valid_until__lt": today},
        }
        return queryset.filter(**filters[self.value()]) if self.value() in filters else queryset


def _validity(resource):
    state = resource.validity_on(beijing_today(), warn_days=max(warning_days()))
    css = {"expired": "color:#82071e", "expiring": "color:#9a6700"}.get(state.value, "color:#1a7f37")
    return format_html('<span style="{}">{}</span>', css, state.label)


class ResourceAdmin(ReadOnlyAdmin):
    list_filter = (ValidityFilter, "station", "items")
    list_select_related = ("station",)
    search_fields = ("name", "certificate_number", "station__name")
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("items")

    @admin.display(description="状态")
    def validity(self, obj):
        return _validity(obj)

    @admin.display(description="检定项目")
    def item_names(self, obj):
        return "、".join(i.name for i in obj.items.all())


@admin.register(MeasurementStandard)
class MeasurementStandardAdmin(ResourceAdmin):
    list_display = ("name", "station", "certificate_number", "valid_until", "validity", "filing_status", "item_names")
    list_filter = (ValidityFilter, "filing_status", "station", "items")


@admin.register(Personnel)
class PersonnelAdmin(ResourceAdmin):
    list_display = (
        "name",
        "station",
        "certificate_type",
        "certificate_number",
        "valid_until",
        "validity",
        "item_names",
    )
    list_filter = (ValidityFilter, "certificate_type", "station", "items")


@admin.register(ExpiryWarning)
class ExpiryWarningAdmin(ReadOnlyAdmin):
    list_display = ("station", "standard", "person", "threshold_days", "expires_on", "sent_at")
    list_filter = ("threshold_days",)
    list_select_related = ("station", "standard", "person")


@admin.register(StationCapability)
class StationCapabilityAdmin(ReadOnlyAdmin):
    """R2: which items each station can verify today; an item without a valid standard or person is not verifiable."""

    list_display = ("name", "verifiable_items", "not_verifiable_items")
    search_fields = ("name",)
    list_per_page = 50

    def get_queryset(self, request):
        return capability_stations()

    def _capabilities(self, obj):
        if not hasattr(obj, "_capabilities"):
            obj._capabilities = prefetched_capabilities(obj, beijing_today())
        return obj._capabilities

    @admin.display(description="可检定项目")
    def verifiable_items(self, obj):
        return "、".join(c.item.name for c in self._capabilities(obj) if c.verifiable) or "—"

    @admin.display(description="不可检定项目")
    def not_verifiable_items(self, obj):
        rows = [(c.item.name, c.reason) for c in self._capabilities(obj) if not c.verifiable]
        if not rows:
            return "—"
        return format_html_join("", '<div style="color:#82071e">{}：{}</div>', rows)
