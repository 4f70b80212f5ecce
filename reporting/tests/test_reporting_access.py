"""Who may reach plans and reports (DOMAIN Actors, P1, M2–M8): every URL of namespace "reporting" as every actor.

officer2 asking for officer1's plan, report, analysis or issue gets the same 404 as for one that does not exist.
The table is walked by zzmetro.access_walk.AccessWalk; the tests below it check what a status code cannot show.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting.models import MonthlyReport
from reporting.services import plans as plan_services
from reporting.services import reports as services
from zzmetro.access_walk import (
    ADMIN_READ,
    ADMIN_WRITE,
    LOGIN,
    OFFICER,
    OTHERS_REFUSED,
    OWN,
    READER,
    AccessWalk,
    Answers,
    Url,
)
from zzmetro.testing import pdf_bytes

from .factories import authorize, make_items, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(officer1, officer2, manager, bureau, freeze):
    """officer1's station has a submitted plan, an October report, a Q3 analysis with its stamped copy and an issue."""
    freeze("2026-11-10 10:00:00+08:00")
    authorize(officer1.station)
    authorize(officer2.station, items=make_items("SB", 1))
    a = officer1.station
    item = plan_services.plannable_items(a)[0]
    plan = plan_services.plan_submit(
        plan=plan_services.plan_save(station=a, year=2027, lines=[plan_services.PlanLineInput(item, 5)], by=officer1),
        by=officer1,
    )
    report = submit(a, dt.date(2026, 10, 1), by=officer1)
    analysis = services.quarterly_save_narrative(station=a, year=2026, quarter=3, narrative="说明", by=officer1)
    analysis = services.quarterly_upload_stamped(
        analysis=analysis, file=SimpleUploadedFile("s.pdf", pdf_bytes()), by=officer1
    )
    issue = services.major_issue_report(
        station=a, by=officer1, title="问题", occurred_on=dt.date(2026, 11, 1), description="说明"
    )
    users = {"officer1": officer1, "officer2": officer2, "manager": manager, "bureau": bureau}
    return {"users": users, "plan": plan, "report": report, "analysis": analysis, "issue": issue}


def client_for(client, world, actor):
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    return client


def pk(what):
    """kwargs naming station A's object `what` (the world's plan, report, analysis or issue)."""
    return lambda world: {"pk": world[what].pk}


def admin_pk(what, **more):
    """kwargs of the admin's change and transition pages of the world's object `what`."""
    return lambda world: {"object_id": world[what].pk, **more}


def stamped_upload(world):
    return {"reason": "调整", "file": SimpleUploadedFile("x.pdf", pdf_bytes(2))}


def upload_blank_template_as_officer1(world, client_of):
    """M2, G4: the error workbook lives in the uploader's own session; officer1's upload fails on a blank template."""
    template = SimpleUploadedFile("m.xlsx", blank_template())
    client_of("officer_a").post(reverse("reporting:monthly_upload", args=[2026, 9]), {"file": template})


MONTH = {"year": 2026, "month": 9}
# A form of the officer's own station: the public, managers and staff are refused (officers' writes: services' tests).
OWN_FORM_REFUSED = Answers(LOGIN, None, None, 403, 403)
REPORTING_MODELS = (
    "annualplan",
    "cityplanissuance",
    "monthlyreport",
    "quarterlyanalysis",
    "majorissuereport",
    "reminderlog",
)


