"""Complaints, annual evaluations, integrity status and the violations register (DOMAIN I5–I8)."""

import datetime as dt
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from authorizations import services as authz_services
from authorizations.models import Station
from authorizations.selectors import certificates as authz_selectors
from authorizations.services.common import next_number, notify_station
from inspections.models import AnnualEvaluation, Complaint, IntegrityEvaluation, Violation
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.outbox import queue_mail
from zzmetro.uploads import validate_document
from zzmetro.workflow import ensure, transition

V = Violation


def _attach(instance, field: str, upload) -> None:
    try:
        extension = validate_document(upload)
    except ValidationError as error:
        raise DomainError(error.messages[0], field=field) from error
    upload.name = f"{os.path.splitext(os.path.basename(upload.name))[0][:60] or field}{extension}"
    setattr(instance, field, upload)


def _tell_bureau(subject: str, body: str) -> None:
    queue_mail(f"【郑州计量授权】{subject}", body, settings.BUREAU_EMAIL)


@transaction.atomic
def complaint_file(
    *, station: Station, by, received_on: dt.date, complainant: str, subject: str, description: str, contact: str = ""
) -> Complaint:
    """I5: the station records a user complaint, which notifies the bureau at once."""
    if received_on > beijing_today():
        raise DomainError("接到投诉日期不能晚于今天。", field="received_on")
    complaint = Complaint(
        station=station,
        received_on=received_on,
        complainant=complainant.strip(),
        contact=contact.strip(),
        subject=subject.strip(),
        description=description.strip(),
        created_by=by,
        status="",
    )
    transition(complaint, to=Complaint.Status.OPEN, by=by, note=complaint.complainant)
    _tell_bureau(
        f"{station.name}接到用户投诉：{complaint.subject}",
        f"{station.name}于{received_on:%Y年%m月%d日}接到{complaint.complainant}的投诉。\n投诉事项：{complaint.subject}\n{complaint.description}\n\n"
        f"请登录平台查看：{settings.SITE_URL}/admin/inspections/complaint/{complaint.pk}/change/",
    )
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, by, handling: str, result_file, closed_on: dt.date) -> Complaint:
    """I5: handling and the written result filed with the bureau close the complaint."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    ensure(complaint, to=Complaint.Status.HANDLED)
    if not handling.strip():
        raise DomainError("请填写处理情况。", field="handling")
    if result_file is None:
        raise DomainError("请上传书面处理结果（PDF或图片）。", field="result_file")
    _attach(complaint, "result_file", result_file)
    complaint.handling, complaint.closed_on = handling.strip(), closed_on
    transition(
        complaint,
        to=Complaint.Status.HANDLED,
        by=by,
        note=complaint.handling,
        documents=complaint.result_file.name.rsplit("/", 1)[-1],
        update_fields=["handling", "closed_on", "result_file"],
    )
    return complaint


@transaction.atomic
def integrity_record(
    *, station: Station, by, status: str, evaluated_on: dt.date, note: str = "", basis: str = ""
) -> IntegrityEvaluation:
    """I7: the station's integrity-metrology demonstration status and its evaluation date; a new row, never an edit."""
    if status not in IntegrityEvaluation.Status.values:
        raise DomainError("请选择评定状态。", field="status")
    previous = IntegrityEvaluation.objects.filter(station=station).first()
    extra = {"basis": basis.strip()} if basis.strip() else {}
    # The new row starts where the station stood, so the move (and its event) reads from the previous status.
    evaluation = IntegrityEvaluation(
        station=station,
        status=previous.status if previous else "",
        evaluated_on=evaluated_on,
        note=note.strip(),
        **extra,
    )
    transition(evaluation, to=status, by=by, note=f"{evaluated_on:%Y-%m-%d}")
    return evaluation


# I8: what each violation leads to under S1 五. Serious violations may also end in revocation (staff choose).
DEFAULT_ACTION = {
    V.Kind.LATE_REPORTS: V.Action.CORRECTION_ORDER,
    V.Kind.FAILED_SUPERVISION: V.Action.RECTIFICATION,
    V.Kind.LOST_CONDITIONS: V.Action.RECTIFICATION,
    V.Kind.STILL_FAILING: V.Action.REVOCATION,
}
ALLOWED_ACTIONS = {
    V.Kind.LATE_REPORTS: {V.Action.CORRECTION_ORDER},
    V.Kind.FAILED_SUPERVISION: {V.Action.RECTIFICATION},
    V.Kind.LOST_CONDITIONS: {V.Action.RECTIFICATION},
    V.Kind.STILL_FAILING: {V.Action.REVOCATION},
}
SERIOUS_ACTIONS = {V.Action.PENALTY, V.Action.REVOCATION}


