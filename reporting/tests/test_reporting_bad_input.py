"""Hand-typed URLs and query strings get a 404 or are ignored, never a server error."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/portal/reporting/quarterly/99999/1/",
        "/portal/reporting/quarterly/2026/5/",
        "/portal/reporting/plans/1/edit/",
        "/portal/reporting/plans/1999/edit/",
    ],
)
def test_officer_pages_with_impossible_years_are_not_found(client, officer1, path):
    client.force_login(officer1)
    assert client.get(path).status_code == 404
    assert client.post(path, {}).status_code == 404


@pytest.mark.parametrize(
    "name,args",
    [
        ("reporting:export_year", [0]),
        ("reporting:export_year", [99999]),
        ("reporting:export_month", [99999, 1]),
        ("reporting:export_month", [2026, 13]),
    ],
)
def test_bureau_exports_with_impossible_periods_are_not_found(client, bureau, name, args):
    client.force_login(bureau)
    assert client.get(reverse(name, args=args)).status_code == 404


def test_a_nonsense_month_filter_in_the_admin_is_ignored(client, bureau):
    client.force_login(bureau)
    assert client.get(reverse("admin:reporting_monthlyreport_changelist"), {"month": "abc"}).status_code in (200, 302)
