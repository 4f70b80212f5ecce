"""The credit-code field: every path that takes a code (admin, portal, imports, the ORM) normalises it first (A1)."""

from django import forms
from django.db import models

from authorizations.validators import normalize_credit_code, validate_credit_code


class CreditCodeFormField(forms.CharField):
    def to_python(self, value):
        return normalize_credit_code(super().to_python(value))

    def widget_attrs(self, widget):
        # Spaces and full-width characters are typed before they are normalised: no maxlength=18 in the browser.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class CreditCodeField(models.CharField):
    """Unified social credit code (统一社会信用代码), stored normalised and checked per GB 32100."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("validators", [validate_credit_code])
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return None if value is None else normalize_credit_code(value)

    def get_prep_value(self, value):
        # Exact lookups too: filter(credit_code=" 91410100ma… ") finds the stored code.
        value = super().get_prep_value(value)
        return None if value is None else normalize_credit_code(value)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is not None:
            value = normalize_credit_code(value)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CreditCodeFormField, **kwargs})
