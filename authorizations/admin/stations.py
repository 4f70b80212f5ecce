from django.contrib import admin
from django.db.models import Exists, OuterRef

from authorizations.exports import STATION_COLUMNS
from authorizations.models import Certificate, Station, User
from zzmetro.admin_site import ReadOnlyHistoryAdmin
from zzmetro.dates import beijing_today

from .common import ExportMixin, ReadOnlyInline


class AuthorizationFilter(admin.SimpleListFilter):
    title = "授权状态"
    parameter_name = "authorized"

    def lookups(self, request, model_admin):
        return [("in_force", "可开展检定"), ("suspended", "暂停授权"), ("none", "无有效授权")]

    def queryset(self, request, queryset):
        today = beijing_today()
        current = Certificate.objects.current_on(today).filter(station=OuterRef("pk"))
        in_force = Certificate.objects.in_force_on(today).filter(station=OuterRef("pk"))
        if self.value() == "in_force":
            return queryset.filter(Exists(in_force))
        if self.value() == "suspended":
            return queryset.filter(Exists(current)).exclude(Exists(in_force))
        if self.value() == "none":
            return queryset.exclude(Exists(current))
        return queryset


class OfficerInline(ReadOnlyInline):
    model = User
    fields = ("username", "last_name", "first_name", "email", "phone", "is_active")
    readonly_fields = fields
    verbose_name = "计量信息员"
    verbose_name_plural = "计量信息员（在“用户”中维护）"


class CertificateInline(ReadOnlyInline):
    model = Certificate
    fields = ("number", "status", "valid_from", "expires_on", "area")
    readonly_fields = fields
    show_change_link = True


@admin.register(Station)
class StationAdmin(ExportMixin, ReadOnlyHistoryAdmin):
    list_display = ("name", "credit_code", "district", "industry", "contact_person", "contact_phone")
    list_filter = (AuthorizationFilter, "district", "industry")
    search_fields = ("name", "credit_code", "contact_person")
    inlines = (CertificateInline, OfficerInline)
    list_per_page = 50
    export_columns = STATION_COLUMNS
    export_title = "单位名录"
