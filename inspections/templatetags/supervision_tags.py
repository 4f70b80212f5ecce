"""The supervision section of the compliance dashboard (I1, I5)."""

from django import template

from inspections.selectors import supervision as selectors
from zzmetro.dates import beijing_today

register = template.Library()


@register.inclusion_tag("supervision/_dashboard.html")
def supervision_summary():
    today = beijing_today()
    return {
        "today": today,
        "flag_day": selectors.inspection_flag_day(today.year),
        "without_inspection": selectors.stations_without_inspection(today.year, today=today),
        "flagged": today > selectors.inspection_flag_day(today.year),
        "rectifications_overdue": selectors.rectifications_overdue(today),
        "rectifications_awaiting_review": selectors.rectifications_awaiting_review(),
        "open_complaints": selectors.open_complaints(today),
    }
