from django.contrib import admin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from authorizations import documents, services
from authorizations.forms.applications import AssessmentConcludeForm, AssessmentStartForm, CertificateIssueForm
from authorizations.forms.common import NoteForm, ReasonForm
from authorizations.models import Application, ApplicationMaterial, Assessment, AssessmentFinding, AssessmentMember
from zzmetro.admin_site import ReadOnlyAdmin
from zzmetro.admin_transitions import Transition, TransitionAdminMixin
from zzmetro.responses import document_response, stored_file_response

from .common import ReadOnlyInline

S = Application.Status

APPLICATION_TRANSITIONS = (
    Transition(
        "accept",
        "受理",
        NoteForm,
        lambda a, u, note: services.application_accept(application=a, by=u, note=note),
        to=S.ACCEPTED,
        confirm="受理后将生成受理申请通知书并编号，申请单位进入筹建阶段；受理不能撤回。",
        success="已受理，受理申请通知书已生成。",
    ),
    Transition(
        "refuse",
        "不予受理",
        ReasonForm,
        lambda a, u, reason: services.application_refuse(application=a, by=u, reason=reason),
        to=S.REFUSED,
        confirm="不予受理后将生成不予受理决定书，申请书退回申请单位，此操作不可撤销。",
        destructive=True,
    ),
    Transition(
        "start-assessment",
        "组建考核组",
        AssessmentStartForm,
        lambda a, u, **data: services.assessment_start(application=a, by=u, **data),
        to=S.ASSESSING,
    ),
    Transition(
        "conclude-assessment",
        "录入考核结果",
        AssessmentConcludeForm,
        lambda a, u, **data: services.assessment_conclude(application=a, by=u, **data),
        to=S.PASSED,  # or FAILED, as the form concludes: both moves open from the same state
        confirm="考核结论录入后不可修改，请核对每项考核结果。",
    ),
    Transition(
        "issue-certificate",
        "颁发证书",
        CertificateIssueForm,
        lambda a, u, **data: services.certificate_issue(application=a, by=u, **data),
        to=S.CERTIFIED,
        confirm="确认颁发计量授权证书？颁发后单位将列入公开名录。",
    ),
)


class LateFilter(admin.SimpleListFilter):
    title = "延续申请是否逾期"
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", "逾期申请"), ("no", "按期申请")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(late_days__gt=0)
        if self.value() == "no":
            return queryset.filter(late_days=0)
        return queryset


class MaterialInline(ReadOnlyInline):
    model = ApplicationMaterial
    fields = ("title", "download", "uploaded_at")
    readonly_fields = fields

    @admin.display(description="文件")
    def download(self, obj):
        return format_html(
            '<a href="{}" target="_blank">下载</a>',
            reverse("admin:authorizations_application_material", args=[obj.application_id, obj.pk]),
        )


