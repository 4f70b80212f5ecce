"""Who may see supervision pages (DOMAIN Actors, I2): officers only their own station, samples only once notified.

The table is walked by zzmetro.access_walk.AccessWalk: officer2 gets the same 404 for officer1's rectification,
sample, complaint and notices as for ones that do not exist, and can neither answer the rectification nor close
the complaint; managers read the supervision admin and change nothing.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections.models import AnnualEvaluation, InspectionFinding, SampleDraw, SamplingRatio
from inspections.services import cases, onsite, sampling
from zzmetro.access_walk import (
    ADMIN_READ,
    ADMIN_WRITE,
    LOGIN,
    OFFICER,
    OTHERS_REFUSED,
    OWN,
    AccessWalk,
    Answers,
    Url,
)
from zzmetro.testing import pdf_bytes

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


def pk(what):
    """kwargs naming station A's `what` (its rectification, sample draw, complaint, evaluation or violation)."""
    return lambda world: {"pk": world[what].pk}


def notify(world, client_of=None):
    """I2: the station sees its sample only once it has been notified."""
    SampleDraw.objects.filter(pk=world["draw"].pk).update(notified_on=dt.date(2026, 12, 1))


def close_complaint(world):
    return {"handling": "x", "result_file": SimpleUploadedFile("r.pdf", pdf_bytes()), "closed_on": "2026-06-10"}


SUPERVISION_MODELS = (
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


class TestSupervisionAccess(AccessWalk):
    """DOMAIN Actors, I1, I2, I5, I6, I8: station A's supervision pages; the supervision admin is bureau staff's."""

    namespaces = frozenset({"supervision"})
    urls = (
        Url("supervision:index", OFFICER),
        Url("supervision:complaint_create", OFFICER, post=Answers(LOGIN, None, None, 403, 403)),
        Url(
            "supervision:rectification_detail",
            OWN,
            post=OTHERS_REFUSED,
            kwargs=pk("rectification"),
            data=lambda w: {"answer": "冒名整改"},
        ),
        Url("supervision:rectification_document", OWN, kwargs=pk("rectification")),
        Url("supervision:draw_detail", OWN, kwargs=pk("draw"), prepare=notify),
        Url("supervision:complaint_detail", OWN, post=OTHERS_REFUSED, kwargs=pk("complaint"), data=close_complaint),
        Url("supervision:evaluation_document", OWN, kwargs=pk("evaluation")),
        Url("supervision:violation_document", OWN, kwargs=pk("violation")),
        # The admin: managers read the registers; only staff record results or close rectifications.
        *(Url(f"admin:inspections_{model}_changelist", ADMIN_READ) for model in SUPERVISION_MODELS),
        Url(
            "admin:inspections_rectification_change", ADMIN_READ, kwargs=lambda w: {"object_id": w["rectification"].pk}
        ),
        Url("admin:inspections_rectification_document", ADMIN_READ, kwargs=pk("rectification")),
        Url("admin:inspections_sampledraw_change", ADMIN_READ, kwargs=lambda w: {"object_id": w["draw"].pk}),
        Url("admin:inspections_sampledraw_export", ADMIN_READ, kwargs=pk("draw")),
        Url("admin:inspections_annualevaluation_document", ADMIN_READ, kwargs=pk("evaluation")),
        Url("admin:inspections_violation_document", ADMIN_READ, kwargs=pk("violation")),
        Url("admin:inspections_sampledraw_results", ADMIN_WRITE, post=ADMIN_WRITE.but(bureau=None), kwargs=pk("draw")),
        Url("admin:inspections_violation_add", ADMIN_WRITE, post=ADMIN_WRITE.but(bureau=None)),
        Url("admin:inspections_annualevaluation_prepare", ADMIN_WRITE, post=ADMIN_WRITE.but(bureau=None)),
    )


def login(client, world, actor):
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    return client


def test_sample_is_hidden_from_the_station_until_notified(client, world):
    """I2: before notification the draw is a 404 for its own station too, and absent from its list."""
    client = login(client, world, "officer1")
    assert client.get(reverse("supervision:draw_detail", args=[world["draw"].pk])).status_code == 404
    notify(world)
    assert client.get(reverse("supervision:draw_detail", args=[world["draw"].pk])).status_code == 200
