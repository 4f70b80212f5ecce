"""The admin inspection list takes the same number of queries for 3 inspections as for 30 (issue 12)."""

import datetime as dt

import pytest
from django.urls import reverse

from authorizations.tests.factories import StationFactory
from inspections.models import Inspection, InspectionFinding
from inspections.services import onsite

pytestmark = pytest.mark.django_db


def inspections(rows: int) -> list[Inspection]:
    """`rows` planned inspections; every other one recorded as failed, which issues its rectification."""
    planned = []
    for n in range(rows):
        inspection = onsite.inspection_plan(
            station=StationFactory(), by=None, planned_on=dt.date(2026, 3, 1), inspectors="李检查"
        )
        if n % 2 == 0:
            onsite.inspection_record(
                inspection=inspection,
                by=None,
                held_on=dt.date(2026, 3, 2),
                result=Inspection.Result.FAIL,
                findings={a.value: (InspectionFinding.Result.NONCONFORMS, "不符合") for a in InspectionFinding.Area},
                summary="需整改",
                requirements="限期整改",
                deadline=dt.date(2026, 4, 2),
            )
        planned.append(inspection)
    return planned


@pytest.mark.parametrize("rows", (3, 30))
def test_admin_inspection_list_queries_do_not_grow_with_inspections(
    rows, admin_client_bureau, freeze, django_assert_max_num_queries
):
    """I1: the list shows each inspection's station, result and rectification in a fixed number of queries."""
    freeze("2026-03-10 10:00:00+08:00")
    planned = inspections(rows)
    admin_client_bureau.get(reverse("admin:index"))  # the session's first page records its start (G1)
    with django_assert_max_num_queries(8):
        page = admin_client_bureau.get(reverse("admin:inspections_inspection_changelist"))
    assert page.status_code == 200
    assert planned[-1].station.name in page.content.decode()
