from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Inline shown for information; rows change only through lifecycle services."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExportMixin:
    """Admin action that exports the selected (or filtered) rows with the list's column definition."""

    export_columns = ()
    export_title = ""

    @admin.action(description="导出所选为Excel")
    def export_xlsx(self, request, queryset):
        from zzmetro.dates import beijing_today
        from zzmetro.exports import xlsx_response

        title = self.export_title or str(self.opts.verbose_name_plural)
        return xlsx_response(
            list(self.export_columns),
            queryset.iterator(chunk_size=2000) if not self.export_prefetch else queryset,
            title=title,
            filename=f"{title}-{beijing_today():%Y%m%d}.xlsx",
        )

    export_prefetch = False
    actions = ["export_xlsx"]
