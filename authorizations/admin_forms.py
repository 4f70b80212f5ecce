"""Forms behind the admin's lifecycle buttons (one per service call)."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget

from authorizations.models import Assessment, AssessmentFinding
from zzmetro.dates import beijing_today


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=AdminDateWidget, initial=beijing_today, help_text=help_text
    )


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 4}))


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class AssessmentStartForm(forms.Form):
    planned_on = date_field("计划考核日期")
    leader = forms.CharField(label="考核组组长", max_length=50)
    experts = forms.CharField(label="技术专家", widget=forms.Textarea(attrs={"rows": 3}), help_text="每行一人")
    organization = forms.CharField(label="专家所在单位", required=False, max_length=100)

    def clean_experts(self):
        return [line.strip() for line in self.cleaned_data["experts"].splitlines() if line.strip()]


class AssessmentConcludeForm(forms.Form):
    """A finding per criterion of S1 三(二), then the team's conclusion (A4)."""

    held_on = date_field("现场考核日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in AssessmentFinding.Criterion:
            self.fields[f"result_{criterion.value}"] = forms.ChoiceField(
                label=criterion.label, choices=[("", "请选择")] + list(AssessmentFinding.Result.choices)
            )
            self.fields[f"note_{criterion.value}"] = forms.CharField(label=f"{criterion.label}说明", required=False)
        self.fields["conclusion"] = forms.ChoiceField(
            label="考核结论", choices=[("", "请选择")] + list(Assessment.Conclusion.choices)
        )
        self.fields["summary"] = forms.CharField(
            label="考核意见", required=False, widget=forms.Textarea(attrs={"rows": 3})
        )

    def clean(self):
        data = super().clean()
        findings = {
            c.value: (data.pop(f"result_{c.value}", ""), data.pop(f"note_{c.value}", ""))
            for c in AssessmentFinding.Criterion
        }
        data["findings"] = {k: v for k, v in findings.items() if v[0]}
        return data


class CertificateIssueForm(forms.Form):
    issued_on = date_field("发证日期")
    seal_number = forms.CharField(
        label="计量授权检定专用章编号",
        required=False,
        max_length=40,
        help_text="首次发证必填；延续时留空则沿用原专用章编号",
    )


class SuspendForm(forms.Form):
    starts_on = date_field("暂停起始日")
    planned_end_on = date_field("暂停期限至")
    reason = forms.CharField(label="暂停理由", widget=forms.Textarea(attrs={"rows": 3}))


class LiftForm(forms.Form):
    lifted_on = date_field("恢复日期")
    note = forms.CharField(label="说明", required=False)


class RevokeForm(forms.Form):
    decided_on = date_field("撤销决定日期")
    reason = forms.CharField(label="撤销理由", widget=forms.Textarea(attrs={"rows": 4}))


class ReturnForm(forms.Form):
    seal_returned_on = date_field("专用章交回日期", required=False)
    certificate_returned_on = date_field("证书交回日期", required=False)
