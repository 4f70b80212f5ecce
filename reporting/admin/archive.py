"""The whole instrument archive for bureau staff: search and filter by station, item, use, result, due (M1)."""

import datetime as dt

from django.contrib import admin

from reporting.exports import ARCHIVE_COLUMNS, archive_export_rows
from reporting.models import ImportJob, Instrument, Verification
from reporting.selectors.archive import DUE_CHOICES, DUE_SOON_DAYS
from zzmetro.admin_site import ReadOnlyAdmin
from zzmetro.dates import beijing_today
from zzmetro.exports import iter_xlsx, streaming_xlsx_response


class DueFilter(admin.SimpleListFilter):
    title = "到期情况"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return DUE_CHOICES

    def queryset(self, request, queryset):
        today = beijing_today()
        filters = {
            "overdue": {"next_due_on__lt": today},
            "soon": {"next_due_on__gte": today, "next_due_on__lte": today + dt.timedelta(days=DUE_SOON_DAYS)},
            "none": {"next_due_on__isnull": True},
        }
        return queryset.filter(**filters[self.value()]) if self.value() in filters else queryset


class VerificationInline(admin.TabularInline):
    model = Verification
    fields = ("verified_on", "result", "certificate_number", "verifier", "standard", "next_due_on")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("verifier", "standard")


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin):
    list_display = (
        "serial_number",
        "name",
        "station",
        "item",
        "user_unit",
        "use",
        "last_verified_on",
        "last_result",
        "next_due_on",
    )
    list_filter = ("station", "item", "use", "last_result", DueFilter)
    search_fields = ("serial_number", "name", "user_unit", "model")
    list_select_related = ("station", "item")
    list_per_page = 50
    show_full_result_count = False  # a million rows: no second COUNT(*) per page
    inlines = (VerificationInline,)
    actions = ["export_xlsx"]

    @admin.action(description="导出所选（或全部筛选结果）为Excel")
    def export_xlsx(self, request, queryset):
        chunks = iter_xlsx(ARCHIVE_COLUMNS, archive_export_rows(queryset), title="强检器具档案")
        return streaming_xlsx_response(chunks, filename=f"强检器具档案-{beijing_today():%Y%m%d}.xlsx")


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = (
        "verified_on",
        "instrument",
        "station",
        "item",
        "use",
        "result",
        "certificate_number",
        "verifier",
        "next_due_on",
    )
    list_filter = ("station", "item", "use", "result", ("verified_on", admin.DateFieldListFilter))
    search_fields = ("instrument__serial_number", "certificate_number", "verifier__name")
    list_select_related = ("instrument", "station", "item", "verifier")
    date_hierarchy = "verified_on"
    list_per_page = 50
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = (
        "filename",
        "station",
        "created_by",
        "created_at",
        "status",
        "rows_total",
        "rows_imported",
        "error_count",
    )
    list_filter = ("status", "station")
    exclude = ("upload", "errors")
    list_select_related = ("station", "created_by")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("upload", "errors")
