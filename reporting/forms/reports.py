"""Forms of the monthly report (M2), its Excel upload, the quarterly analysis (M6) and major issues (M7)."""
from django import forms

from authorizations.forms import DATE_WIDGET
from reporting.services.reports import COUNTS, LineInput
from zzmetro.uploads import DocumentField, LimitedFileField, monthly_report_max_bytes

COUNT_LABELS = {"verified": "检定数量", "qualified": "合格数量", "unqualified": "不合格数量", "first_time_sticker": "首次检定加贴标志"}


class MonthlyForm(forms.Form):
    """One line per item authorized in the month: whole numbers ≥ 0, notes optional."""

    notes = forms.CharField(label="本月情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items, initial_lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        initial_lines = initial_lines or {}
        for item in self.items:
            line = initial_lines.get(item.pk)
            for key in COUNTS:
                self.fields[f"{key}_{item.pk}"] = forms.IntegerField(
                    label=f"{item.name}{COUNT_LABELS[key]}", min_value=0, initial=getattr(line, key, 0),
                    error_messages={"required": "必填", "invalid": "应为整数", "min_value": "不能小于0"},
                    widget=forms.NumberInput(attrs={"min": 0, "step": 1, "class": "count"}),
                )
            self.fields[f"notes_{item.pk}"] = forms.CharField(
                label=f"{item.name}备注", max_length=200, required=False, initial=getattr(line, "notes", "")
            )

    def rows(self):
        return [
            (index, item, [self[f"{key}_{item.pk}"] for key in COUNTS], self[f"notes_{item.pk}"])
            for index, item in enumerate(self.items, start=1)
        ]

    def lines(self) -> list[LineInput]:
        data = self.cleaned_data
        return [
            LineInput(index, item.code, *(data[f"{key}_{item.pk}"] for key in COUNTS), notes=data.get(f"notes_{item.pk}", ""))
            for index, item in enumerate(self.items, start=1)
        ]


class UploadForm(forms.Form):
    file = LimitedFileField(label="填好的月报Excel文件（.xlsx）", max_bytes=monthly_report_max_bytes)


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label="分析说明", widget=forms.Textarea(attrs={"rows": 8}),
        help_text="本季度强制检定工作完成情况、计划执行偏差及原因、不合格情况分析、存在问题及改进措施",
    )


class StampedForm(forms.Form):
    file = DocumentField(label="盖章扫描件（PDF或图片）")


class MajorIssueForm(forms.Form):
    title = forms.CharField(label="标题", max_length=100)
    occurred_on = forms.DateField(label="发生日期", widget=DATE_WIDGET)
    description = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 6}))
    measures = forms.CharField(label="已采取的措施", required=False, widget=forms.Textarea(attrs={"rows": 3}))