@admin.register(Application)
class ApplicationAdmin(TransitionAdminMixin, admin.ModelAdmin):
    transitions = APPLICATION_TRANSITIONS
    list_display = ("number", "station", "kind", "submitted_on", "status", "late_mark")
    list_filter = ("status", "kind", LateFilter, "station__district")
    search_fields = ("number", "station__name", "station__credit_code")
    date_hierarchy = "submitted_on"
    list_select_related = ("station",)
    list_per_page = 50
    inlines = (MaterialInline,)
    readonly_fields = (
        "number",
        "station",
        "kind",
        "status",
        "item_list",
        "area",
        "description",
        "certificate",
        "submitted_on",
        "submitted_by",
        "renewal_deadline",
        "late_days",
        "acceptance_number",
        "accepted_on",
        "refusal_number",
        "refused_on",
        "refusal_reason",
        "prep_standards",
        "prep_environment",
        "prep_personnel",
        "prep_management",
        "assessment_requested_on",
        "assessment_summary",
        "certificate_link",
    )
    fieldsets = (
        (
            "申请",
            {
                "fields": (
                    "number",
                    "station",
                    "kind",
                    "status",
                    "item_list",
                    "area",
                    "description",
                    "certificate",
                    "submitted_on",
                    "submitted_by",
                )
            },
        ),
        ("延续期限", {"fields": ("renewal_deadline", "late_days")}),
        ("审查", {"fields": ("acceptance_number", "accepted_on", "refusal_number", "refused_on", "refusal_reason")}),
        (
            "筹建（四项必备条件）",
            {
                "fields": (
                    "prep_standards",
                    "prep_environment",
                    "prep_personnel",
                    "prep_management",
                    "assessment_requested_on",
                )
            },
        ),
        ("现场考核与发证", {"fields": ("assessment_summary", "certificate_link")}),
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="逾期", boolean=False)
    def late_mark(self, obj):
        return f"逾期{obj.late_days}天" if obj.late_days else ""

    @admin.display(description="申请检定项目")
    def item_list(self, obj):
        return format_html_join("", "<div>{}（{}）</div>", ((i.name, i.regulation) for i in obj.items.all()))

    @admin.display(description="颁发的证书")
    def certificate_link(self, obj):
        certificate = obj.certificate if obj.kind == Application.Kind.NEW_ITEMS and obj.status == S.CERTIFIED else None
        certificate = certificate or getattr(obj, "issued_certificate", None)
        if certificate is None:
            return "—"
        url = reverse("admin:authorizations_certificate_change", args=[certificate.pk])
        return format_html('<a href="{}">{}</a>', url, certificate.number)

    @admin.display(description="考核组与考核结果")
    def assessment_summary(self, obj):
        assessment = Assessment.objects.filter(application=obj).prefetch_related("members", "findings").first()
        if assessment is None:
            return "尚未组建考核组"
        members = "、".join(str(m) for m in assessment.members.all())
        findings = format_html_join(
            "",
            "<div>{}：{} {}</div>",
            ((f.get_criterion_display(), f.get_result_display(), f.note) for f in assessment.findings.all()),
        )
        return format_html(
            "<div>考核组：{}</div><div>计划 {} · 现场考核 {}</div>{}<div><b>结论：{}</b> {}</div>",
            members,
            assessment.planned_on,
            assessment.held_on or "—",
            findings,
            assessment.get_conclusion_display() or "—",
            assessment.summary,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            links = []
            if obj.acceptance_number:
                links.append(
                    (
                        "受理申请通知书PDF",
                        reverse("admin:authorizations_application_document", args=[obj.pk, "acceptance"]),
                    )
                )
            if obj.refusal_number:
                links.append(
                    (
                        "不予受理决定书PDF",
                        reverse("admin:authorizations_application_document", args=[obj.pk, "refusal"]),
                    )
                )
            extra_context["document_links"] = links
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/document/<slug:kind>.pdf",
                self.admin_site.admin_view(self.document_view),
                name="authorizations_application_document",
            ),
            path(
                "<int:pk>/material/<int:material>/",
                self.admin_site.admin_view(self.material_view),
                name="authorizations_application_material",
            ),
        ]
        return extra + super().get_urls()

    def document_view(self, request, pk, kind):
        application = get_object_or_404(Application, pk=pk)
        renderer = {"acceptance": documents.acceptance_notice_pdf, "refusal": documents.refusal_decision_pdf}.get(kind)
        if renderer is None or not self.has_view_permission(request, application):
            raise Http404
        return document_response(renderer, application)

    def material_view(self, request, pk, material):
        material = get_object_or_404(ApplicationMaterial, pk=material, application_id=pk)
        if not self.has_view_permission(request, material.application):
            raise Http404
        return stored_file_response(material.file)


class MemberInline(ReadOnlyInline):
    model = AssessmentMember
    fields = ("name", "role", "organization")
    readonly_fields = fields


class FindingInline(ReadOnlyInline):
    model = AssessmentFinding
    fields = ("criterion", "result", "note")
    readonly_fields = fields


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    """Assessments are recorded through the application's buttons; this list is for reading."""

    list_display = ("application", "planned_on", "held_on", "conclusion")
    list_filter = ("conclusion",)
    search_fields = ("application__number", "application__station__name")
    readonly_fields = ("application", "planned_on", "held_on", "conclusion", "summary")
    inlines = (MemberInline, FindingInline)
    list_select_related = ("application__station",)
