"""Forms of a certificate's later life: the portal's termination report (DOMAIN A9) and the admin's suspension,
lifting, revocation and return steps (A10, A11)."""

from django import forms

from authorizations.forms.common import DATE_WIDGET, date_field


class TerminationForm(forms.Form):
    requested_end_on = forms.DateField(label="拟终止日期", widget=DATE_WIDGET, help_text="应在报告日期六个月之后")
    reason = forms.CharField(label="终止原因", widget=forms.Textarea(attrs={"rows": 4}))


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
