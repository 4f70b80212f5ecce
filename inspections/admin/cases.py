from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from authorizations.selectors.certificates import stations_authorized_in
from inspections import documents
from inspections.forms.supervision import (
    CloseForm,
    EvaluationConcludeForm,
    EvaluationPrepareForm,
    IntegrityForm,
    ViolationForm,
)
from inspections.models import AnnualEvaluation, Complaint, IntegrityEvaluation, SupervisionEvent, Violation
from inspections.services import cases
from zzmetro.admin_files import ProtectedFilesMixin, file_display
from zzmetro.admin_site import EventAdmin, ReadOnlyAdmin
from zzmetro.admin_transitions import Transition, TransitionAdminMixin, form_view
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.responses import document_response


@admin.register(Complaint)
class ComplaintAdmin(ProtectedFilesMixin, ReadOnlyAdmin):
    """I5: staff see open complaints and their age; the station records and closes them in the portal."""

    list_display = ("station", "received_on", "subject", "status", "age_days", "closed_on")
    list_filter = ("status", "station__district")
    search_fields = ("station__name", "subject", "complainant")
    list_select_related = ("station",)
    fields = (
        "station",
        "received_on",
        "complainant",
        "contact",
        "subject",
        "description",
        "status",
        "handling",
        "result_file_link",
        "closed_on",
        "created_by",
    )
    readonly_fields = fields
    protected_files = ("result_file",)
    result_file_link = file_display("result_file", "书面处理结果")

    def get_ordering(self, request):
        return ("status", "received_on")

    @admin.display(description="已历时（天）")
    def age_days(self, obj):
        return obj.age_on(beijing_today())


EVALUATION_TRANSITIONS = (
    Transition(
        "conclude",
        "录入考核结论",
        EvaluationConcludeForm,
        lambda e, u, **data: cases.evaluation_conclude(evaluation=e, by=u, **data),
        confirm="考核结论录入后不可修改；不合格将生成通报批评。",
        to=AnnualEvaluation.Status.CONCLUDED,
    ),
)


@admin.register(AnnualEvaluation)
class AnnualEvaluationAdmin(TransitionAdminMixin, admin.ModelAdmin):
    """I6: figures pre-filled from the portal, then the staff's conclusion."""

    transitions = EVALUATION_TRANSITIONS
    list_display = ("year", "station", "status", "result", "on_time", "completion", "sample_rate", "notice_number")
    list_filter = ("year", "status", "result")
    search_fields = ("station__name",)
    list_select_related = ("station",)
    readonly_fields = (
        "station",
        "year",
        "metric_table",
        "status",
        "result",
        "note",
        "evaluated_on",
        "notice_number",
        "evaluated_by",
    )
    exclude = ("metrics",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="按时报送率")
    def on_time(self, obj):
        return obj.metrics.get("on_time_rate", "—")

    @admin.display(description="计划完成率")
    def completion(self, obj):
        return obj.metrics.get("plan_completion", "—")

    @admin.display(description="监督检定合格率")
    def sample_rate(self, obj):
        return obj.metrics.get("sample_pass_rate", "—")

    @admin.display(description="考核指标（自动汇总）")
    def metric_table(self, obj):
        labels = {
            "on_time_rate": "按时报送率",
            "reporting_rate": "报送率",
            "plan_total": "计划台件数",
            "verified_total": "实际检定台件数",
            "plan_completion": "计划完成率",
            "sample_pass_rate": "监督检定合格率",
            "inspection_result": "现场检查结论",
            "open_complaints": "未办结投诉",
        }
        return "；".join(f"{labels.get(k, k)}：{v}" for k, v in obj.metrics.items())

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.has_change_permission(request):  # managers read the evaluations; only staff may (re)compute them
            extra_context["prepare_url"] = reverse("admin:inspections_annualevaluation_prepare")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        links = []
        if obj is not None and obj.notice_number:
            links.append(("通报批评PDF", reverse("admin:inspections_annualevaluation_document", args=[obj.pk])))
        return super().change_view(request, object_id, form_url, {"document_links": links})

    def get_urls(self):
        return [
            path(
                "prepare/", self.admin_site.admin_view(self.prepare_view), name="inspections_annualevaluation_prepare"
            ),
            path(
                "<int:pk>/notice.pdf",
                self.admin_site.admin_view(self.document_view),
                name="inspections_annualevaluation_document",
            ),
        ] + super().get_urls()

    def prepare_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = EvaluationPrepareForm(request.POST or None, initial={"year": beijing_today().year})

        def run(year):
            for station in stations_authorized_in(year):
                try:
                    cases.evaluation_prepare(station=station, year=year, by=request.user)
                except DomainError:
                    continue  # concluded evaluations keep their figures

        done = reverse("admin:inspections_annualevaluation_changelist")
        return form_view(
            self,
            request,
            form=form,
            title="汇总年度考核指标",
            run=run,
            done_url=done,
            success="已为该年度授权单位汇总考核指标。",
        )

    def document_view(self, request, pk):
        evaluation = get_object_or_404(AnnualEvaluation.objects.select_related("station"), pk=pk)
        return document_response(documents.criticism_notice_pdf, evaluation)