@transaction.atomic
def violation_record(
    *,
    station: Station,
    by,
    kind: str,
    found_on: dt.date,
    description: str,
    action: str,
    decided_on: dt.date,
    deadline: dt.date | None = None,
    evidence=None,
) -> Violation:
    """I8: register a violation and its action; a revocation runs the lifecycle's revocation (A11)."""
    allowed = ALLOWED_ACTIONS.get(kind, SERIOUS_ACTIONS)
    if action not in allowed:
        labels = "、".join(V.Action(a).label for a in allowed)
        raise DomainError(f"“{V.Kind(kind).label}”的处理措施应为：{labels}。", field="action")
    if not description.strip():
        raise DomainError("请写明违规事实和证据。", field="description")
    if action in (V.Action.CORRECTION_ORDER, V.Action.RECTIFICATION) and (deadline is None or deadline <= decided_on):
        raise DomainError("责令改正和限期整改必须给出晚于决定日期的期限。", field="deadline")
    violation = Violation(
        status="",
        station=station,
        kind=kind,
        found_on=found_on,
        description=description.strip(),
        action=action,
        decided_on=decided_on,
        deadline=deadline,
        created_by=by,
    )
    if evidence is not None:
        _attach(violation, "evidence", evidence)
    if action == V.Action.REVOCATION:
        violation.certificate = _revoke(
            station, by=by, decided_on=decided_on, reason=f"{V.Kind(kind).label}：{description.strip()}"
        )
        violation.notice_number = violation.certificate.revocation_number
    else:
        violation.notice_number = f"郑质监量改〔{decided_on.year}〕{next_number('correction', decided_on.year)}号"
        notify_station(
            station,
            subject=f"{V.Action(action).label}通知 {violation.notice_number}",
            body=f"经查，贵单位存在“{V.Kind(kind).label}”情形：{description.strip()}。处理措施：{V.Action(action).label}"
            + (f"，期限至{deadline:%Y年%m月%d日}。" if deadline else "。"),
        )
    transition(
        violation,
        to=V.Status.OPEN,
        by=by,
        label=violation.get_action_display(),
        note=f"{violation.get_kind_display()}：{violation.description}",
        documents=violation.notice_number,
    )
    return violation


def _revoke(station: Station, *, by, decided_on: dt.date, reason: str):
    certificate = authz_selectors.station_current_certificate(station, decided_on)
    if certificate is None:
        raise DomainError(
            f"{station.name}在{decided_on:%Y年%m月%d日}没有有效的计量授权证书，无法撤销。", field="action"
        )
    return authz_services.certificate_revoke(certificate=certificate, by=by, decided_on=decided_on, reason=reason)


@transaction.atomic
def violation_close(*, violation: Violation, by, closed_on: dt.date, note: str = "") -> Violation:
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    violation.closed_on, violation.closing_note = closed_on, note.strip()
    transition(
        violation, to=V.Status.CLOSED, by=by, note=violation.closing_note, update_fields=["closed_on", "closing_note"]
    )
    return violation


@transaction.atomic
def evaluation_prepare(*, station: Station, year: int, by=None) -> AnnualEvaluation:
    """I6: create or refresh the year's evaluation with the figures the portal already knows; opening it is an event."""
    from inspections.selectors.supervision import evaluation_metrics

    evaluation = AnnualEvaluation.objects.select_for_update().filter(station=station, year=year).first()
    if evaluation is None:  # the first summing-up opens the evaluation: that is its event
        evaluation = AnnualEvaluation(station=station, year=year, status="")
        evaluation.metrics = evaluation_metrics(station, year)
        transition(evaluation, to=AnnualEvaluation.Status.PREPARED, by=by)
        return evaluation
    ensure(evaluation, to=AnnualEvaluation.Status.PREPARED)  # a concluded evaluation keeps its figures
    evaluation.metrics = evaluation_metrics(station, year)
    evaluation.save(update_fields=["metrics"])
    return evaluation


@transaction.atomic
def evaluation_conclude(
    *, evaluation: AnnualEvaluation, by, result: str, note: str, evaluated_on: dt.date
) -> AnnualEvaluation:
    """I6: a failed evaluation yields a notice of criticism (通报批评)."""
    evaluation = AnnualEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    ensure(evaluation, to=AnnualEvaluation.Status.CONCLUDED)
    if result not in AnnualEvaluation.Result.values:
        raise DomainError("请选择考核结果。", field="result")
    if result == AnnualEvaluation.Result.FAIL and not note.strip():
        raise DomainError("考核不合格必须写明理由，将写入通报批评。", field="note")
    evaluation.result, evaluation.note, evaluation.evaluated_on, evaluation.evaluated_by = (
        result,
        note.strip(),
        evaluated_on,
        by,
    )
    if result == AnnualEvaluation.Result.FAIL:
        evaluation.notice_number = f"郑质监量通〔{evaluated_on.year}〕{next_number('criticism', evaluated_on.year)}号"
        notify_station(
            evaluation.station,
            subject=f"{evaluation.year}年度考核不合格通报批评",
            body=f"{evaluation.notice_number}：{evaluation.note}",
        )
    transition(
        evaluation,
        to=AnnualEvaluation.Status.CONCLUDED,
        by=by,
        label="年度考核结论",
        note=f"考核结果：{evaluation.get_result_display()}" + (f"；{evaluation.note}" if evaluation.note else ""),
        documents=evaluation.notice_number,
        update_fields=["result", "note", "evaluated_on", "evaluated_by", "notice_number"],
    )
    return evaluation
