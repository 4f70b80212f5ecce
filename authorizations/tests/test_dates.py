import datetime as dt

import pytest

from authorizations.models import Certificate
from zzmetro.dates import add_months, add_years, beijing_today


@pytest.mark.parametrize(
    ("issued", "expires"),
    [
        (dt.date(2026, 1, 5), dt.date(2029, 1, 4)),
        (dt.date(2024, 2, 29), dt.date(2027, 2, 28)),
        (dt.date(2025, 3, 1), dt.date(2028, 2, 29)),
        (dt.date(2026, 12, 31), dt.date(2029, 12, 30)),
    ],
)
def test_certificate_is_valid_three_years_through_the_day_before_the_anniversary(issued, expires):
    """A6: expires_on = issued_on + 3 years − 1 day; 29 February counts its anniversary as 1 March."""
    assert Certificate.expiry_for(issued) == expires


def test_29_february_plus_years_lands_on_1_march():
    """A6: the anniversary of a leap day in a common year is 1 March."""
    assert add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 3, 1)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)


def test_months_back_clamp_to_the_end_of_a_shorter_month():
    """A7: six months before 31 August is the last day of February."""
    assert add_months(dt.date(2027, 8, 31), -6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 8, 31), -6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 7, 15), 6) == dt.date(2027, 1, 15)


def test_today_is_the_beijing_date_even_when_utc_is_still_yesterday(freeze):
    """T1: at 00:30 Beijing time on 4 December it is still 3 December in UTC; our today is the 4th."""
    freeze("2026-12-04 00:30:00+08:00")
    assert beijing_today() == dt.date(2026, 12, 4)
