"""Admin of monthly reports (M2–M5, M8), quarterly analyses (M6), major issues (M7) and reminders (M3, P2)."""

import io

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from authorizations.forms.common import ReasonForm
from reporting import documents, exports
from reporting.models import MajorIssueReport, MonthlyReport, MonthlyReportLine, QuarterlyAnalysis, ReminderLog
from reporting.selectors.reports import report_versions
from reporting.services import reports as services
from zzmetro.admin_site import ReadOnlyAdmin
from zzmetro.admin_transitions import Transition, TransitionAdminMixin
from zzmetro.dates import BEIJING, add_months, beijing_today
from zzmetro.exports import write_xlsx
from zzmetro.responses import attachment_response, pdf_response, stored_file_response

from .plans import events_html
from .quality import flags_html

M = MonthlyReport.Status

REPORT_TRANSITIONS = (
    Transition(
        "reopen",
        "退回修改",
        ReasonForm,
        lambda r, u, **data: services.monthly_reopen(report=r, by=u, **data),
        confirm="退回后月报解锁，由计量信息员修改并重新报送；原报送版本保留，及时率按首次报送计。",
        destructive=True,
        to=M.REOPENED,
    ),
)


class TimelinessFilter(admin.SimpleListFilter):
    """M2, M4: on time, late, overdue (not submitted after the due day), reopened."""

    title = "报送情况"
    parameter_name = "timeliness"

    def lookups(self, request, model_admin):
        return [("on_time", "按时报送"), ("late", "逾期报送"), ("overdue", "逾期未报"), ("reopened", "已退回修改")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "on_time":
            return queryset.filter(status=M.SUBMITTED, late_days=0)
        if value == "late":
            return queryset.filter(status=M.SUBMITTED, late_days__gt=0)
        if value == "overdue":
            return queryset.filter(status=M.PENDING, due_on__lt=beijing_today())
        if value == "reopened":
            return queryset.filter(status=M.REOPENED)
        return queryset


class MonthFilter(admin.SimpleListFilter):
    title = "报告月份"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        first = beijing_today().replace(day=1)
        months = [add_months(first, -n) for n in range(1, 25)]
        return [(f"{m:%Y-%m}", f"{m.year}年{m.month}月") for m in months]

    def queryset(self, request, queryset):
        try:
            year, month = map(int, (self.value() or "").split("-"))
        except ValueError:  # absent or hand-typed nonsense: no filter rather than a crash
            return queryset
        return queryset.filter(period__year=year, period__month=month)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(TransitionAdminMixin, admin.ModelAdmin):
    transitions = REPORT_TRANSITIONS
    list_display = (
        "station",
        "month",
        "status",
        "timeliness_display",
        "flag_display",
        "first_submitted_at",
        "submitted_at",
    )
    list_filter = (MonthFilter, TimelinessFilter, "status", "flagged", "station__district")
    search_fields = ("station__name",)
    list_select_related = ("station",)
    list_per_page = 100
    readonly_fields = (
        "station",
        "period",
        "due_on",
        "status",
        "first_submitted_at",
        "submitted_at",
        "late_days",
        "reopen_reason",
        "flag_display",
        "flag_note",
        "quality_flags_html",
        "versions_html",
        "history",
    )
    exclude = ("flagged",)  # shown as flag_display; every field stays read-only
    actions = ["export_lines"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="报告月份", ordering="period")
    def month(self, obj):
        return f"{obj.period.year}年{obj.period.month}月"

    @admin.display(description="报送情况")
    def timeliness_display(self, obj):
        status = obj.status_on(beijing_today())
        return {"overdue": "逾期未报", "pending": "未到截止日", "reopened": f"已退回修改（首次{obj.timeliness}）"}.get(
            status, obj.timeliness
        )

    @admin.display(description="存在异常", ordering="flagged")
    def flag_display(self, obj):
        """Only an anomaly is marked (in red); a report without one reads as plain 无, never as a red cross."""
        return (
            format_html('<strong class="zz-alarm" style="color:{}">存在异常</strong>', "#82071e")
            if obj.flagged
            else "无"
        )

    @admin.display(description="数据质量提示")
    def quality_flags_html(self, obj):
        """Q4: the report's flags, each opening its page in the follow-up queue."""
        return flags_html(obj)

    @admin.display(description="历次版本")
    def versions_html(self, obj):
        parts = []
        for version in report_versions(obj):
            lines = format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        line.item.name,
                        line.verified,
                        line.qualified,
                        line.unqualified,
                        line.first_time_sticker,
                        line.notes,
                    )
                    for line in version.lines.all()
                ),
            )
            parts.append(
                format_html(
                    "<p><b>第{}版</b>{} · {} · {}</p><table><tr><th>项目</th><th>检定</th><th>合格</th><th>不合格</th><th>首检加贴</th><th>备注</th></tr>{}</table>",
                    version.number,
                    "（当前）" if version.is_current else "",
                    f"{version.submitted_at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}",
                    version.get_source_display(),
                    lines,
                )
            )
        return format_html_join("", "{}", ((p,) for p in parts)) or "尚未报送"

    @admin.display(description="办理记录")
    def history(self, obj):
        return events_html(obj.events.select_related("by"))

    @admin.action(description="导出所选月报明细（单位×项目）为Excel", permissions=["view"])
    def export_lines(self, request, queryset):
        lines = MonthlyReportLine.objects.filter(version__is_current=True, version__report__in=queryset)
        buffer = io.BytesIO()
        write_xlsx(buffer, exports.LINE_COLUMNS, exports.line_rows(lines), title="月报明细")
        return attachment_response(
            buffer.getvalue(), f"月报明细-{beijing_today():%Y%m%d}.xlsx", content_type=exports.XLSX
        )


