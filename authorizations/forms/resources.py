"""Forms of the station's resource pages (DOMAIN R1)."""

from django import forms

from authorizations.forms.common import DATE_WIDGET
from authorizations.models import MeasurementStandard, Personnel, VerificationItem


class _ItemsMixin:
    def _items_field(self):
        field = self.fields["items"]
        field.queryset = VerificationItem.objects.filter(is_active=True)
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        field.error_messages["required"] = "请至少选择一个检定项目。"


class StandardForm(_ItemsMixin, forms.ModelForm):
    class Meta:
        model = MeasurementStandard
        fields = (
            "name",
            "certificate_number",
            "issued_on",
            "valid_until",
            "filing_status",
            "filing_number",
            "items",
            "notes",
        )
        widgets = {"issued_on": DATE_WIDGET, "valid_until": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._items_field()


class PersonForm(_ItemsMixin, forms.ModelForm):
    class Meta:
        model = Personnel
        fields = ("name", "certificate_type", "certificate_number", "valid_until", "items")
        widgets = {"valid_until": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._items_field()
