"""On-site inspections and rectification notices (DOMAIN I1, I8)."""

import datetime as dt
import os

from django.core.exceptions import ValidationError
from django.db import transaction

from authorizations.models import Station
from authorizations.services.common import next_number, notify_station
from inspections.models import Inspection, InspectionFinding, Rectification
from zzmetro.errors import DomainError
from zzmetro.uploads import validate_document
from zzmetro.workflow import ensure, transition

R = Rectification.Status


@transaction.atomic
def inspection_plan(*, station: Station, by, planned_on: dt.date, inspectors: str = "") -> Inspection:
    """I1: bureau staff schedule an on-site inspection; the plan itself is a step of the station's trail (A12)."""
    inspection = Inspection(
        station=station, planned_on=planned_on, inspectors=inspectors.strip(), recorded_by=by, status=""
    )
    transition(inspection, to=Inspection.Status.PLANNED, by=by, note=inspection.inspectors)
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
    ensure(inspection, to=Inspection.Status.RECORDED)
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
    transition(
        inspection,
        to=Inspection.Status.RECORDED,
        by=by,
        note=f"检查结论：{inspection.get_result_display()}" + (f"；{inspection.summary}" if inspection.summary else ""),
        update_fields=["held_on", "result", "summary", "inspectors", "recorded_by"],
    )
    if needs_notice:
        _issue_rectification(inspection, requirements=requirements.strip(), deadline=deadline, issued_on=held_on, by=by)
    return inspection


def _issue_rectification(
    inspection: Inspection, *, requirements: str, deadline: dt.date, issued_on: dt.date, by
) -> Rectification:
    number = f"郑质监量整〔{issued_on.year}〕{next_number('rectification', issued_on.year)}号"
    rectification = Rectification(
        inspection=inspection,
        number=number,
        issued_on=issued_on,
        requirements=requirements,
        deadline=deadline,
        status="",
    )
    transition(
        rectification,
        to=R.OPEN,
        by=by,
        note=f"整改期限 {deadline:%Y-%m-%d}：{requirements}",
        documents=f"整改通知书 {number}",
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
    ensure(rectification, to=R.ANSWERED)
    if not answer.strip():
        raise DomainError("请填写整改报告。", field="answer")
    if evidence is not None:
        try:
            extension = validate_document(evidence)
        except ValidationError as error:
            raise DomainError(error.messages[0], field="evidence") from error
        evidence.name = f"{os.path.splitext(os.path.basename(evidence.name))[0][:60] or 'evidence'}{extension}"
        rectification.evidence = evidence
    rectification.answer, rectification.answered_on = answer.strip(), answered_on
    # The event keeps every report in full, so a later answer never erases an earlier one.
    evidence = rectification.evidence.name.rsplit("/", 1)[-1] if rectification.evidence else ""
    transition(
        rectification,
        to=R.ANSWERED,
        by=by,
        note=rectification.answer + (f"（证明材料：{evidence}）" if evidence else ""),
        documents=evidence,
        update_fields=["answer", "answered_on", "evidence"],
    )
    return rectification


@transaction.atomic
def rectification_close(*, rectification: Rectification, by, closed_on: dt.date, note: str = "") -> Rectification:
    """Staff accept the rectification (I1)."""
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    rectification.closed_on, rectification.closing_note = closed_on, note.strip()
    transition(rectification, to=R.CLOSED, by=by, note=note.strip(), update_fields=["closed_on", "closing_note"])
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
    ensure(rectification, to=R.OPEN)
    if deadline <= rectification.deadline:
        raise DomainError(f"新的整改期限应晚于原期限{rectification.deadline:%Y年%m月%d日}。", field="deadline")
    if not note.strip():
        raise DomainError("请写明延期理由。", field="note")
    change = f"{rectification.deadline:%Y-%m-%d} → {deadline:%Y-%m-%d}：{note.strip()}"
    rectification.deadline = deadline
    rectification.extensions += 1
    rectification.closing_note = note.strip()
    transition(rectification, to=R.OPEN, by=by, note=change, update_fields=["deadline", "extensions", "closing_note"])
    notify_station(
        rectification.inspection.station,
        subject=f"整改通知书 {rectification.number} 整改期限延长",
        body=f"整改期限延长至{deadline:%Y年%m月%d日}：{note.strip()}",
    )
    return rectification
