"""The bureau's workbench on the admin front page: each count equals the rows of the list it links to (issue 11)."""

import datetime as dt

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from authorizations.models import Application
from authorizations.tests.factories import ApplicationFactory, CertificateFactory
from inspections.models import Complaint, Inspection, Rectification
from reporting.models import AnnualPlan, ImportJob, MonthlyReport, QualityFlag
from zzmetro import workbench
from zzmetro.models import OutboxMessage

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
A = Application.Status

EXPECTED = [
    "authorizations.to_accept",
    "authorizations.to_assess",
    "authorizations.to_certify",
    "authorizations.renewals_due",
    "authorizations.returns_overdue",
    "reporting.plans_to_review",
    "reporting.reports_to_review",
    "reporting.reports_overdue",
    "reporting.quarterly_missing",
    "reporting.flags_to_follow_up",
    "reporting.failed_imports",
    "inspections.rectifications_to_check",
    "inspections.complaints_open_over_30_days",
    "inspections.licence_findings_to_confirm",
    "zzmetro.undelivered_mail",
]


@pytest.fixture
def waiting(freeze, settings):
    """At least one row that waits for every line, beside rows that do not (so a missing filter shows)."""
    settings.ZZ_POLICY = {**settings.ZZ_POLICY, "GO_LIVE": None}
    freeze(dt.datetime(2026, 11, 20, 10, 0))
    station = CertificateFactory(issued_on=dt.date(2024, 3, 1)).station  # expires 2027-02-28: renewal due
    CertificateFactory(issued_on=dt.date(2026, 1, 1))  # expires 2028: not due
    CertificateFactory(issued_on=dt.date(2025, 1, 1), status="revoked", revoked_on=dt.date(2026, 9, 1))
    CertificateFactory(issued_on=dt.date(2025, 1, 1), status="revoked", revoked_on=dt.date(2026, 11, 1))  # not yet
    for status in (A.SUBMITTED, A.SUBMITTED, A.ASSESSMENT_REQUESTED, A.ASSESSING, A.PASSED, A.REFUSED):
        ApplicationFactory(status=status)
    AnnualPlan.objects.create(station=station, year=2027, status=AnnualPlan.Status.SUBMITTED)
    AnnualPlan.objects.create(station=station, year=2026, status=AnnualPlan.Status.ISSUED)
    report = MonthlyReport.objects.create(
        station=station, period=dt.date(2026, 9, 1), due_on=dt.date(2026, 10, 3), status="submitted", flagged=True
    )
    MonthlyReport.objects.create(station=station, period=dt.date(2026, 8, 1), due_on=dt.date(2026, 9, 3))
    MonthlyReport.objects.create(station=station, period=dt.date(2026, 11, 1), due_on=dt.date(2026, 12, 3))
    for kind, status in (("archive", "open"), ("nil", "explained")):
        QualityFlag.objects.create(
            report=report, station=station, period=report.period, kind=kind, status=status, reported=0,
            reference=3, detail="档案中该月有检定记录",
        )  # fmt: skip
    ImportJob.objects.create(station=station, filename="a.xlsx", upload=b"", status=ImportJob.Status.FAILED)
    ImportJob.objects.create(station=station, filename="b.xlsx", upload=b"", status=ImportJob.Status.DONE)
    OutboxMessage.objects.create(subject="催报", body="…", to=["a@example.com"], status=OutboxMessage.Status.FAILED)
    OutboxMessage.objects.create(subject="催报", body="…", to=["a@example.com"], status=OutboxMessage.Status.SENT)
    for n, status in enumerate(("answered", "open")):
        inspection = Inspection.objects.create(station=station, planned_on=dt.date(2026, 6, 1), status="recorded")
        Rectification.objects.create(
            inspection=inspection, number=f"ZG-{n}", issued_on=dt.date(2026, 6, 2), requirements="整改",
            deadline=dt.date(2026, 7, 1), status=status,
        )  # fmt: skip
    for received_on in (dt.date(2026, 10, 1), dt.date(2026, 10, 21), dt.date(2026, 11, 10)):
        Complaint.objects.create(
            station=station, received_on=received_on, complainant="张三", subject="计量不准", description="…"
        )
    licence_finding()
    return station


