"""The portal's go-live month (DOMAIN M8): months before it were reported on paper, never overdue."""

import datetime as dt

import pytest

from authorizations.authority import station_authority
from reporting.selectors.reports import (
    expected_station_ids,
    month_board,
    open_months,
    quarter_expected,
    reporting_rates,
)

from .factories import authorize

pytestmark = pytest.mark.django_db
MAY_2026 = dt.date(2026, 5, 1)


@pytest.fixture
def live_from_may(settings):
    settings.ZZ_POLICY = {**settings.ZZ_POLICY, "GO_LIVE": MAY_2026}


@pytest.fixture
def station(officer1, live_from_may):
    authorize(officer1.station, valid_from=dt.date(2024, 1, 1))
    return officer1.station


def test_station_authorized_since_2024_is_expected_online_from_the_go_live_month_only(station):
    """M8: authorized since 2024, portal live from May 2026 → April is not expected, May is (the boundary)."""
    assert station.pk not in expected_station_ids(dt.date(2026, 4, 1))
    assert station.pk in expected_station_ids(MAY_2026)
    assert station.pk not in expected_station_ids(dt.date(2025, 12, 1))


def test_months_before_go_live_are_not_overdue_and_not_in_the_rates(station):
    """M8: on 10 July 2026 the city on-time rate counts May and June only; January–April read 上线前纸质报送."""
    table = reporting_rates(2026, as_of=dt.date(2026, 7, 10), station_ids=[station.pk])
    row = table.stations[0]
    assert [row.months[m] for m in range(1, 5)] == ["not_online"] * 4
    assert row.months[5] == row.months[6] == "overdue"
    assert row.expected == 2 and table.city.expected == 2
    assert "上线前纸质报送" in dict(row.month_cells).values()
    assert "逾期未报" not in [label for key, label in row.month_cells[:4]]


def test_the_board_and_the_officers_months_leave_out_months_before_go_live(station, officer1):
    """M8: the bureau's month board for April is empty; the officer is asked for May and June, not April."""
    assert month_board(dt.date(2026, 4, 1), as_of=dt.date(2026, 7, 10)) == []
    assert [r.station.pk for r in month_board(MAY_2026, as_of=dt.date(2026, 7, 10))] == [station.pk]
    months = [m["period"] for m in open_months(officer1, as_of=dt.date(2026, 7, 10))]
    assert months == [dt.date(2026, 6, 1), MAY_2026]


def test_quarterly_analyses_are_asked_only_for_quarters_wholly_after_go_live(station):
    """M8, M6: Q2 2026 starts in April (before go-live) → not asked; Q3 2026 → asked."""
    authority = station_authority(station.pk, with_items=False)
    assert not quarter_expected(authority, 2026, 1)
    assert not quarter_expected(authority, 2026, 2)
    assert quarter_expected(authority, 2026, 3)


def test_go_live_on_a_quarter_boundary_asks_for_that_quarter(officer1, settings):
    """M8: portal live from July 2026 → Q3 2026 is wholly online and asked for."""
    settings.ZZ_POLICY = {**settings.ZZ_POLICY, "GO_LIVE": dt.date(2026, 7, 1)}
    authorize(officer1.station, valid_from=dt.date(2024, 1, 1))
    authority = station_authority(officer1.station.pk, with_items=False)
    assert not quarter_expected(authority, 2026, 2)
    assert quarter_expected(authority, 2026, 3)


def test_without_a_go_live_month_every_authorized_month_counts(officer1, settings):
    """M8: ZZ_GO_LIVE unset → behaviour as before, every authorized month expected."""
    settings.ZZ_POLICY = {**settings.ZZ_POLICY, "GO_LIVE": None}
    authorize(officer1.station, valid_from=dt.date(2024, 1, 1))
    assert officer1.station.pk in expected_station_ids(dt.date(2025, 1, 1))
