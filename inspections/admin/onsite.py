from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.safestring import mark_safe

from authorizations.admin.common import ReadOnlyInline
from inspections import documents
from inspections.forms.supervision import CloseForm, ExtendForm, InspectionPlanForm, InspectionRecordForm
from inspections.models import Inspection, InspectionFinding, Rectification
from inspections.services import onsite
from zzmetro.admin_files import ProtectedFilesMixin, file_display
from zzmetro.admin_transitions import Transition, TransitionAdminMixin, form_view
from zzmetro.dates import beijing_today
from zzmetro.responses import pdf_response

INSPECTION_TRANSITIONS = (
    Transition(
        "record",
        "录入检查结果",
        InspectionRecordForm,
        lambda i, u, **data: onsite.inspection_record(inspection=i, by=u, **data),
        confirm="检查结果录入后不可修改；结论非合格时将向单位下达整改通知书。",
        to=Inspection.Status.RECORDED,
    ),
)


class FindingInline(ReadOnlyInline):
    model = InspectionFinding
    fields = ("area", "result", "note")
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(TransitionAdminMixin, admin.ModelAdmin):
    """I1: staff plan an inspection here (add, through the planning service), then record it with the button.

    A planned inspection is part of the station's trail, so it is never deleted here.
    """

    transitions = INSPECTION_TRANSITIONS
    list_display = ("station", "planned_on", "held_on", "status", "result", "rectification_status")
    list_filter = ("status", "result", "station__district")
    search_fields = ("station__name", "inspectors")
    date_hierarchy = "planned_on"
    list_select_related = ("station", "rectification")
    inlines = (FindingInline,)

    fields = ("station", "planned_on", "held_on", "inspectors", "status", "result", "summary")
    readonly_fields = fields

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InspectionPlanForm(request.POST or None)
        return form_view(
            self,
            request,
            form=form,
            title="安排现场检查",
            success="现场检查已安排。",
            done_url=reverse("admin:inspections_inspection_changelist"),
            run=lambda **data: onsite.inspection_plan(by=request.user, **data),
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="整改")
    def rectification_status(self, obj):
        rectification = getattr(obj, "rectification", None)
        if rectification is None:
            return "—"
        overdue = "（逾期）" if rectification.is_overdue_on(beijing_today()) else ""
        return f"{rectification.get_status_display()}{overdue}"


class OverdueFilter(admin.SimpleListFilter):
    title = "是否逾期"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "超过整改期限未关闭")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue_on(beijing_today())
        return queryset


RECTIFICATION_TRANSITIONS = (
    Transition(
        "close",
        "验收关闭",
        CloseForm,
        lambda r, u, **data: onsite.rectification_close(rectification=r, by=u, **data),
        to=Rectification.Status.CLOSED,
    ),
    Transition(
        "extend",
        "延长整改期限",
        ExtendForm,
        lambda r, u, **data: onsite.rectification_extend(rectification=r, by=u, **data),
        to=Rectification.Status.OPEN,
    ),
)


@admin.register(Rectification)
class RectificationAdmin(ProtectedFilesMixin, TransitionAdminMixin, admin.ModelAdmin):
    transitions = RECTIFICATION_TRANSITIONS
    list_display = ("number", "station_name", "issued_on", "deadline", "status", "overdue", "extensions")
    list_filter = ("status", OverdueFilter)
    search_fields = ("number", "inspection__station__name")
    list_select_related = ("inspection__station",)
    fields = (
        "number",
        "inspection",
        "issued_on",
        "requirements",
        "deadline",
        "status",
        "answer",
        "evidence_link",
        "answered_on",
        "closed_on",
        "closing_note",
        "extensions",
    )
    readonly_fields = fields
    protected_files = ("evidence",)
    evidence_link = file_display("evidence", "整改证明材料")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="单位")
    def station_name(self, obj):
        return obj.inspection.station.name

    @admin.display(description="逾期")
    def overdue(self, obj):
        if obj.is_overdue_on(beijing_today()):
            return mark_safe('<strong style="color:#82071e">已逾期</strong>')
        return "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "document_links": [("整改通知书PDF", reverse("admin:inspections_rectification_document", args=[object_id]))]
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view(self.document_view)
        return [path("<int:pk>/document.pdf", view, name="inspections_rectification_document")] + super().get_urls()

    def document_view(self, request, pk):
        rectification = get_object_or_404(Rectification.objects.select_related("inspection__station"), pk=pk)
        return pdf_response(documents.rectification_notice_pdf(rectification), f"整改通知书-{rectification.number}.pdf")