class StampedFilter(admin.SimpleListFilter):
    title = "盖章件"
    parameter_name = "stamped"

    def lookups(self, request, model_admin):
        return [("yes", "已上传"), ("no", "未上传")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(stamped_file="")
        if self.value() == "no":
            return queryset.filter(stamped_file="")
        return queryset


@admin.register(QuarterlyAnalysis)
class QuarterlyAnalysisAdmin(ReadOnlyAdmin):
    list_display = ("station", "year", "quarter", "status", "due_on", "stamped_uploaded_at", "stamped_late_days")
    list_filter = ("year", "quarter", StampedFilter)
    list_select_related = ("station",)
    search_fields = ("station__name",)
    change_form_template = "admin/zz/change_form.html"

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/document/<slug:kind>/",
                self.admin_site.admin_view(self.document_view),
                name="reporting_quarterlyanalysis_document",
            )
        ]
        return extra + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        links = [("统计分析PDF", reverse("admin:reporting_quarterlyanalysis_document", args=[object_id, "analysis"]))]
        obj = self.get_object(request, object_id)
        if obj and obj.stamped_file:
            links.append(
                ("盖章扫描件", reverse("admin:reporting_quarterlyanalysis_document", args=[object_id, "stamped"]))
            )
        extra_context["document_links"] = links
        return super().change_view(request, object_id, form_url, extra_context)

    def document_view(self, request, pk, kind):
        analysis = get_object_or_404(QuarterlyAnalysis.objects.select_related("station"), pk=pk)
        if not self.has_view_permission(request, analysis):
            raise PermissionDenied
        if kind == "analysis":
            return pdf_response(documents.quarterly_analysis_pdf(analysis))
        if kind == "stamped" and analysis.stamped_file:
            return stored_file_response(
                analysis.stamped_file, f"盖章件-{analysis.station.name}-{analysis.year}Q{analysis.quarter}"
            )
        raise Http404


@admin.register(MajorIssueReport)
class MajorIssueReportAdmin(ReadOnlyAdmin):
    list_display = ("reported_at", "station", "title", "occurred_on", "reported_by")
    list_select_related = ("station", "reported_by")
    search_fields = ("station__name", "title")
    date_hierarchy = "reported_at"


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "station", "kind", "period", "stage", "status", "attempts", "sent_at")
    list_filter = ("kind", "stage", "status")
    list_select_related = ("station",)
    search_fields = ("station__name",)
