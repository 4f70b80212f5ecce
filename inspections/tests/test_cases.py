"""Complaints, annual evaluation, integrity status and violations (DOMAIN I5–I8, A11, D1)."""

import datetime as dt

import pypdfium2 as pdfium
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from authorizations.models import Certificate, LifecycleEvent
from authorizations.tests.factories import CertificateFactory, StationFactory
from inspections import documents
from inspections.models import AnnualEvaluation, Complaint, IntegrityEvaluation, Violation
from inspections.services import cases, onsite
from zzmetro.errors import DomainError
from zzmetro.testing import pdf_bytes

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    return "".join(page.get_textpage().get_text_range() for page in document)


def test_recorded_complaint_notifies_bureau_staff_at_once(
    settings, mailoutbox, django_capture_on_commit_callbacks, freeze
):
    """I5: the station notifies the bureau when it receives a complaint."""
    freeze("2026-11-22 10:00:00+08:00")
    settings.BUREAU_EMAIL = ["jlc@zzmetro.local"]
    station = StationFactory(name="荥阳电能计量中心")
    with django_capture_on_commit_callbacks(execute=True):
        cases.complaint_file(
            station=station,
            by=None,
            received_on=dt.date(2026, 11, 20),
            complainant="王先生",
            subject="电表走快",
            description="怀疑电能表计量不准",
        )
    assert mailoutbox[0].to == ["jlc@zzmetro.local"]
    assert "荥阳电能计量中心" in mailoutbox[0].subject and "电表走快" in mailoutbox[0].body


def test_complaint_age_runs_until_the_written_result_is_filed(freeze):
    """I5: staff see open complaints and their age; closing needs the handling and a written result."""
    freeze("2026-11-22 10:00:00+08:00")
    complaint = cases.complaint_file(
        station=StationFactory(),
        by=None,
        received_on=dt.date(2026, 11, 2),
        complainant="李",
        subject="水表",
        description="x",
    )
    assert complaint.age_on(dt.date(2026, 11, 22)) == 20
    with pytest.raises(DomainError, match="书面处理结果"):
        cases.complaint_close(
            complaint=complaint, by=None, handling="已复检", result_file=None, closed_on=dt.date(2026, 11, 25)
        )
    cases.complaint_close(
        complaint=complaint,
        by=None,
        handling="已复检，合格",
        result_file=SimpleUploadedFile("r.pdf", pdf_bytes()),
        closed_on=dt.date(2026, 11, 25),
    )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.HANDLED and complaint.age_on(dt.date(2026, 12, 31)) == 23


def test_complaint_received_in_the_future_is_refused(freeze):
    freeze("2026-11-22 10:00:00+08:00")
    with pytest.raises(DomainError, match="不能晚于今天"):
        cases.complaint_file(
            station=StationFactory(),
            by=None,
            received_on=dt.date(2026, 11, 23),
            complainant="李",
            subject="x",
            description="x",
        )


def test_late_reports_lead_to_a_correction_order_with_a_deadline(bureau):
    """I8: late reports → correction order; a revocation is not a choice for it."""
    station = StationFactory()
    with pytest.raises(DomainError, match="责令改正"):
        cases.violation_record(
            station=station,
            by=bureau,
            kind="late_reports",
            found_on=dt.date(2026, 5, 5),
            description="3月报表未报",
            action="revocation",
            decided_on=dt.date(2026, 5, 6),
        )
    with pytest.raises(DomainError, match="期限"):
        cases.violation_record(
            station=station,
            by=bureau,
            kind="late_reports",
            found_on=dt.date(2026, 5, 5),
            description="3月报表未报",
            action="correction_order",
            decided_on=dt.date(2026, 5, 6),
        )
    violation = cases.violation_record(
        station=station,
        by=bureau,
        kind="late_reports",
        found_on=dt.date(2026, 5, 5),
        description="3月报表未报",
        action="correction_order",
        decided_on=dt.date(2026, 5, 6),
        deadline=dt.date(2026, 5, 20),
    )
    assert violation.notice_number.startswith("郑质监量改〔2026〕")
    text = pdf_text(documents.violation_notice_pdf(violation))
    assert "责令改正通知书" in text and "3月报表未报" in text and "2026年5月20日" in text


