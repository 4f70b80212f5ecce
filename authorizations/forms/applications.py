"""Forms of the application lifecycle: the portal's application, materials and preparation (DOMAIN A2, A3, A7, A8)
and the admin's assessment and issue steps (A4, A5)."""

from django import forms

from authorizations.forms.common import date_field
from authorizations.models import Application, Assessment, AssessmentFinding, Certificate, VerificationItem
from zzmetro.uploads import DocumentField


class ApplicationForm(forms.Form):
    """Application, renewal or new-items application filed by an information officer (A2, A7, A8)."""

    items = forms.ModelMultipleChoiceField(
        label="申请检定项目",
        queryset=VerificationItem.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个申请检定项目。"},
    )
    area = forms.CharField(label="检定区域", max_length=200, help_text="例如：新密市行政区域内")
    description = forms.CharField(label="申请说明", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, kind: str, certificate: Certificate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if certificate and kind == Application.Kind.NEW_ITEMS:
            held = certificate.certificate_items.values_list("item_id", flat=True)
            self.fields["items"].queryset = VerificationItem.objects.filter(is_active=True).exclude(pk__in=held)
        if certificate and not self.is_bound:
            self.initial.setdefault("area", certificate.area)
            if kind == Application.Kind.RENEWAL:
                self.initial.setdefault("items", list(certificate.certificate_items.values_list("item_id", flat=True)))


class MaterialForm(forms.Form):
    title = forms.CharField(label="材料名称", max_length=100)
    file = DocumentField(label="文件（PDF或图片）")


class PreparationForm(forms.ModelForm):
    """The four preparation conditions of S1 二(五) (A3)."""

    class Meta:
        model = Application
        fields = Application.PREPARATION_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in Application.PREPARATION_FIELDS}


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
