"""Who may see supervision pages (DOMAIN Actors, I2): officers only their own station, samples only once notified."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections.models import AnnualEvaluation, InspectionFinding, SampleDraw, SamplingRatio
from inspections.services import cases, onsite, sampling
from zzmetro.testing import named_urls, pdf_bytes

from .factories import default_policies, make_verifications, supervision_plan

pytestmark = pytest.mark.django_db
CONFORM = {a.value: ("conforms", "") for a in InspectionFinding.Area}


@pytest.fixture
def world(officer1, officer2, manager, bureau):
    default_policies()
    station = officer1.station
    inspection = onsite.inspection_plan(station=station, by=bureau, planned_on=dt.date(2026, 6, 1))
    findings = {**CONFORM, "records": ("nonconforms", "缺签名")}
    onsite.inspection_record(
        inspection=inspection,
        by=bureau,
        held_on=dt.date(2026, 6, 2),
        findings=findings,
        result="rectify",
        requirements="补签",
        deadline=dt.date(2026, 7, 1),
    )
    complaint = cases.complaint_file(
        station=station, by=officer1, received_on=dt.date(2026, 6, 1), complainant="王", subject="电表", description="x"
    )
    make_verifications(station, year=2026, count=30)
    SamplingRatio.objects.create(year=2026, station=station, ratio_percent=10, policy="t", plan_total=30, sample_size=3)
    draw = sampling.sample_draw(plan=supervision_plan(2026), station=station, by=bureau, seed=1)
    evaluation = AnnualEvaluation.objects.create(
        station=station,
        year=2026,
        result="fail",
        note="差",
        evaluated_on=dt.date(2027, 1, 5),
        notice_number="郑质监量通〔2027〕1号",
    )
    violation = cases.violation_record(
        station=station,
        by=bureau,
        kind="late_reports",
        found_on=dt.date(2026, 5, 1),
        description="迟报",
        action="correction_order",
        decided_on=dt.date(2026, 5, 2),
        deadline=dt.date(2026, 5, 20),
    )
    return {
        "users": {"officer1": officer1, "officer2": officer2, "manager": manager, "bureau": bureau},
        "rectification": inspection.rectification,
        "complaint": complaint,
        "draw": draw,
        "evaluation": evaluation,
        "violation": violation,
    }


def urls(world):
    return {
        "supervision:rectification_detail": reverse(
            "supervision:rectification_detail", args=[world["rectification"].pk]
        ),
        "supervision:rectification_document": reverse(
            "supervision:rectification_document", args=[world["rectification"].pk]
        ),
        "supervision:draw_detail": reverse("supervision:draw_detail", args=[world["draw"].pk]),
        "supervision:complaint_detail": reverse("supervision:complaint_detail", args=[world["complaint"].pk]),
        "supervision:evaluation_document": reverse("supervision:evaluation_document", args=[world["evaluation"].pk]),
        "supervision:violation_document": reverse("supervision:violation_document", args=[world["violation"].pk]),
    }


def login(client, world, actor):
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    return client


def notify(world):
    SampleDraw.objects.filter(pk=world["draw"].pk).update(notified_on=dt.date(2026, 12, 1))


def test_every_supervision_page_is_in_this_access_walk(world):
    covered = set(urls(world)) | {"supervision:index", "supervision:complaint_create"}
    assert named_urls(namespaces={"supervision"}) == covered


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer1", 200), ("officer2", 404), ("manager", 403), ("bureau", 403)]
)
def test_station_supervision_objects_are_seen_only_by_their_own_officer(client, world, actor, expected):
    """Actors: officer2 gets 404 for officer1's rectification, sample, complaint and notices."""
    notify(world)
    client = login(client, world, actor)
    for name, url in urls(world).items():
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer1", 200), ("officer2", 200), ("manager", 403), ("bureau", 403)]
)
def test_supervision_home_and_complaint_form_are_for_officers(client, world, actor, expected):
    client = login(client, world, actor)
    for name in ("supervision:index", "supervision:complaint_create"):
        assert client.get(reverse(name)).status_code == expected, name


def test_sample_is_hidden_from_the_station_until_notified(client, world):
    """I2: before notification the draw is a 404 for its own station too, and absent from its list."""
    client = login(client, world, "officer1")
    assert client.get(urls(world)["supervision:draw_detail"]).status_code == 404
    notify(world)
    assert client.get(urls(world)["supervision:draw_detail"]).status_code == 200


def test_officer2_cannot_answer_officer1s_rectification(client, world):
    client = login(client, world, "officer2")
    response = client.post(urls(world)["supervision:rectification_detail"], {"answer": "冒名整改"})
    assert response.status_code == 404
    world["rectification"].refresh_from_db()
    assert world["rectification"].answer == ""


def test_officer2_cannot_close_officer1s_complaint(client, world):
    client = login(client, world, "officer2")
    upload = SimpleUploadedFile("r.pdf", pdf_bytes())
    assert (
        client.post(
            urls(world)["supervision:complaint_detail"],
            {"handling": "x", "result_file": upload, "closed_on": "2026-06-10"},
        ).status_code
        == 404
    )
    world["complaint"].refresh_from_db()
    assert world["complaint"].status == "open"


def admin_urls(world):
    draw, rect = world["draw"], world["rectification"]
    return [
        *(
            reverse(f"admin:inspections_{m}_changelist")
            for m in (
                "inspection",
                "rectification",
                "complaint",
                "annualevaluation",
                "integrityevaluation",
                "violation",
                "samplingpolicy",
                "supervisionplan",
                "samplingratio",
                "sampledraw",
            )
        ),
        reverse("admin:inspections_rectification_change", args=[rect.pk]),
        reverse("admin:inspections_rectification_document", args=[rect.pk]),
        reverse("admin:inspections_sampledraw_change", args=[draw.pk]),
        reverse("admin:inspections_sampledraw_export", args=[draw.pk]),
        reverse("admin:inspections_annualevaluation_document", args=[world["evaluation"].pk]),
        reverse("admin:inspections_violation_document", args=[world["violation"].pk]),
    ]


@pytest.mark.parametrize(
    ("actor", "read", "change"),
    [("anonymous", 302, 302), ("officer1", 302, 302), ("manager", 200, 403), ("bureau", 200, 200)],
)
def test_supervision_admin_is_for_bureau_staff_and_read_only_for_managers(client, world, actor, read, change):
    """Actors: managers read the supervision registers; only staff record results or close rectifications."""
    client = login(client, world, actor)
    for url in admin_urls(world):
        assert client.get(url).status_code == read, url
    for url in (
        reverse("admin:inspections_sampledraw_results", args=[world["draw"].pk]),
        reverse("admin:inspections_violation_add"),
        reverse("admin:inspections_annualevaluation_prepare"),
    ):
        assert client.get(url).status_code == change, url