def test_revocation_from_the_register_runs_the_lifecycle_revocation(bureau):
    """I8, A11: still failing after rectification → revocation, with the certificate, event and 30-day return duty."""
    certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
    violation = cases.violation_record(
        station=certificate.station,
        by=bureau,
        kind="still_failing",
        found_on=dt.date(2026, 9, 1),
        description="整改期满复查仍不合格",
        action="revocation",
        decided_on=dt.date(2026, 9, 10),
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.return_due_on == dt.date(2026, 10, 10)
    assert violation.certificate == certificate and violation.notice_number == certificate.revocation_number
    assert LifecycleEvent.objects.filter(certificate=certificate, action="revoke").exists()
    with pytest.raises(ValueError, match="撤销计量授权决定书"):
        documents.violation_notice_pdf(violation)


def test_revocation_of_a_station_without_a_certificate_is_refused_and_nothing_is_saved(bureau):
    """I8: nothing half-saved."""
    with pytest.raises(DomainError, match="没有有效的计量授权证书"):
        cases.violation_record(
            station=StationFactory(),
            by=bureau,
            kind="forged_seals",
            found_on=dt.date(2026, 9, 1),
            description="倒卖强检标志",
            action="revocation",
            decided_on=dt.date(2026, 9, 2),
        )
    assert not Violation.objects.exists()


def test_failed_evaluation_produces_the_criticism_notice(bureau, freeze):
    """I6, D1: figures pre-filled from what the portal knows; a failure yields 通报批评 as a Chinese PDF."""
    freeze("2027-01-20 10:00:00+08:00")
    station = CertificateFactory(
        station=StationFactory(name="中牟县供电公司电能计量检测中心"), issued_on=dt.date(2025, 1, 1)
    ).station
    cases.complaint_file(
        station=station, by=None, received_on=dt.date(2026, 12, 1), complainant="张", subject="x", description="x"
    )
    evaluation = cases.evaluation_prepare(station=station, year=2026)
    assert evaluation.metrics["open_complaints"] == 1
    assert evaluation.metrics["inspection_result"] == "本年度尚无现场检查"
    with pytest.raises(DomainError, match="写明理由"):
        cases.evaluation_conclude(
            evaluation=evaluation, by=bureau, result="fail", note="", evaluated_on=dt.date(2027, 1, 20)
        )
    evaluation = cases.evaluation_conclude(
        evaluation=evaluation,
        by=bureau,
        result="fail",
        note="全年未接受现场检查，投诉未办结",
        evaluated_on=dt.date(2027, 1, 20),
    )
    assert evaluation.notice_number.startswith("郑质监量通〔2027〕")
    text = pdf_text(documents.criticism_notice_pdf(evaluation))
    assert "中牟县供电公司电能计量检测中心" in text and "通报批评" in text and "全年未接受现场检查" in text


def test_passed_evaluation_has_no_criticism_notice(bureau):
    evaluation = AnnualEvaluation.objects.create(station=StationFactory(), year=2026)
    cases.evaluation_conclude(
        evaluation=evaluation, by=bureau, result="pass", note="", evaluated_on=dt.date(2027, 1, 20)
    )
    with pytest.raises(ValueError, match="没有通报批评"):
        documents.criticism_notice_pdf(evaluation)


def test_integrity_status_keeps_its_evaluation_date():
    """I7: the latest evaluation is the station's current demonstration status."""
    station = StationFactory()
    cases.integrity_record(station=station, by=None, status="in_progress", evaluated_on=dt.date(2015, 6, 1))
    cases.integrity_record(station=station, by=None, status="demonstration", evaluated_on=dt.date(2015, 10, 20))
    latest = IntegrityEvaluation.objects.filter(station=station).first()
    assert (latest.get_status_display(), latest.evaluated_on) == ("诚信计量示范单位", dt.date(2015, 10, 20))


def test_rectification_notice_pdf_lists_the_findings_and_deadline(bureau):
    """I1, D1."""
    findings = {a: ("conforms", "") for a in ("traceability", "conformity", "records", "violations", "quality_system")}
    findings["records"] = ("nonconforms", "原始记录缺少核验人签名")
    inspection = onsite.inspection_plan(
        station=StationFactory(name="新密市供电公司计量中心"), by=bureau, planned_on=dt.date(2026, 6, 1)
    )
    inspection = onsite.inspection_record(
        inspection=inspection,
        by=bureau,
        held_on=dt.date(2026, 6, 2),
        findings=findings,
        result="rectify",
        requirements="补齐签名并培训",
        deadline=dt.date(2026, 7, 2),
    )
    text = pdf_text(documents.rectification_notice_pdf(inspection.rectification))
    for fragment in (
        "整改通知书",
        "新密市供电公司计量中心",
        "原始记录缺少核验人签名",
        "2026年7月2日",
        inspection.rectification.number,
    ):
        assert fragment in text
