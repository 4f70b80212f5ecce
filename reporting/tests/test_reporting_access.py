"""Who may reach plans and reports (DOMAIN Actors, P1, M2–M8): every URL of namespace "reporting" as every actor.

officer2 asking for officer1's plan, report, analysis or issue gets the same 404 as for one that does not exist.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting.models import AnnualPlan, MonthlyReport
from reporting.services import plans as plan_services
from reporting.services import reports as services
from zzmetro.testing import named_urls, pdf_bytes

from .factories import authorize, make_items, submit

pytestmark = pytest.mark.django_db
ACTORS = ("anonymous", "officer1", "officer2", "manager", "bureau")


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


def own_pages():
    return {
        "reporting:index": reverse("reporting:index"),
        "reporting:plan_edit": reverse("reporting:plan_edit", args=[2026]),
        "reporting:monthly_form": reverse("reporting:monthly_form", args=[2026, 9]),
        "reporting:monthly_template": reverse("reporting:monthly_template", args=[2026, 9]),
        "reporting:quarterly_period": reverse("reporting:quarterly_period", args=[2026, 2]),
        "reporting:major_issue_create": reverse("reporting:major_issue_create"),
    }


def object_pages(world):
    return {
        "reporting:plan_detail": reverse("reporting:plan_detail", args=[world["plan"].pk]),
        "reporting:monthly_detail": reverse("reporting:monthly_detail", args=[world["report"].pk]),
        "reporting:quarterly_detail": reverse("reporting:quarterly_detail", args=[world["analysis"].pk]),
        "reporting:quarterly_pdf": reverse("reporting:quarterly_pdf", args=[world["analysis"].pk]),
        "reporting:quarterly_stamped_file": reverse("reporting:quarterly_stamped_file", args=[world["analysis"].pk]),
        "reporting:major_issue_detail": reverse("reporting:major_issue_detail", args=[world["issue"].pk]),
    }


def object_posts(world):
    return {
        "reporting:plan_submit": reverse("reporting:plan_submit", args=[world["plan"].pk]),
        "reporting:plan_adjust": reverse("reporting:plan_adjust", args=[world["plan"].pk]),
        "reporting:quarterly_stamped": reverse("reporting:quarterly_stamped", args=[world["analysis"].pk]),
    }


def own_posts():
    return {"reporting:monthly_upload": reverse("reporting:monthly_upload", args=[2026, 9])}


def session_downloads():
    """Downloads of what the officer's own session holds: the last failed upload's error workbook."""
    return {"reporting:monthly_upload_errors": reverse("reporting:monthly_upload_errors", args=[2026, 9])}


def bureau_pages():
    return {
        "reporting:board": reverse("reporting:board"),
        "reporting:rates": reverse("reporting:rates"),
        "reporting:quarterly_board": reverse("reporting:quarterly_board"),
        "reporting:export_month": reverse("reporting:export_month", args=[2026, 10]),
        "reporting:export_year": reverse("reporting:export_year", args=[2026]),
    }


def test_every_reporting_url_is_in_this_access_walk(world):
    """A new URL in namespace "reporting" without an entry here fails this test."""
    covered = (
        set(own_pages()) | set(object_pages(world)) | set(object_posts(world)) | set(own_posts()) | set(bureau_pages())
    )
    covered |= set(session_downloads())
    assert named_urls(namespaces={"reporting"}) - covered == set()


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer1", 200), ("officer2", 200), ("manager", 403), ("bureau", 403)]
)
def test_portal_pages_open_to_officers_only(client, world, actor, expected):
    client = client_for(client, world, actor)
    for name, url in own_pages().items():
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer1", 200), ("officer2", 404), ("manager", 403), ("bureau", 403)]
)
def test_plans_and_reports_are_seen_only_by_their_own_officer(client, world, actor, expected):
    """Actors: officer2 reaches none of officer1's plans or reports (404, as for a missing object)."""
    client = client_for(client, world, actor)
    for name, url in object_pages(world).items():
        response = client.get(url)
        assert response.status_code == expected, name
        if expected == 302:
            assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer2", 404), ("manager", 403), ("bureau", 403)]
)
def test_nobody_else_can_change_an_officers_plan_or_analysis(client, world, actor, expected):
    client = client_for(client, world, actor)
    for name, url in object_posts(world).items():
        response = client.post(url, {"reason": "调整", "file": SimpleUploadedFile("x.pdf", pdf_bytes(2))})
        assert response.status_code == expected, name
    assert AnnualPlan.objects.count() == 1 and AnnualPlan.objects.get().status == "submitted"
    assert world["analysis"].stamped_file.name == type(world["analysis"]).objects.get().stamped_file.name