@admin.register(IntegrityEvaluation)
class IntegrityEvaluationAdmin(admin.ModelAdmin):
    """I7: the demonstration-unit status per station; the latest row is the current status.

    A change of status is a new evaluation recorded through the service (with its event, A12); rows are never
    edited or deleted here.
    """

    list_display = ("station", "status", "evaluated_on", "basis")
    list_filter = ("status",)
    search_fields = ("station__name",)
    list_select_related = ("station",)
    fields = ("station", "status", "evaluated_on", "basis", "note")
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IntegrityForm(request.POST or None)
        return form_view(
            self,
            request,
            form=form,
            title="登记诚信计量评定",
            success="诚信计量评定已登记。",
            done_url=reverse("admin:inspections_integrityevaluation_changelist"),
            run=lambda **data: cases.integrity_record(by=request.user, **data),
        )


class OpenViolationFilter(admin.SimpleListFilter):
    title = "期限"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "已过期限未结案")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=Violation.Status.OPEN, deadline__lt=beijing_today())
        return queryset


@admin.register(Violation)
class ViolationAdmin(ProtectedFilesMixin, TransitionAdminMixin, admin.ModelAdmin):
    """I8: recorded through the service, so a revocation runs the lifecycle's revocation (A11)."""

    transitions = (
        Transition(
            "close",
            "结案",
            CloseForm,
            lambda v, u, closed_on, note="": cases.violation_close(violation=v, by=u, closed_on=closed_on, note=note),
            to=Violation.Status.CLOSED,
        ),
    )
    list_display = ("station", "kind", "found_on", "action", "deadline", "notice_number", "status")
    list_filter = ("status", "action", "kind", OpenViolationFilter)
    search_fields = ("station__name", "description", "notice_number")
    list_select_related = ("station",)
    fields = (
        "station",
        "kind",
        "found_on",
        "description",
        "evidence_link",
        "action",
        "decided_on",
        "deadline",
        "notice_number",
        "status",
        "closed_on",
        "closing_note",
        "certificate",
        "created_by",
    )
    readonly_fields = fields
    protected_files = ("evidence",)
    evidence_link = file_display("evidence", "证据材料")

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ViolationForm(request.POST or None, request.FILES or None)
        done = reverse("admin:inspections_violation_changelist")
        return form_view(
            self,
            request,
            form=form,
            title="登记违规处理",
            done_url=done,
            success="违规处理已登记。",
            run=lambda **data: cases.violation_record(by=request.user, **data),
            confirm="处理措施为撤销计量授权时，将同时撤销该单位的有效证书（不可恢复）。",
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        links = []
        if obj is not None and obj.action != Violation.Action.REVOCATION:
            links.append(("通知书PDF", reverse("admin:inspections_violation_document", args=[obj.pk])))
        return super().change_view(request, object_id, form_url, {"document_links": links})

    def get_urls(self):
        view = self.admin_site.admin_view(self.document_view)
        return [path("<int:pk>/notice.pdf", view, name="inspections_violation_document")] + super().get_urls()

    def document_view(self, request, pk):
        violation = get_object_or_404(Violation.objects.select_related("station"), pk=pk)
        return document_response(documents.violation_notice_pdf, violation)


@admin.register(SupervisionEvent)
class SupervisionEventAdmin(EventAdmin):
    """Append-only (A12): read, never changed."""

    list_display = ("at", "station", "subject_label", "action_label", "from_state", "to_state", "by", "note")
    list_filter = ("action_label",)
    search_fields = ("station__name", "subject_label", "note")
    date_hierarchy = "at"
    list_select_related = ("station", "by")
