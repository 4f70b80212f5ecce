"""Supervision steps leave an append-only trail (A12 applied to I1–I8); staff actions stay staff-only."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse

from authorizations.tests.factories import StationFactory
from inspections.models import InspectionFinding, SamplingRatio, SupervisionEvent, SupervisionPlan
from inspections.services import cases, onsite
from zzmetro.testing import pdf_bytes

pytestmark = pytest.mark.django_db
CONFORM = {a.value: ("conforms", "") for a in InspectionFinding.Area}


@pytest.fixture
def rectification(bureau, officer1):
    inspection = onsite.inspection_plan(station=officer1.station, by=bureau, planned_on=dt.date(2026, 6, 1))
    findings = {**CONFORM, "records": ("nonconforms", "缺签名")}
    inspection = onsite.inspection_record(
        inspection=inspection,
        by=bureau,
        held_on=dt.date(2026, 6, 2),
        findings=findings,
        result="rectify",
        requirements="补签",
        deadline=dt.date(2026, 7, 2),
    )
    return inspection.rectification


def test_a_second_rectification_report_never_erases_the_first(rectification, officer1, bureau):
    """A12, I1: the station may report again after an extension; both reports stay on record."""
    onsite.rectification_answer(
        rectification=rectification, by=officer1, answer="第一次报告：已补签", answered_on=dt.date(2026, 6, 20)
    )
    onsite.rectification_extend(
        rectification=rectification, by=bureau, deadline=dt.date(2026, 8, 1), note="仍缺培训记录"
    )
    onsite.rectification_answer(
        rectification=rectification, by=officer1, answer="第二次报告：已培训", answered_on=dt.date(2026, 7, 20)
    )
    notes = list(
        SupervisionEvent.objects.filter(action_label="报送整改报告").order_by("at", "id").values_list("note", "by")
    )
    assert notes == [("第一次报告：已补签", officer1.pk), ("第二次报告：已培训", officer1.pk)]
    labels = list(SupervisionEvent.objects.order_by("at", "id").values_list("action_label", flat=True))
    assert labels == [
        "安排现场检查",
        "录入现场检查结果",
        "下达整改通知书",
        "报送整改报告",
        "延长整改期限",
        "报送整改报告",
    ]


def test_supervision_events_cannot_be_changed_even_in_sql(rectification):
    """A12: append-only in the ORM and in the database."""
    event = SupervisionEvent.objects.first()
    with pytest.raises(Exception, match="监督检查记录不可修改"):
        event.save()
    for statement in (
        "UPDATE inspections_supervisionevent SET note = 'x' WHERE id = %s",
        "DELETE FROM inspections_supervisionevent WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])


def test_closing_a_violation_keeps_the_note(bureau):
    """I8: the admin's closing note is stored with the case and its event."""
    violation = cases.violation_record(
        station=StationFactory(),
        by=bureau,
        kind="late_reports",
        found_on=dt.date(2026, 5, 1),
        description="迟报",
        action="correction_order",
        decided_on=dt.date(2026, 5, 2),
        deadline=dt.date(2026, 5, 20),
    )
    cases.violation_close(violation=violation, by=bureau, closed_on=dt.date(2026, 5, 18), note="已补报并整改")
    violation.refresh_from_db()
    assert violation.closing_note == "已补报并整改"
    assert SupervisionEvent.objects.filter(action_label="结案", note="已补报并整改").exists()


def test_managers_are_not_offered_the_ratio_and_draw_actions(client, manager, bureau):
    """Actors: managers read only — the admin actions that recompute ratios or draw samples are staff-only."""
    plan = SupervisionPlan.objects.create(year=2026, institution="郑州市计量科学研究院")
    url = reverse("admin:inspections_supervisionplan_changelist")
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "compute_ratios" not in page and "draw_samples" not in page
    client.post(url, {"action": "compute_ratios", "_selected_action": [plan.pk]})
    assert not SamplingRatio.objects.exists()
    client.force_login(bureau)
    assert "compute_ratios" in client.get(url).content.decode()


def test_uploaded_evidence_is_served_only_through_the_permission_checked_view(
    client, rectification, officer1, bureau, settings
):
    """Actors: files under MEDIA are not served as such; staff download them through the admin."""
    scan = pdf_bytes()
    onsite.rectification_answer(
        rectification=rectification,
        by=officer1,
        answer="已补签",
        evidence=SimpleUploadedFile("证明.pdf", scan),
        answered_on=dt.date(2026, 6, 20),
    )
    rectification.refresh_from_db()
    settings.DEBUG = True
    assert client.get(f"/media/{rectification.evidence.name}").status_code == 404
    url = reverse("admin:inspections_rectification_file", args=[rectification.pk, "evidence"])
    assert client.get(url).status_code == 302  # anonymous → admin login
    client.force_login(officer1)
    assert client.get(url).status_code == 302
    client.force_login(bureau)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == scan
    assert (
        client.get(reverse("admin:inspections_rectification_file", args=[rectification.pk, "answer"])).status_code
        == 404
    )
