"""The dashboard's filter bar: read from GET so every view can be bookmarked and sent."""

import datetime as dt

from django import forms

from authorizations.models import District
from inspections.selectors.dashboard import Filters

FIRST_YEAR = 2016


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, required=False, empty_value=None, choices=[("", "全年")])
    month = forms.TypedChoiceField(label="月份", coerce=int, required=False, empty_value=None)
    district = forms.ChoiceField(label="县（市、区）", required=False)
    item = forms.TypedChoiceField(label="检定项目", coerce=int, required=False, empty_value=None)
    station = forms.TypedChoiceField(label="单位", coerce=int, required=False, empty_value=None)

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
