"""Forms of the monthly report (M2), its Excel upload, the quarterly analysis (M6) and major issues (M7)."""

from django import forms

from authorizations.forms.common import DATE_WIDGET
from reporting.services.reports import COUNTS, HEADERS, NOTES_MAX, LineInput, line_from_cells
from zzmetro.spreadsheets import CellError
from zzmetro.uploads import DocumentField, LimitedFileField, monthly_report_max_bytes

COUNT_LABELS = {
    "verified": "检定数量",
    "qualified": "合格数量",
    "unqualified": "不合格数量",
    "first_time_sticker": "首次检定加贴标志",
}
COLUMN_KEYS = {header: key for key, header in HEADERS.items() if key in COUNTS} | {"备注": "notes"}
NIL_LABEL = "本月无检定"
NIL_HELP = "所有项目的检定数量均为0时必须勾选，以确认本月确实没有开展检定。"


class MonthlyForm(forms.Form):
    """One line per item authorized in the month. Cells start blank (or with the report's earlier figures);
    the counts are read by the service with the same rules as an Excel cell, so every problem comes back at once."""

    nil_confirmed = forms.BooleanField(label=NIL_LABEL, required=False, help_text=NIL_HELP)
    notes = forms.CharField(label="本月情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items, initial_lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.problems: list = []  # errors of the last submission, in the order the summary lists them
        initial_lines = initial_lines or {}
        for item in self.items:
            line = initial_lines.get(item.pk)
            for key in COUNTS:
                self.fields[f"{key}_{item.pk}"] = forms.CharField(
                    label=f"{item.name}{COUNT_LABELS[key]}",
                    required=False,
                    initial=getattr(line, key, None),
                    widget=forms.NumberInput(attrs={"min": 0, "step": 1, "class": "count"}),
                )
            self.fields[f"notes_{item.pk}"] = forms.CharField(
                label=f"{item.name}备注",
                required=False,
                initial=getattr(line, "notes", ""),
                widget=forms.TextInput(attrs={"maxlength": NOTES_MAX}),
            )

    def rows(self):
        return [
            (index, item, [self[f"{key}_{item.pk}"] for key in COUNTS], self[f"notes_{item.pk}"])
            for index, item in enumerate(self.items, start=1)
        ]

    def lines(self) -> tuple[list[LineInput], list[CellError]]:
        """The lines as typed, and the cells that are not whole numbers ≥ 0 (named like an Excel cell)."""
        data, lines, problems = self.cleaned_data, [], []
        for index, item in enumerate(self.items, start=1):
            cells = {key: data.get(f"{key}_{item.pk}") for key in COUNTS}
            line, errors = line_from_cells(index, item.code, cells, notes=data.get(f"notes_{item.pk}", ""))
            lines.append(line)
            problems += errors
        return lines, problems

    def mark(self, errors: list[CellError]) -> None:
        """Mark each cell an error names (aria-invalid, pointing at its entry in the summary above the table)."""
        self.problems = list(errors)
        items = dict(enumerate(self.items, start=1))
        for number, error in enumerate(self.problems, start=1):
            key, item = COLUMN_KEYS.get(error.column), items.get(error.row)
            name = f"{key}_{item.pk}" if key and item else ("nil_confirmed" if error.column == NIL_LABEL else None)
            if name in self.fields:
                widget = self.fields[name].widget
                described = f"{widget.attrs.get('aria-describedby', '')} problem-{number}".strip()
                widget.attrs.update({"aria-invalid": "true", "aria-describedby": described, "title": error.message})

    def problem_anchor(self, error: CellError) -> str:
        """The id of the input an error names, for the summary's link to it ("" when it names no cell)."""
        items = dict(enumerate(self.items, start=1))
        key, item = COLUMN_KEYS.get(error.column), items.get(error.row)
        return self[f"{key}_{item.pk}"].id_for_label if key and item else ""


class UploadForm(forms.Form):
    file = LimitedFileField(label="填好的月报Excel文件（.xlsx）", max_bytes=monthly_report_max_bytes)
    nil_confirmed = forms.BooleanField(label=NIL_LABEL, required=False, help_text=NIL_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="upload_%s", **kwargs)  # its ids must not clash with the online form's


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label="分析说明",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="本季度强制检定工作完成情况、计划执行偏差及原因、不合格情况分析、存在问题及改进措施",
    )


class StampedForm(forms.Form):
    file = DocumentField(label="盖章扫描件（PDF或图片）")


class MajorIssueForm(forms.Form):
    title = forms.CharField(label="标题", max_length=100)
    occurred_on = forms.DateField(label="发生日期", widget=DATE_WIDGET)
    description = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 6}))
    measures = forms.CharField(label="已采取的措施", required=False, widget=forms.Textarea(attrs={"rows": 3}))
