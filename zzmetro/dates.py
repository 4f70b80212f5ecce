"""Calendar arithmetic in Beijing time (DOMAIN T1, A6)."""

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_now() -> dt.datetime:
    return timezone.now().astimezone(BEIJING)


def beijing_today() -> dt.date:
    """Today's calendar date in Beijing, whatever the server's clock zone."""
    return beijing_now().date()


def beijing_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BEIJING).date()


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day `years` later; 29 February counts its anniversary as 1 March (DOMAIN A6)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later (or earlier); a day the target month lacks becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))
