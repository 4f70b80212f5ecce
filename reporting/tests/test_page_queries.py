"""Report pages take the same number of queries for 3 rows as for 30 (issue 12).

Each page is loaded with 3 and with 30 rows under it (stations on a list, items on a form); the bound is the same
for both, so an N+1 fails the 30-row run.
"""

import datetime as dt

import pytest
from django.urls import reverse

from authorizations.tests.factories import StationFactory, UserFactory
from reporting.services import reports as services

from .factories import authorize, make_items, submit

pytestmark = pytest.mark.django_db
ROWS = (3, 30)
SEPTEMBER, OCTOBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1)


def stations_with_reports(rows: int) -> list:
    """`rows` authorized stations, each with an officer; half reported September, the rest are overdue."""
    stations = []
    for n in range(rows):
        station = StationFactory()
        officer = UserFactory(station=station)
        authorize(station, items=make_items(f"S{n}x", 2))
        if n % 2 == 0:
            submit(station, SEPTEMBER, by=officer)
        stations.append(station)
    services.reports_open_month(SEPTEMBER)
    return stations


def warm(client, url: str) -> None:
    # A session's first page records its start for the idle timeout (G1): not part of the page's own cost.
    client.get(url)


@pytest.mark.parametrize("rows", ROWS)
def test_admin_monthly_report_list_queries_do_not_grow_with_reports(
    rows, admin_client_bureau, freeze, django_assert_max_num_queries
):
    """M2, M4: the list shows each report's station, status and timeliness in a fixed number of queries."""
    freeze("2026-10-05 10:00:00+08:00")
    stations = stations_with_reports(rows)
    url = reverse("admin:reporting_monthlyreport_changelist")
    warm(admin_client_bureau, reverse("admin:index"))
    with django_assert_max_num_queries(6):
        page = admin_client_bureau.get(url)
    assert page.status_code == 200
    assert stations[-1].name in page.content.decode() and "逾期未报" in page.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_portal_monthly_form_queries_do_not_grow_with_authorized_items(
    rows, client, officer1, freeze, django_assert_max_num_queries
):
    """M2: one line per authorized item, with last month's figures alongside, in a fixed number of queries."""
    freeze("2026-11-02 10:00:00+08:00")
    items = make_items("QF", rows)
    authorize(officer1.station, items=items)
    submit(officer1.station, SEPTEMBER, by=officer1)
    client.force_login(officer1)
    warm(client, reverse("reporting:index"))
    # The first visit renders the page (then it is kept): the change journal is read once before rendering.
    with django_assert_max_num_queries(17):
        page = client.get(reverse("reporting:monthly_form", args=[2026, 10]))
    assert page.status_code == 200
    assert page.content.decode().count('name="verified_') == rows  # one line of inputs per item


@pytest.mark.parametrize("rows", ROWS)
def test_rates_table_queries_do_not_grow_with_stations(rows, client, bureau, freeze, django_assert_max_num_queries):
    """M8: reporting and on-time rates per station and month in a fixed number of queries."""
    freeze("2026-10-05 10:00:00+08:00")
    stations = stations_with_reports(rows)
    client.force_login(bureau)
    warm(client, reverse("reporting:index"))
    with django_assert_max_num_queries(7):
        page = client.get(reverse("reporting:rates"))
    assert page.status_code == 200
    assert stations[-1].name in page.content.decode()
