"""Reporting periods and their deadlines, in Beijing calendar days (DOMAIN T1, T2, M2, M6, P1).

"By day D" means up to 23:59:59 Beijing time on D; a deadline on a weekend or holiday still stands (T2).
"""

import calendar
import datetime as dt

from django.conf import settings

from zzmetro.dates import add_months, beijing_date


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def month_end(period: dt.date) -> dt.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def previous_month(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), -1)


def monthly_due_on(period: dt.date) -> dt.date:
    """M2: the report for month M is due by the 3rd of month M+1."""
    return add_months(period.replace(day=1), 1).replace(day=settings.ZZ_POLICY["MONTHLY_REPORT_DUE_DAY"])


def plan_due_on(year: int) -> dt.date:
    """P1: next year's plan is due by 10 December of the year before."""
    return dt.date(year - 1, 12, settings.ZZ_POLICY["PLAN_DUE_DAY"])


def quarter_months(year: int, quarter: int) -> list[dt.date]:
    return [dt.date(year, 3 * (quarter - 1) + m, 1) for m in (1, 2, 3)]


def quarterly_due_on(year: int, quarter: int) -> dt.date:
    """M6: due with the report of the quarter's last month."""
    return monthly_due_on(quarter_months(year, quarter)[-1])


def days_late(moment: dt.datetime, due_on: dt.date) -> int:
    """Whole calendar days after the due day, counted on the Beijing date of `moment` (T1)."""
    return max(0, (beijing_date(moment) - due_on).days)


def month_label(period: dt.date) -> str:
    return f"{period.year}年{period.month}月"


FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_in_range(year: int) -> bool:
    """A year a URL may name; anything else is a 404, not a crash in date arithmetic."""
    return FIRST_YEAR <= year <= LAST_YEAR