@pytest.mark.parametrize(("actor", "expected"), [("anonymous", 302), ("manager", 403), ("bureau", 403)])
def test_only_officers_can_upload_a_month(client, world, actor, expected):
    client = client_for(client, world, actor)
    for url in own_posts().values():
        assert client.post(url, {}).status_code == expected


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer2", 404), ("manager", 403), ("bureau", 403)]
)
def test_an_upload_error_workbook_is_only_for_the_officer_who_uploaded(client, world, actor, expected):
    """M2, G4: the workbook comes from the uploader's own session; officer2 finds none (404), others are refused."""
    officer1 = client_for(client.__class__(), world, "officer1")
    officer1.post(own_posts()["reporting:monthly_upload"], {"file": SimpleUploadedFile("m.xlsx", blank_template())})
    assert officer1.get(session_downloads()["reporting:monthly_upload_errors"]).status_code == 200
    client = client_for(client, world, actor)
    for url in session_downloads().values():
        assert client.get(url).status_code == expected


def blank_template() -> bytes:
    from authorizations.models import Station
    from reporting import documents
    from reporting.selectors.reports import month_authority

    station = Station.objects.get(officers__username="officer1")
    return documents.monthly_template(dt.date(2026, 9, 1), month_authority(station, dt.date(2026, 9, 1)).items)


def test_an_officer_uploads_only_for_their_own_station(client, world):
    """officer2's upload lands on station B whatever they try; station A's September stays unreported."""
    client = client_for(client, world, "officer2")
    client.post(own_posts()["reporting:monthly_upload"], {"file": SimpleUploadedFile("m.xlsx", b"not excel")})
    assert not MonthlyReport.objects.filter(
        station=world["users"]["officer1"].station, period=dt.date(2026, 9, 1)
    ).exists()


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer1", 403), ("officer2", 403), ("manager", 200), ("bureau", 200)]
)
def test_bureau_pages_are_for_bureau_staff_and_managers(client, world, actor, expected):
    client = client_for(client, world, actor)
    for name, url in bureau_pages().items():
        assert client.get(url).status_code == expected, name


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


def admin_urls(world):
    report, plan = world["report"], world["plan"]
    return {
        "read": [
            *(
                reverse(f"admin:reporting_{m}_changelist")
                for m in (
                    "annualplan",
                    "cityplanissuance",
                    "monthlyreport",
                    "quarterlyanalysis",
                    "majorissuereport",
                    "reminderlog",
                )
            ),
            reverse("admin:reporting_annualplan_change", args=[plan.pk]),
            reverse("admin:reporting_monthlyreport_change", args=[report.pk]),
            reverse("admin:reporting_quarterlyanalysis_change", args=[world["analysis"].pk]),
            reverse("admin:reporting_quarterlyanalysis_document", args=[world["analysis"].pk, "analysis"]),
            reverse("admin:reporting_quarterlyanalysis_document", args=[world["analysis"].pk, "stamped"]),
            reverse("admin:reporting_majorissuereport_change", args=[world["issue"].pk]),
        ],
        "change": [
            reverse("admin:reporting_monthlyreport_transition", args=[report.pk, "reopen"]),
            reverse("admin:reporting_annualplan_transition", args=[plan.pk, "return"]),
            reverse("admin:reporting_annualplan_transition", args=[plan.pk, "approve"]),
            reverse("admin:reporting_cityplanissuance_add"),
        ],
    }


@pytest.mark.parametrize(
    ("actor", "read", "change"),
    [("anonymous", 302, 302), ("officer1", 302, 302), ("manager", 200, 403), ("bureau", 200, 200)],
)
def test_reporting_admin_is_for_bureau_staff_and_read_only_for_managers(client, world, actor, read, change):
    """Actors: managers read plans and reports in the admin and can neither reopen, return, approve nor issue."""
    client = client_for(client, world, actor)
    urls = admin_urls(world)
    for url in urls["read"]:
        assert client.get(url).status_code == read, url
    for url in urls["change"]:
        assert client.get(url).status_code == change, url
    client.post(urls["change"][0], {"reason": "核实", "_confirmed": "确认退回修改"})
    world["report"].refresh_from_db()
    assert (world["report"].status == "reopened") == (actor == "bureau")


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
