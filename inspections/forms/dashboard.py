"""The dashboard's filter bar: read from GET so every view can be bookmarked and sent."""

import datetime as dt
from html import escape

from django import forms
from django.utils.safestring import mark_safe

from authorizations.models import District
from inspections.selectors.dashboard_figures import Filters

FIRST_YEAR = 2016


class PlainSelect(forms.Select):
    """Django's select markup (forms/widgets/select.html, select_option.html, attrs.html) written in Python: the
    station choice's 300 options cost the template engine tens of milliseconds on every dashboard view."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escape(str(group_name))}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{escape(str(option['label']))}</option>\n"  # the option template's own last newline
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value above is escaped


def _attrs(attrs: dict) -> str:
    return "".join(
        f" {escape(str(name))}" if value is True else f' {escape(str(name))}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None, widget=PlainSelect)
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, required=False, empty_value=None, choices=[("", "全年")], widget=PlainSelect
    )
    month = forms.TypedChoiceField(label="月份", coerce=int, required=False, empty_value=None, widget=PlainSelect)
    district = forms.ChoiceField(label="县（市、区）", required=False, widget=PlainSelect)
    item = forms.TypedChoiceField(label="检定项目", coerce=int, required=False, empty_value=None, widget=PlainSelect)
    station = forms.TypedChoiceField(label="单位", coerce=int, required=False, empty_value=None, widget=PlainSelect)

    def __init__(self, data, *, today: dt.date, items, stations):
        super().__init__(data)
        self.today = today
        self.fields["year"].choices = [(y, f"{y}年") for y in range(today.year, FIRST_YEAR - 1, -1)]
        self.fields["quarter"].choices = [("", "全年"), *((q, f"第{q}季度") for q in range(1, 5))]
        self.fields["month"].choices = [("", "全部月份"), *((m, f"{m}月") for m in range(1, 13))]
        self.fields["district"].choices = [("", "全市"), *District.choices]
        self.fields["item"].choices = [("", "全部项目"), *((i.pk, f"{i.code} {i.name}") for i in items)]
        self.fields["station"].choices = [("", "全部单位"), *((s.pk, s.name) for s in stations)]

    def filters(self) -> Filters:
        """The valid filters; a value that is not on offer is dropped rather than refused (a stale bookmark)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        month = data.get("month")
        quarter = data.get("quarter") if not month else (month - 1) // 3 + 1
        return Filters(
            year=data.get("year") or self.today.year,
            quarter=quarter,
            month=month,
            district=data.get("district") or "",
            item=data.get("item"),
            station=data.get("station"),
        )
