"""Deadlines at their Beijing-time boundaries (DOMAIN T1, T2, M2, M8, P1)."""

import datetime as dt

import pytest

from reporting.models import MonthlyReport
from reporting.selectors.reports import expected_station_ids, reporting_rates
from reporting.services import plans as plan_services
from reporting.services.plans import PlanLineInput

from .factories import authorize, submit

pytestmark = pytest.mark.django_db
NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture
def station(officer1):
    authorize(officer1.station)
    return officer1.station


def test_november_report_submitted_at_2359_59_beijing_on_3_december_is_on_time(freeze, station, officer1):
    """M2, T1: "by the 3rd" means up to 23:59:59 Beijing time on 3 December."""
    freeze("2026-12-03 23:59:59+08:00")
    report = submit(station, NOVEMBER, by=officer1)
    assert report.late_days == 0 and report.timeliness == "按时"


def test_november_report_submitted_one_second_after_midnight_on_4_december_is_one_day_late(freeze, station, officer1):
    """M2, T1: 2026-12-04 00:00:01+08:00 is already the 4th in Beijing, though still the 3rd in UTC."""
    freeze("2026-12-04 00:00:01+08:00")
    report = submit(station, NOVEMBER, by=officer1)
    assert report.late_days == 1 and report.timeliness == "逾期1天"


def test_a_due_day_on_a_weekend_still_stands(freeze, station, officer1):
    """T2: 3 October 2026 is a Saturday in the National Day holiday; the 4th is late all the same."""
    freeze("2026-10-04 09:00:00+08:00")
    assert submit(station, dt.date(2026, 9, 1), by=officer1).late_days == 1


def _plan(station, officer):
    items = plan_services.plannable_items(station)
    return plan_services.plan_save(station=station, year=2027, lines=[PlanLineInput(items[0], 100)], by=officer)


def test_plan_submitted_at_2359_59_beijing_on_10_december_is_on_time(freeze, station, officer1):
    """P1, T1: next year's plan by 10 December, 23:59:59 Beijing time."""
    freeze("2026-12-10 23:59:59+08:00")
    plan = plan_services.plan_submit(plan=_plan(station, officer1), by=officer1)
    assert plan.late_days == 0 and plan.due_on == dt.date(2026, 12, 10)


def test_plan_submitted_one_second_after_midnight_on_11_december_is_one_day_late(freeze, station, officer1):
    """P1, T1."""
    freeze("2026-12-11 00:00:01+08:00")
    plan = plan_services.plan_submit(plan=_plan(station, officer1), by=officer1)
    assert plan.late_days == 1 and plan.is_late


def test_station_authorized_on_15_march_is_not_expected_for_january_or_february(freeze, officer1):
    """M8: expected counts only months in which the station was authorized; March is expected."""
    station = officer1.station
    authorize(station, valid_from=dt.date(2026, 3, 15))
    freeze("2026-05-10 12:00:00+08:00")
    assert station.pk not in expected_station_ids(dt.date(2026, 1, 1))
    assert station.pk not in expected_station_ids(dt.date(2026, 2, 1))
    assert station.pk in expected_station_ids(dt.date(2026, 3, 1))
    row = reporting_rates(2026, as_of=dt.date(2026, 5, 10), station_ids=[station.pk]).stations[0]
    assert row.months[1] == row.months[2] == "not_expected"
    assert row.months[3] == row.months[4] == "overdue"
    assert row.expected == 2  # March and April; May is not yet due


def test_station_authorized_on_15_march_cannot_report_february(freeze, officer1):
    """M5: a month with no authorization at all is refused outright."""
    from zzmetro.errors import DomainError

    authorize(officer1.station, valid_from=dt.date(2026, 3, 15))
    freeze("2026-04-01 10:00:00+08:00")
    with pytest.raises(DomainError, match="2026年2月未获计量授权"):
        submit(officer1.station, dt.date(2026, 2, 1), by=officer1, items=[])
    assert not MonthlyReport.objects.exists()


def test_a_month_cannot_be_reported_before_it_ends(freeze, station, officer1):
    from zzmetro.errors import DomainError

    freeze("2026-11-30 23:59:59+08:00")
    with pytest.raises(DomainError, match="尚未结束"):
        submit(station, NOVEMBER, by=officer1)
