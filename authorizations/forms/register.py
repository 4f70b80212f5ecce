"""The public register's search form (DOMAIN A5)."""

from django import forms

from authorizations.models import District, VerificationItem


class RegisterSearchForm(forms.Form):
    q = forms.CharField(
        label="关键词", required=False, widget=forms.TextInput(attrs={"placeholder": "单位名称、证书编号或检定项目"})
    )
    district = forms.ChoiceField(label="县（市、区）", required=False, choices=[("", "全部")] + list(District.choices))
    item = forms.ModelChoiceField(
        label="检定项目", required=False, queryset=VerificationItem.objects.all(), empty_label="全部"
    )
