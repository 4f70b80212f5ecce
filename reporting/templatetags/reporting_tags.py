"""Template tags that put the reporting figures on pages owned by other apps (dashboard, DOMAIN M8)."""

from django import template

from reporting.selectors.reports import reporting_rates
from zzmetro.dates import beijing_today

register = template.Library()


@register.inclusion_tag("reporting/_dashboard_rates.html")
def reporting_rates_summary():
    """City-wide reporting and on-time rates, year to date and per month (four queries)."""
    today = beijing_today()
    return {"table": reporting_rates(today.year, as_of=today), "today": today}
