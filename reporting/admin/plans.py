"""Admin of annual plans (P1): review (return with a reason or approve) and issue the city's plan in one action."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join

from authorizations.admin.common import ReadOnlyInline
from authorizations.forms.common import NoteForm, ReasonForm
from reporting import documents, exports
from reporting.models import AnnualPlan, AnnualPlanLine, CityPlanIssuance
from reporting.services import plans as services
from zzmetro.admin_transitions import Transition, TransitionAdminMixin
from zzmetro.dates import BEIJING, beijing_today
from zzmetro.errors import DomainError
from zzmetro.responses import attachment_response, pdf_response

P = AnnualPlan.Status

PLAN_TRANSITIONS = (
    Transition(
        "return",
        "退回修改",
        ReasonForm,
        lambda p, u, **data: services.plan_return(plan=p, by=u, **data),
        confirm="退回后计划解锁，由单位修改后重新提交；退回理由将告知单位。",
        destructive=True,
        to=P.RETURNED,
    ),
    Transition(
        "approve",
        "审核通过",
        NoteForm,
        lambda p, u, **data: services.plan_approve(plan=p, by=u, **data),
        to=P.APPROVED,
    ),
)


class PlanLineInline(ReadOnlyInline):
    model = AnnualPlanLine
    fields = ("item", "planned_count", "user_units")
    readonly_fields = fields


def events_html(events) -> str:
    rows = ((f"{e.at.astimezone(BEIJING):%Y-%m-%d %H:%M}", e.action_label, e.by or "系统", e.note) for e in events)
    return format_html_join("", "<div>{} {}（{}）{}</div>", rows) or "—"


@admin.register(AnnualPlan)
class AnnualPlanAdmin(TransitionAdminMixin, admin.ModelAdmin):
    transitions = PLAN_TRANSITIONS
    list_display = ("station", "year", "version", "status", "submitted_at", "late_display", "issuance")
    list_filter = ("year", "status")
    search_fields = ("station__name",)
    list_select_related = ("station", "issuance")
    inlines = (PlanLineInline,)
    readonly_fields = (
        "station",
        "year",
        "version",
        "previous",
        "adjustment_reason",
        "status",
        "due_on",
        "first_submitted_at",
        "submitted_at",
        "late_days",
        "return_reason",
        "reviewed_by",
        "reviewed_at",
        "issuance",
        "history",
    )
    exclude = ("created_by",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="提交情况")
    def late_display(self, obj):
        if obj.first_submitted_at is None:
            return "未提交"
        return f"逾期{obj.late_days}天" if obj.late_days else "按时"

    @admin.display(description="办理记录")
    def history(self, obj):
        return events_html(obj.events.select_related("by"))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": "年度强检计划（审核后在“年度计划下达”中一次下达）"}
        return super().changelist_view(request, extra_context)


class IssueForm(forms.Form):
    year = forms.IntegerField(
        label="计划年度", min_value=2000, max_value=2100, initial=lambda: beijing_today().year + 1
    )
    reason = forms.CharField(
        label="调整理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="同一年度第二次及以后下达（计划调整）时必填",
    )


@admin.register(CityPlanIssuance)
class CityPlanIssuanceAdmin(admin.ModelAdmin):
    """“Adding” an issuance is the one action that issues every approved plan of the year (P1)."""

    list_display = ("number", "year", "version", "issued_on", "issued_by")
    list_filter = ("year",)
    readonly_fields = ("year", "version", "number", "issued_on", "issued_by", "reason")
    change_form_template = "admin/zz/change_form.html"

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/document/<slug:kind>/",
                self.admin_site.admin_view(self.document_view),
                name="reporting_cityplanissuance_document",
            )
        ]
        return extra + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                issuance = services.city_plan_issue(by=request.user, **form.cleaned_data)
            except DomainError as error:
                error.add_to(form)
            else:
                self.message_user(
                    request, f"已下达{issuance}，共{issuance.plans.count()}个单位的计划。", messages.SUCCESS
                )
                return redirect("admin:reporting_cityplanissuance_change", issuance.pk)
        approved = (
            AnnualPlan.objects.filter(status=P.APPROVED).select_related("station").order_by("year", "station__name")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "approved": approved,
            "title": "下达年度强制检定计划",
        }
        return TemplateResponse(request, "reporting/admin_issue.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["document_links"] = [
            ("下达通知PDF", reverse("admin:reporting_cityplanissuance_document", args=[object_id, "notice"])),
            ("计划明细Excel", reverse("admin:reporting_cityplanissuance_document", args=[object_id, "lines"])),
        ]
        return super().change_view(request, object_id, form_url, extra_context)

    def document_view(self, request, pk, kind):
        issuance = get_object_or_404(CityPlanIssuance, pk=pk)
        if not self.has_view_permission(request, issuance):
            raise PermissionDenied
        if kind == "notice":
            return pdf_response(documents.plan_issuance_pdf(issuance))
        if kind == "lines":
            filename = f"{issuance.year}年度强检计划-第{issuance.version}版.xlsx"
            return attachment_response(documents.plan_issuance_xlsx(issuance), filename, content_type=exports.XLSX)
        raise Http404
