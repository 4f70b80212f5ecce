"""On-site inspections and rectification notices (DOMAIN I1, I8)."""

import datetime as dt
import os

from django.core.exceptions import ValidationError
from django.db import transaction

from authorizations.models import Station
from authorizations.services.common import next_number, notify_station
from inspections.models import Inspection, InspectionFinding, Rectification
from inspections.services.events import record
from zzmetro.errors import DomainError
from zzmetro.uploads import validate_document

R = Rectification.Status


@transaction.atomic
def inspection_plan(*, station: Station, by, planned_on: dt.date, inspectors: str = "") -> Inspection:
    """I1: bureau staff schedule an on-site inspection; the plan itself is a step of the station's trail (A12)."""
    inspection = Inspection.objects.create(
        station=station, planned_on=planned_on, inspectors=inspectors.strip(), recorded_by=by
    )
    record(
        station,
        subject=f"{planned_on:%Y-%m-%d}现场检查",
        label="安排现场检查",
        by=by,
        after="待检查",
        note=inspection.inspectors,
    )
    return inspection


@transaction.atomic
def inspection_record(
    *,
    inspection: Inspection,
    by,
    held_on: dt.date,
    findings: dict[str, tuple[str, str]],
    result: str,
    summary: str = "",
    inspectors: str = "",
    requirements: str = "",
    deadline: dt.date | None = None,
) -> Inspection:
    """I1: a finding per checked area and an overall result; a result short of a pass issues a rectification notice."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.is_recorded:
        raise DomainError("该次现场检查已经记录，不能重复记录。")
    missing = [a.label for a in InspectionFinding.Area if a.value not in findings]
    if missing:
        raise DomainError(f"以下检查内容尚无结果：{'、'.join(missing)}。")
    failing = [
        InspectionFinding.Area(a).label for a, (r, _) in findings.items() if r == InspectionFinding.Result.NONCONFORMS
    ]
    if result == Inspection.Result.PASS and failing:
        raise DomainError(f"“{'、'.join(failing)}”不符合，检查结论不能为合格。", field="result")
    needs_notice = result != Inspection.Result.PASS
    if needs_notice and (not requirements.strip() or deadline is None):
        raise DomainError("检查结论为限期整改或不合格时，必须填写整改要求和整改期限。", field="deadline")
    if needs_notice and deadline <= held_on:
        raise DomainError("整改期限应晚于检查日期。", field="deadline")
    InspectionFinding.objects.bulk_create(
        InspectionFinding(inspection=inspection, area=a, result=r, note=n) for a, (r, n) in findings.items()
    )
    inspection.held_on, inspection.result, inspection.summary = held_on, result, summary.strip()
    inspection.inspectors = inspectors.strip() or inspection.inspectors
    inspection.recorded_by = by
    inspection.save()
    record(
        inspection.station,
        subject=f"{held_on:%Y-%m-%d}现场检查",
        label="录入现场检查结果",
        by=by,
        after=inspection.get_result_display(),
        note=inspection.summary,
    )
    if needs_notice:
        _issue_rectification(inspection, requirements=requirements.strip(), deadline=deadline, issued_on=held_on, by=by)
    return inspection


def _issue_rectification(
    inspection: Inspection, *, requirements: str, deadline: dt.date, issued_on: dt.date, by
) -> Rectification:
    number = f"郑质监量整〔{issued_on.year}〕{next_number('rectification', issued_on.year)}号"
    rectification = Rectification.objects.create(
        inspection=inspection, number=number, issued_on=issued_on, requirements=requirements, deadline=deadline
    )
    record(
        inspection.station,
        subject=f"整改通知书 {number}",
        label="下达整改通知书",
        by=by,
        after=rectification.get_status_display(),
        note=f"整改期限 {deadline:%Y-%m-%d}：{requirements}",
    )
    notify_station(
        inspection.station,
        subject=f"整改通知书 {number}",
        body=f"根据{issued_on:%Y年%m月%d日}现场检查结果，请于{deadline:%Y年%m月%d日}前完成整改，并在平台报送整改报告。整改要求：{requirements}",
    )
    return rectification


@transaction.atomic
def rectification_answer(
    *, rectification: Rectification, by, answer: str, evidence=None, answered_on: dt.date
) -> Rectification:
    """The station files its rectification report with evidence (I1)."""
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rectification.status == R.CLOSED:
        raise DomainError("整改通知已关闭，不能再报送。")
    if not answer.strip():
        raise DomainError("请填写整改报告。", field="answer")
    if evidence is not None:
        try:
            extension = validate_document(evidence)
        except ValidationError as error:
            raise DomainError(error.messages[0], field="evidence") from error
        evidence.name = f"{os.path.splitext(os.path.basename(evidence.name))[0][:60] or 'evidence'}{extension}"
        rectification.evidence = evidence
    before = rectification.get_status_display()
    rectification.answer, rectification.answered_on, rectification.status = answer.strip(), answered_on, R.ANSWERED
    rectification.save()
    # The event keeps every report in full, so a later answer never erases an earlier one.
    evidence_note = f"（证明材料：{rectification.evidence.name.rsplit('/', 1)[-1]}）" if rectification.evidence else ""
    record(
        rectification.inspection.station,
        subject=f"整改通知书 {rectification.number}",
        label="报送整改报告",
        by=by,
        before=before,
        after=rectification.get_status_display(),
        note=rectification.answer + evidence_note,
    )
    return rectification


@transaction.atomic
def rectification_close(*, rectification: Rectification, by, closed_on: dt.date, note: str = "") -> Rectification:
    """Staff accept the rectification (I1)."""
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rectification.status != R.ANSWERED:
        raise DomainError(f"整改通知当前状态为“{rectification.get_status_display()}”，单位报送整改报告后才能关闭。")
    rectification.status, rectification.closed_on, rectification.closing_note = R.CLOSED, closed_on, note.strip()
    rectification.save()
    record(
        rectification.inspection.station,
        subject=f"整改通知书 {rectification.number}",
        label="验收关闭",
        by=by,
        before=R.ANSWERED.label,
        after=R.CLOSED.label,
        note=note.strip(),
    )
    notify_station(
        rectification.inspection.station,
        subject=f"整改通知书 {rectification.number} 已验收关闭",
        body=note.strip() or "整改已验收。",
    )
    return rectification


@transaction.atomic
def rectification_extend(*, rectification: Rectification, by, deadline: dt.date, note: str) -> Rectification:
    """Staff extend the deadline with a reason; an answered report goes back to the station for more work."""
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rectification.status == R.CLOSED:
        raise DomainError("整改通知已关闭，不能延期。")
    if deadline <= rectification.deadline:
        raise DomainError(f"新的整改期限应晚于原期限{rectification.deadline:%Y年%m月%d日}。", field="deadline")
    if not note.strip():
        raise DomainError("请写明延期理由。", field="note")
    record(
        rectification.inspection.station,
        subject=f"整改通知书 {rectification.number}",
        label="延长整改期限",
        by=by,
        before=rectification.get_status_display(),
        after=R.OPEN.label,
        note=f"{rectification.deadline:%Y-%m-%d} → {deadline:%Y-%m-%d}：{note.strip()}",
    )
    rectification.deadline, rectification.status = deadline, R.OPEN
    rectification.extensions += 1
    rectification.closing_note = note.strip()
    rectification.save()
    notify_station(
        rectification.inspection.station,
        subject=f"整改通知书 {rectification.number} 整改期限延长",
        body=f"整改期限延长至{deadline:%Y年%m月%d日}：{note.strip()}",
    )
    return rectification
