from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from authorizations import documents, services
from authorizations.exports import CERTIFICATE_COLUMNS
from authorizations.forms.certificates import LiftForm, ReturnForm, RevokeForm, SuspendForm
from authorizations.forms.common import NoteForm, RequiredNoteForm
from authorizations.models import Certificate, CertificateItem, Suspension, TerminationRequest
from zzmetro.admin_site import ReadOnlyHistoryAdmin
from zzmetro.admin_transitions import Transition, TransitionAdminMixin
from zzmetro.dates import add_months, beijing_today
from zzmetro.responses import document_response

from .common import ExportMixin, ReadOnlyInline

C = Certificate.Status

CERTIFICATE_TRANSITIONS = (
    Transition(
        "suspend",
        "暂停授权",
        SuspendForm,
        lambda c, u, **data: services.certificate_suspend(certificate=c, by=u, **data),
        to=C.SUSPENDED,
        confirm="暂停期间该单位不得开展检定工作，公开名录显示为暂停授权，直至恢复授权。",
        destructive=True,
    ),
    Transition(
        "lift",
        "恢复授权",
        LiftForm,
        lambda c, u, **data: services.certificate_lift_suspension(certificate=c, by=u, **data),
        to=C.VALID,
    ),
    Transition(
        "revoke",
        "撤销授权",
        RevokeForm,
        lambda c, u, **data: services.certificate_revoke(certificate=c, by=u, **data),
        to=C.REVOKED,
        confirm="撤销授权不可恢复：单位将列入撤销名单，3年内不得再次申请，须在30日内交回专用章和证书。",
        destructive=True,
    ),
    Transition(
        "record-return",
        "登记印章、证书交回",
        ReturnForm,
        lambda c, u, **data: services.certificate_record_return(certificate=c, by=u, **data),
        # Not a move of the table (the certificate stays revoked): a record while something is still out.
        lambda c: c.status == C.REVOKED and not (c.seal_returned_on and c.certificate_returned_on),
    ),
)


class ExpiringFilter(admin.SimpleListFilter):
    title = "到期情况"
    parameter_name = "expiring"

    def lookups(self, request, model_admin):
        months = settings.ZZ_POLICY["EXPIRY_WARNING_MONTHS"]
        return [("soon", f"{months}个月内到期"), ("expired", "已过期")]

    def queryset(self, request, queryset):
        today = beijing_today()
        if self.value() == "soon":
            horizon = add_months(today, settings.ZZ_POLICY["EXPIRY_WARNING_MONTHS"])
            return queryset.current_on(today).filter(expires_on__lte=horizon)
        if self.value() == "expired":
            return queryset.filter(expires_on__lt=today)
        return queryset


class ReturnOverdueFilter(admin.SimpleListFilter):
    title = "撤销后印章、证书交回"
    parameter_name = "return"

    def lookups(self, request, model_admin):
        return [("overdue", "逾期未交回"), ("outstanding", "未交回（未逾期）")]

    def queryset(self, request, queryset):
        from authorizations.selectors.certificates import revocation_returns_overdue

        overdue = revocation_returns_overdue(beijing_today())
        if self.value() == "overdue":
            return queryset.filter(pk__in=overdue.values("pk"))
        if self.value() == "outstanding":
            outstanding = Q(seal_returned_on__isnull=True) | Q(certificate_returned_on__isnull=True)
            return queryset.filter(outstanding, revoked_on__isnull=False).exclude(pk__in=overdue.values("pk"))
        return queryset


class ItemInline(ReadOnlyInline):
    model = CertificateItem
    fields = ("item", "added_on", "application")
    readonly_fields = fields


class SuspensionInline(ReadOnlyInline):
    model = Suspension
    fields = ("starts_on", "planned_end_on", "lifted_on", "reason")
    readonly_fields = fields


@admin.register(Certificate)
class CertificateAdmin(ExportMixin, TransitionAdminMixin, ReadOnlyHistoryAdmin):
    transitions = CERTIFICATE_TRANSITIONS
    list_display = ("number", "station", "valid_from", "expires_on", "state_today", "status")
    list_filter = ("status", ExpiringFilter, ReturnOverdueFilter, "station__district")
    search_fields = ("number", "station__name", "station__credit_code")
    list_select_related = ("station",)
    date_hierarchy = "expires_on"
    list_per_page = 50
    inlines = (ItemInline, SuspensionInline)
    readonly_fields = (
        "number",
        "station",
        "application",
        "previous",
        "area",
        "issued_on",
        "valid_from",
        "expires_on",
        "seal_number",
        "status",
        "terminated_on",
        "revoked_on",
        "revocation_number",
        "revocation_reason",
        "return_due",
        "seal_returned_on",
        "certificate_returned_on",
    )
    export_columns = CERTIFICATE_COLUMNS
    export_title = "计量授权证书"
    export_prefetch = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("suspensions", "certificate_items__item")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="今日状态")
    def state_today(self, obj):
        return obj.state_on(beijing_today()).label

    @admin.display(description="印章证书应交回日期")
    def return_due(self, obj):
        due = obj.return_due_on
        if due is None:
            return "—"
        return f"{due:%Y-%m-%d}" + ("（已逾期）" if obj.return_overdue_on(beijing_today()) else "")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            links = [("证书PDF", reverse("admin:authorizations_certificate_document", args=[obj.pk, "certificate"]))]
            if obj.revocation_number:
                links.append(
                    ("撤销决定书PDF", reverse("admin:authorizations_certificate_document", args=[obj.pk, "revocation"]))
                )
            links.append(("公开核验页", reverse("register:certificate", args=[obj.number])))
            extra_context["document_links"] = links
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/document/<slug:kind>.pdf",
                self.admin_site.admin_view(self.document_view),
                name="authorizations_certificate_document",
            )
        ]
        return extra + super().get_urls()

    def document_view(self, request, pk, kind):
        certificate = get_object_or_404(Certificate, pk=pk)
        renderer = {"certificate": documents.certificate_pdf, "revocation": documents.revocation_decision_pdf}.get(kind)
        if renderer is None or not self.has_view_permission(request, certificate):
            raise Http404
        return document_response(renderer, certificate)


TERMINATION_TRANSITIONS = (
    Transition(
        "approve",
        "批准终止",
        NoteForm,
        lambda t, u, note: services.termination_approve(termination=t, by=u, note=note),
        to=TerminationRequest.Status.APPROVED,
        confirm="批准后证书将于拟终止日期终止，终止前单位继续履行全部义务。",
        destructive=True,
    ),
    Transition(
        "reject",
        "不予批准",
        RequiredNoteForm,
        lambda t, u, note: services.termination_reject(termination=t, by=u, note=note),
        to=TerminationRequest.Status.REJECTED,
        confirm="不予批准后终止报告办结，证书继续有效，单位继续履行全部义务。",
        destructive=True,
    ),
)


@admin.register(TerminationRequest)
class TerminationRequestAdmin(TransitionAdminMixin, admin.ModelAdmin):
    transitions = TERMINATION_TRANSITIONS
    list_display = ("certificate", "station_name", "reported_on", "requested_end_on", "status", "decided_on")
    list_filter = ("status",)
    search_fields = ("certificate__number", "certificate__station__name")
    list_select_related = ("certificate__station",)
    readonly_fields = (
        "certificate",
        "reported_on",
        "requested_end_on",
        "reason",
        "status",
        "decided_on",
        "decision_note",
        "submitted_by",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="单位")
    def station_name(self, obj):
        return obj.certificate.station.name