class TestReportingAccess(AccessWalk):
    """DOMAIN Actors, P1, M2–M8: plans, reports, analyses and issues; bureau boards; the reporting admin."""

    namespaces = frozenset({"reporting"})
    urls = (
        # The officer's own station: pages and forms.
        Url("reporting:index", OFFICER),
        Url("reporting:plan_edit", OFFICER, post=OWN_FORM_REFUSED, kwargs={"year": 2026}),
        Url("reporting:monthly_form", OFFICER, post=OWN_FORM_REFUSED, kwargs=MONTH),
        Url("reporting:monthly_template", OFFICER, kwargs=MONTH),
        Url("reporting:quarterly_period", OFFICER, post=OWN_FORM_REFUSED, kwargs={"year": 2026, "quarter": 2}),
        Url("reporting:major_issue_create", OFFICER, post=OWN_FORM_REFUSED),
        Url("reporting:monthly_upload", post=OWN_FORM_REFUSED, kwargs=MONTH),
        # officer2 finds no workbook of officer1's session (404), the others are refused.
        Url("reporting:monthly_upload_errors", OWN, kwargs=MONTH, prepare=upload_blank_template_as_officer1),
        # Station A's objects: officer2 gets the 404 of a missing one.
        Url("reporting:plan_detail", OWN, kwargs=pk("plan")),
        Url("reporting:monthly_detail", OWN, kwargs=pk("report")),
        Url("reporting:quarterly_detail", OWN, kwargs=pk("analysis")),
        Url("reporting:quarterly_pdf", OWN, kwargs=pk("analysis")),
        Url("reporting:quarterly_stamped_file", OWN, kwargs=pk("analysis")),
        Url("reporting:major_issue_detail", OWN, kwargs=pk("issue")),
        Url("reporting:plan_submit", post=OTHERS_REFUSED, kwargs=pk("plan"), data=stamped_upload),
        Url("reporting:plan_adjust", post=OTHERS_REFUSED, kwargs=pk("plan"), data=stamped_upload),
        Url("reporting:quarterly_stamped", post=OTHERS_REFUSED, kwargs=pk("analysis"), data=stamped_upload),
        # Bureau staff and managers.
        Url("reporting:board", READER),
        Url("reporting:rates", READER),
        Url("reporting:quarterly_board", READER),
        Url("reporting:export_month", READER, kwargs={"year": 2026, "month": 10}),
        Url("reporting:export_year", READER, kwargs={"year": 2026}),
        # The admin: managers read plans and reports and can neither reopen, return, approve nor issue.
        *(Url(f"admin:reporting_{model}_changelist", ADMIN_READ) for model in REPORTING_MODELS),
        Url("admin:reporting_annualplan_change", ADMIN_READ, kwargs=admin_pk("plan")),
        Url("admin:reporting_monthlyreport_change", ADMIN_READ, kwargs=admin_pk("report")),
        Url("admin:reporting_quarterlyanalysis_change", ADMIN_READ, kwargs=admin_pk("analysis")),
        Url("admin:reporting_quarterlyanalysis_document", ADMIN_READ, kwargs=lambda w: a_document(w, "analysis")),
        Url("admin:reporting_quarterlyanalysis_document", ADMIN_READ, kwargs=lambda w: a_document(w, "stamped")),
        Url("admin:reporting_majorissuereport_change", ADMIN_READ, kwargs=admin_pk("issue")),
        Url(
            "admin:reporting_monthlyreport_transition",
            ADMIN_WRITE,
            post=ADMIN_WRITE.but(bureau=302),
            kwargs=admin_pk("report", name="reopen"),
            data=lambda w: {"reason": "核实", "_confirmed": "确认退回修改"},
        ),
        Url("admin:reporting_annualplan_transition", ADMIN_WRITE, kwargs=admin_pk("plan", name="return")),
        Url("admin:reporting_annualplan_transition", ADMIN_WRITE, kwargs=admin_pk("plan", name="approve")),
        Url("admin:reporting_cityplanissuance_add", ADMIN_WRITE, post=ADMIN_WRITE.but(bureau=None)),
    )


def a_document(world, kind):
    return {"pk": world["analysis"].pk, "kind": kind}


def test_an_upload_error_workbook_is_there_for_the_officer_who_uploaded(client, world):
    """M2, G4: after a failed upload its uploader downloads the workbook (the walk shows nobody else can)."""
    officer1 = client_for(client, world, "officer1")
    upload_blank_template_as_officer1(world, lambda actor: officer1)
    assert officer1.get(reverse("reporting:monthly_upload_errors", args=[2026, 9])).status_code == 200


def test_staff_reopen_a_report_that_managers_cannot(client, world):
    """Actors, M4: the walk shows the others' POST writes nothing; staff's POST reopens the report."""
    client = client_for(client, world, "bureau")
    url = reverse("admin:reporting_monthlyreport_transition", args=[world["report"].pk, "reopen"])
    client.post(url, {"reason": "核实", "_confirmed": "确认退回修改"})
    world["report"].refresh_from_db()
    assert world["report"].status == "reopened"


def blank_template() -> bytes:
    from authorizations.models import Station
    from reporting import documents
    from reporting.selectors.reports import month_authority

    station = Station.objects.get(officers__username="officer1")
    return documents.monthly_template(dt.date(2026, 9, 1), month_authority(station, dt.date(2026, 9, 1)).items)


def test_an_officer_uploads_only_for_their_own_station(client, world):
    """officer2's upload lands on station B whatever they try; station A's September stays unreported."""
    client = client_for(client, world, "officer2")
    client.post(
        reverse("reporting:monthly_upload", args=[2026, 9]), {"file": SimpleUploadedFile("m.xlsx", b"not excel")}
    )
    assert not MonthlyReport.objects.filter(
        station=world["users"]["officer1"].station, period=dt.date(2026, 9, 1)
    ).exists()


def test_officer_index_and_bureau_lists_keep_their_query_counts(client, world, django_assert_max_num_queries):
    """Lists assert query counts so N+1 cannot creep in."""
    client = client_for(client, world, "officer1")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("reporting:index")).status_code == 200
    client = client_for(client, world, "bureau")
    for name in ("reporting:board", "reporting:rates", "reporting:quarterly_board"):
        with django_assert_max_num_queries(10):
            assert client.get(reverse(name)).status_code == 200, name
    from django.template import Context, Template

    with django_assert_max_num_queries(4):  # the rates section this app adds to the dashboard
        assert "全市报送率" in Template("{% load reporting_tags %}{% reporting_rates_summary %}").render(Context())
    assert "全市报送率" in client.get(reverse("dashboard")).content.decode()


def test_issuance_documents_follow_the_same_rule(client, world, bureau, manager, officer1):
    from reporting.services.plans import city_plan_issue, plan_approve

    plan_approve(plan=world["plan"], by=bureau)
    issuance = city_plan_issue(year=2027, by=bureau)
    for actor, expected in (("officer1", 302), ("manager", 200), ("bureau", 200)):
        client.force_login(world["users"][actor])
        for kind in ("notice", "lines"):
            assert (
                client.get(reverse("admin:reporting_cityplanissuance_document", args=[issuance.pk, kind])).status_code
                == expected
            )
        assert (
            client.get(reverse("admin:reporting_cityplanissuance_change", args=[issuance.pk])).status_code == expected
        )
