"""Forms for supervision: staff's admin buttons and the station's answers in the portal."""

from django import forms

from authorizations.forms.common import date_field
from inspections.models import (
    AnnualEvaluation,
    Complaint,
    Inspection,
    InspectionFinding,
    IntegrityEvaluation,
    SampleItem,
    Violation,
)
from zzmetro.uploads import DocumentField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InspectionRecordForm(forms.Form):
    """A finding per checked area of S1 四(十一), the result and, short of a pass, the rectification notice (I1)."""

    held_on = date_field("检查日期")
    inspectors = forms.CharField(label="检查人员", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in InspectionFinding.Area:
            self.fields[f"result_{area.value}"] = forms.ChoiceField(
                label=area.label, choices=[("", "请选择")] + list(InspectionFinding.Result.choices)
            )
            self.fields[f"note_{area.value}"] = forms.CharField(label=f"{area.label}说明", required=False)
        self.fields["result"] = forms.ChoiceField(
            label="检查结论", choices=[("", "请选择")] + list(Inspection.Result.choices)
        )
        self.fields["summary"] = forms.CharField(
            label="检查意见", required=False, widget=forms.Textarea(attrs={"rows": 3})
        )
        self.fields["requirements"] = forms.CharField(
            label="整改要求（结论非合格时必填）", required=False, widget=forms.Textarea(attrs={"rows": 3})
        )
        self.fields["deadline"] = date_field("整改期限（结论非合格时必填）", required=False)
        self.fields["deadline"].initial = None

    def clean(self):
        data = super().clean()
        findings = {
            a.value: (data.pop(f"result_{a.value}", ""), data.pop(f"note_{a.value}", ""))
            for a in InspectionFinding.Area
        }
        data["findings"] = {k: v for k, v in findings.items() if v[0]}
        return data


class CloseForm(forms.Form):
    closed_on = date_field("关闭日期")
    note = forms.CharField(label="验收意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    deadline = date_field("新的整改期限")
    note = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}))


class RectificationAnswerForm(forms.Form):
    answer = forms.CharField(label="整改报告", widget=forms.Textarea(attrs={"rows": 6}))
    evidence = DocumentField(label="整改证明材料（PDF或图片，可选）", required=False)


class NotifyForm(forms.Form):
    notified_on = date_field("告知日期")


class SampleResultsForm(forms.Form):
    """One result per drawn instrument (I2): qualified, unqualified or refused (counted as failed)."""

    recorded_on = date_field("复核日期")

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=f"{item.verification.instrument.name} {item.verification.instrument.serial_number}（{item.verification.get_use_display()}，{item.verification.verified_on:%Y-%m-%d}）",
                choices=list(SampleItem.Result.choices),
                initial=item.result,
            )


class ComplaintForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ("received_on", "complainant", "contact", "subject", "description")
        widgets = {"received_on": DATE, "description": forms.Textarea(attrs={"rows": 4})}


class ComplaintCloseForm(forms.Form):
    handling = forms.CharField(label="处理情况", widget=forms.Textarea(attrs={"rows": 4}))
    result_file = DocumentField(label="书面处理结果（PDF或图片）")
    closed_on = forms.DateField(label="处理完毕日期", widget=DATE)


class ViolationForm(forms.ModelForm):
    evidence = DocumentField(label="证据材料（PDF或图片，可选）", required=False)

    class Meta:
        model = Violation
        fields = ("station", "kind", "found_on", "description", "evidence", "action", "decided_on", "deadline")


class EvaluationConcludeForm(forms.Form):
    result = forms.ChoiceField(label="考核结果", choices=[("", "请选择")] + list(AnnualEvaluation.Result.choices))
    note = forms.CharField(
        label="考核意见（不合格时写入通报批评）", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    evaluated_on = date_field("考核日期")


class EvaluationPrepareForm(forms.Form):
    year = forms.IntegerField(label="考核年度", min_value=2015, max_value=2100)


class IntegrityForm(forms.ModelForm):
    """I7: a new evaluation is recorded through the service; the latest one is the station's status."""

    class Meta:
        model = IntegrityEvaluation
        fields = ("station", "status", "evaluated_on", "basis", "note")
        widgets = {"evaluated_on": DATE, "note": forms.Textarea(attrs={"rows": 3})}


class InspectionPlanForm(forms.ModelForm):
    """I1: staff schedule an inspection; the result is recorded later with its own button."""

    class Meta:
        model = Inspection
        fields = ("station", "planned_on", "inspectors")
        widgets = {"planned_on": DATE}
