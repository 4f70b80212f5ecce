"""On-site inspections and rectification (DOMAIN I1)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from authorizations.tests.factories import CertificateFactory, StationFactory
from inspections.models import Inspection, InspectionFinding, Rectification
from inspections.selectors import supervision as selectors
from inspections.services import onsite
from zzmetro.errors import DomainError
from zzmetro.testing import pdf_bytes

pytestmark = pytest.mark.django_db
CONFORM = {a.value: ("conforms", "") for a in InspectionFinding.Area}


def planned(station=None):
    return onsite.inspection_plan(
        station=station or StationFactory(), by=None, planned_on=dt.date(2026, 6, 1), inspectors="刘、张"
    )


def test_inspection_records_a_finding_for_every_area_and_a_result(bureau):
    """I1: the five checked areas each get a finding; a pass needs no rectification."""
    inspection = onsite.inspection_record(
        inspection=planned(), by=bureau, held_on=dt.date(2026, 6, 2), findings=CONFORM, result="pass"
    )
    assert inspection.findings.count() == 5 and inspection.result == "pass"
    assert not Rectification.objects.exists()


def test_missing_area_is_named_and_nothing_is_recorded(bureau):
    """I1: every area is checked; the message names the one missing."""
    inspection = planned()
    partial = {k: v for k, v in CONFORM.items() if k != "records"}
    with pytest.raises(DomainError, match="检定记录、证书和质量记录的完整性、真实性"):
        onsite.inspection_record(
            inspection=inspection, by=bureau, held_on=dt.date(2026, 6, 2), findings=partial, result="pass"
        )
    inspection.refresh_from_db()
    assert inspection.held_on is None and not inspection.findings.exists()


def test_pass_is_refused_when_an_area_does_not_conform(bureau):
    findings = {**CONFORM, "traceability": ("nonconforms", "标准器超期未溯源")}
    with pytest.raises(DomainError, match="计量标准量值溯源和日常运行"):
        onsite.inspection_record(
            inspection=planned(), by=bureau, held_on=dt.date(2026, 6, 2), findings=findings, result="pass"
        )


def test_result_short_of_pass_issues_a_rectification_notice_with_a_deadline(
    bureau, mailoutbox, django_capture_on_commit_callbacks
):
    """I1, I8: rectification with deadline; the station is told by e-mail."""
    findings = {**CONFORM, "records": ("nonconforms", "原始记录缺签名")}
    with pytest.raises(DomainError, match="整改要求和整改期限"):
        onsite.inspection_record(
            inspection=planned(), by=bureau, held_on=dt.date(2026, 6, 2), findings=findings, result="rectify"
        )
    with django_capture_on_commit_callbacks(execute=True):
        inspection = onsite.inspection_record(
            inspection=planned(),
            by=bureau,
            held_on=dt.date(2026, 6, 2),
            findings=findings,
            result="rectify",
            requirements="补齐原始记录签名",
            deadline=dt.date(2026, 7, 2),
        )
    rectification = inspection.rectification
    assert rectification.number.startswith("郑质监量整〔2026〕") and rectification.deadline == dt.date(2026, 7, 2)
    assert len(mailoutbox) == 1 and "2026年07月02日" in mailoutbox[0].body


@pytest.fixture
def rectification(bureau):
    findings = {**CONFORM, "records": ("nonconforms", "原始记录缺签名")}
    inspection = onsite.inspection_record(
        inspection=planned(),
        by=bureau,
        held_on=dt.date(2026, 6, 2),
        findings=findings,
        result="rectify",
        requirements="补齐签名",
        deadline=dt.date(2026, 7, 2),
    )
    return inspection.rectification


def test_station_answers_with_evidence_and_staff_close(rectification, bureau):
    """I1: answer → close; the evidence is checked by content."""
    with pytest.raises(DomainError, match="不是PDF"):
        onsite.rectification_answer(
            rectification=rectification,
            by=None,
            answer="已补齐",
            evidence=SimpleUploadedFile("x.pdf", b"text"),
            answered_on=dt.date(2026, 6, 20),
        )
    with pytest.raises(DomainError, match="单位报送整改报告后才能关闭"):
        onsite.rectification_close(rectification=rectification, by=bureau, closed_on=dt.date(2026, 6, 21))
    onsite.rectification_answer(
        rectification=rectification,
        by=None,
        answer="已补齐",
        evidence=SimpleUploadedFile("x.pdf", pdf_bytes()),
        answered_on=dt.date(2026, 6, 20),
    )
    closed = onsite.rectification_close(
        rectification=rectification, by=bureau, closed_on=dt.date(2026, 6, 21), note="验收通过"
    )
    assert closed.status == Rectification.Status.CLOSED and closed.evidence.name.endswith(".pdf")


def test_rectification_past_its_deadline_is_flagged_until_closed_or_extended(rectification, bureau):
    """I1: overdue the day after the deadline; an extension moves the deadline with a reason."""
    assert list(selectors.rectifications_overdue(dt.date(2026, 7, 2))) == []
    assert list(selectors.rectifications_overdue(dt.date(2026, 7, 3))) == [rectification]
    with pytest.raises(DomainError, match="晚于原期限"):
        onsite.rectification_extend(rectification=rectification, by=bureau, deadline=dt.date(2026, 7, 1), note="x")
    onsite.rectification_extend(
        rectification=rectification, by=bureau, deadline=dt.date(2026, 8, 1), note="设备送检周期长"
    )
    assert list(selectors.rectifications_overdue(dt.date(2026, 7, 3))) == []
    rectification.refresh_from_db()
    assert rectification.extensions == 1


def test_station_without_an_inspection_by_30_november_is_flagged(bureau):
    """I1: flagged from 1 December; an inspection held by 30 November clears it; unauthorized stations are not expected."""
    lacking = CertificateFactory(issued_on=dt.date(2025, 1, 1)).station
    inspected = CertificateFactory(issued_on=dt.date(2025, 1, 1)).station
    StationFactory()  # never authorized
    onsite.inspection_record(
        inspection=planned(inspected), by=bureau, held_on=dt.date(2026, 11, 30), findings=CONFORM, result="pass"
    )
    assert list(selectors.inspection_flagged(2026, today=dt.date(2026, 11, 30))) == []
    assert list(selectors.inspection_flagged(2026, today=dt.date(2026, 12, 1))) == [lacking]
    assert list(selectors.stations_without_inspection(2026, today=dt.date(2026, 11, 29))) == sorted(
        [lacking, inspected], key=lambda s: s.name
    )
    assert list(selectors.stations_without_inspection(2026, today=dt.date(2026, 11, 30))) == [lacking]


def test_recorded_inspection_cannot_be_recorded_again(bureau):
    inspection = onsite.inspection_record(
        inspection=planned(), by=bureau, held_on=dt.date(2026, 6, 2), findings=CONFORM, result="pass"
    )
    with pytest.raises(DomainError, match="不能重复记录"):
        onsite.inspection_record(
            inspection=inspection, by=bureau, held_on=dt.date(2026, 6, 3), findings=CONFORM, result="pass"
        )
    assert Inspection.objects.get().held_on == dt.date(2026, 6, 2)