def licence_finding():
    """One open finding of the special inspection (L3): a licence for a model with no pattern approval."""
    from inspections.services.licence_checks import run_checks
    from inspections.tests.test_licence_checks import grant, manufacturer

    grant(manufacturer(1), number="(豫)制00000001号", model="X9", approvals=[])
    run_checks(today=dt.date(2024, 12, 31))


def rows_listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    if resolve(url.split("?")[0]).url_name == "quarterly_board":
        return response.context["missing"]
    assert "e" not in response.wsgi_request.GET, f"{url}: the admin refused a filter"
    return response.context["cl"].result_count


def test_every_expected_line_is_registered():
    """Issue 11: the workbench lists what waits for the bureau, from every app."""
    assert set(EXPECTED) <= {e.key for e in workbench.entries()}


@pytest.mark.parametrize("key", EXPECTED)
def test_the_count_equals_the_rows_of_the_list_it_links_to(key, waiting, admin_client_bureau):
    """Issue 11 (A7, A11, P1, M2, M6, M8, Q4, I1): each count opens the filtered list of exactly those rows."""
    entry = next(e for e in workbench.entries() if e.key == key)
    try:
        url = entry.url()
    except NoReverseMatch:
        pytest.skip(f"{key}: its list is not in this admin, so the front page leaves the line out")
    count = entry.count()
    assert count > 0, f"{key}: the fixture leaves nothing waiting, so the test would prove nothing"
    assert rows_listed(admin_client_bureau, url) == count


def test_the_counts_leave_out_what_does_not_wait(waiting):
    """Issue 11: the rows beside the waiting ones are not counted (one of each)."""
    counts = {e.key: e.count() for e in workbench.entries()}
    assert counts["authorizations.to_accept"] == 2
    assert counts["authorizations.to_assess"] == 2
    assert counts["authorizations.returns_overdue"] == 1
    assert counts["reporting.reports_overdue"] == 1
    assert counts["reporting.flags_to_follow_up"] == 1
    assert counts["inspections.complaints_open_over_30_days"] == 1


@pytest.mark.parametrize("name", ["dashboard", "reporting:board", "reporting:rates", "reporting:quarterly_board"])
def test_the_dashboard_and_boards_link_back_to_the_admin(name, waiting, admin_client_bureau):
    """Issue 11: from each board staff return to the admin (and its workbench) in one click."""
    page = admin_client_bureau.get(reverse(name)).content.decode()
    assert f'href="{reverse("admin:index")}"' in page


def test_the_front_page_opens_with_the_workbench_for_bureau_staff(waiting, admin_client_bureau):
    """Issue 11: the admin index shows each line as a count that links to its list, and links the dashboard."""
    page = admin_client_bureau.get(reverse("admin:index")).content.decode()
    assert "待办事项" in page and "待核实的数据质量提示" in page
    flags = workbench.changelist("reporting.qualityflag", status__exact="open")
    assert f'href="{flags}"' in page.replace("&amp;", "&")
    assert f'href="{reverse("dashboard")}"' in page
    assert f'href="{reverse("reporting:board")}"' in page


def test_managers_see_the_boards_but_no_workbench(waiting, client, manager):
    """Actors: managers read and change nothing; the workbench is bureau staff's to-do list."""
    client.force_login(manager)
    page = client.get(reverse("admin:index")).content.decode()
    assert "待办事项" not in page
    assert f'href="{reverse("dashboard")}"' in page


def test_the_front_page_counts_in_one_query_per_line(waiting, admin_client_bureau, django_assert_max_num_queries):
    """Issue 11: the workbench costs one COUNT per line (and a few for the quarterly board), whatever the data."""
    admin_client_bureau.get(reverse("admin:index"))
    with django_assert_max_num_queries(len(workbench.entries()) + 12):
        admin_client_bureau.get(reverse("admin:index"))
