"""The bureau's follow-up of data-quality flags (数据质量提示): a queue where each is explained or confirmed (Q4)."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from reporting.models import QualityFlag, QualityFlagEvent
from reporting.selectors.quality import report_flags
from reporting.services import quality as services
from zzmetro.admin_site import EventAdmin
from zzmetro.admin_transitions import Transition, TransitionAdminMixin
from zzmetro.dates import BEIJING

S = QualityFlag.Status


class ExplainForm(forms.Form):
    note = forms.CharField(
        label="说明内容", widget=forms.Textarea(attrs={"rows": 4}), help_text="例如单位的解释、核实的经过和结论"
    )


class ConfirmForm(forms.Form):
    note = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 4}), required=False)


FLAG_TRANSITIONS = (
    Transition(
        "explain",
        "已说明",
        ExplainForm,
        lambda f, u, note: services.flag_explain(flag=f, by=u, note=note),
        to=S.EXPLAINED,
        success="已记录说明，该提示不再列入待核实。",
    ),
    Transition(
        "confirm",
        "确认存在问题",
        ConfirmForm,
        lambda f, u, note: services.flag_confirm(flag=f, by=u, note=note),
        to=S.CONFIRMED,
        confirm="确认后该提示记为“已确认存在问题”，不能撤回；如需立案，请在违规记录中登记。",
        destructive=True,
    ),
)


def flags_html(report) -> str:
    """A report's flags with their state, each linking to its page in the follow-up queue (Q4)."""
    rows = (
        (
            reverse("admin:reporting_qualityflag_change", args=[flag.pk]),
            flag.get_kind_display(),
            f"{flag.item.name}：" if flag.item_id else "",
            flag.detail,
            flag.get_status_display(),
        )
        for flag in report_flags(report)
    )
    return format_html_join("", '<div><a href="{}">{}</a> {}{}（{}）</div>', rows) or "无"


@admin.register(QualityFlag)
class QualityFlagAdmin(TransitionAdminMixin, admin.ModelAdmin):
    """The follow-up queue: open by default from the front page, filtered by kind, district and month."""

    transitions = FLAG_TRANSITIONS
    list_display = ("station", "month", "item", "kind", "reported", "reference", "status", "raised_at")
    list_filter = ("status", "kind", "period", "station__district")
    list_select_related = ("station", "item")
    search_fields = ("station__name",)
    list_per_page = 100
    readonly_fields = (
        "station",
        "report_link",
        "period",
        "item",
        "kind",
        "status",
        "reported",
        "reference",
        "range_display",
        "detail",
        "raised_at",
        "checked_at",
        "history",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="报告月份", ordering="period")
    def month(self, obj):
        return f"{obj.period.year}年{obj.period.month}月"

    @admin.display(description="月报")
    def report_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:reporting_monthlyreport_change", args=[obj.report_id]), obj.report
        )

    @admin.display(description="合理范围")
    def range_display(self, obj):
        return "—" if obj.low is None else f"{max(obj.low, 0)}～{obj.high}"

    @admin.display(description="办理记录")
    def history(self, obj):
        rows = (
            (f"{e.at.astimezone(BEIJING):%Y-%m-%d %H:%M}", e.action_label, e.by or "系统", e.note)
            for e in obj.events.select_related("by")
        )
        return format_html_join("", "<div>{} {}（{}）{}</div>", rows) or "—"


@admin.register(QualityFlagEvent)
class QualityFlagEventAdmin(EventAdmin):
    list_display = ("at", "station", "flag", "action_label", "from_state", "to_state", "by", "note")
    list_select_related = ("station", "by", "flag__station", "flag__item")
    search_fields = ("station__name",)
    date_hierarchy = "at"
