"""Form pieces every app reuses: the date widget of the portal, the admin's date field, note and reason forms."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget

from zzmetro.dates import beijing_today

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    """A date on an admin lifecycle form, today (Beijing) by default."""
    return forms.DateField(
        label=label, required=required, widget=AdminDateWidget, initial=beijing_today, help_text=help_text
    )


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 4}))


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))
