from django import forms

from authorizations.models import Application, Certificate, District, VerificationItem
from zzmetro.uploads import DocumentField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


class TerminationForm(forms.Form):
    requested_end_on = forms.DateField(label="拟终止日期", widget=DATE_WIDGET, help_text="应在报告日期六个月之后")
    reason = forms.CharField(label="终止原因", widget=forms.Textarea(attrs={"rows": 4}))


class RegisterSearchForm(forms.Form):
    q = forms.CharField(
        label="关键词", required=False, widget=forms.TextInput(attrs={"placeholder": "单位名称、证书编号或检定项目"})
    )
    district = forms.ChoiceField(label="县（市、区）", required=False, choices=[("", "全部")] + list(District.choices))
    item = forms.ModelChoiceField(
        label="检定项目", required=False, queryset=VerificationItem.objects.all(), empty_label="全部"
    )
