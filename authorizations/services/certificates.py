"""Suspension, revocation, termination and return of seal and certificate (DOMAIN A9–A11)."""

import datetime as dt

from django.conf import settings
from django.db import transaction

from authorizations.models import Certificate, Suspension, TerminationRequest
from zzmetro.dates import add_months, beijing_today
from zzmetro.errors import DomainError
from zzmetro.workflow import ensure, record, transition

from .common import next_number, station_notice

C = Certificate.Status
T = TerminationRequest.Status


def _locked(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().get(pk=certificate.pk)


def _refuse_if_ended(certificate: Certificate, day: dt.date, action: str) -> None:
    state = certificate.state_on(day)
    if state in (Certificate.State.EXPIRED, Certificate.State.TERMINATED, Certificate.State.REVOKED):
        raise DomainError(f"证书{certificate.number}当前状态为“{state.label}”，不能{action}。")


@transaction.atomic
def certificate_suspend(
    *, certificate: Certificate, by, starts_on: dt.date, planned_end_on: dt.date, reason: str
) -> Suspension:
    """A10: suspend with reason and period; the station may not verify while suspended."""
    certificate = _locked(certificate)
    ensure(certificate, to=C.SUSPENDED)
    _refuse_if_ended(certificate, starts_on, "暂停")
    if not reason.strip():
        raise DomainError("暂停授权必须写明理由。", field="reason")
    if planned_end_on < starts_on:
        raise DomainError("暂停期限不能早于暂停起始日。", field="planned_end_on")
    suspension = Suspension.objects.create(
        certificate=certificate, starts_on=starts_on, planned_end_on=planned_end_on, reason=reason.strip()
    )
    transition(
        certificate,
        to=C.SUSPENDED,
        by=by,
        note=f"{starts_on:%Y-%m-%d}至{planned_end_on:%Y-%m-%d}：{reason.strip()}",
        notices=[
            station_notice(
                certificate.station,
                subject="计量授权暂停通知",
                body=f"证书{certificate.number}自{starts_on:%Y年%m月%d日}起暂停授权，期限至{planned_end_on:%Y年%m月%d日}。"
                f"暂停期间不得开展授权检定工作。理由：{reason.strip()}",
            )
        ],
    )
    return suspension


@transaction.atomic
def certificate_lift_suspension(
    *, certificate: Certificate, by, lifted_on: dt.date | None = None, note: str = ""
) -> Certificate:
    lifted_on = lifted_on or beijing_today()
    certificate = _locked(certificate)
    ensure(certificate, to=C.VALID)
    suspension = certificate.suspensions.get(lifted_on__isnull=True)
    if lifted_on < suspension.starts_on:
        raise DomainError("恢复日期不能早于暂停起始日。", field="lifted_on")
    suspension.lifted_on = lifted_on
    suspension.save()
    transition(certificate, to=C.VALID, by=by, note=note)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, decided_on: dt.date, reason: str) -> Certificate:
    """A11: revoke; the seal and certificate are due back within 30 days; the 3-year ban starts."""
    certificate = _locked(certificate)
    ensure(certificate, to=C.REVOKED)
    _refuse_if_ended(certificate, decided_on, "撤销")
    if not reason.strip():
        raise DomainError("撤销授权必须写明理由。", field="reason")
    certificate.revoked_on = decided_on
    certificate.revocation_reason = reason.strip()
    certificate.revocation_number = f"郑质监量撤〔{decided_on.year}〕{next_number('revocation', decided_on.year)}号"
    Suspension.objects.filter(certificate=certificate, lifted_on__isnull=True).update(lifted_on=decided_on)
    transition(
        certificate,
        to=C.REVOKED,
        by=by,
        note=reason.strip(),
        documents=f"撤销计量授权决定书 {certificate.revocation_number}",
        update_fields=["revoked_on", "revocation_reason", "revocation_number"],
        notices=[
            station_notice(
                certificate.station,
                subject="撤销计量授权决定",
                body=f"证书{certificate.number}自{decided_on:%Y年%m月%d日}起撤销（{certificate.revocation_number}）。"
                f"请于{certificate.return_due_on:%Y年%m月%d日}前将计量授权检定专用章和授权证书交还市质监局。"
                f"理由：{reason.strip()}",
            )
        ],
    )
    return certificate


@transaction.atomic
def certificate_record_return(
    *,
    certificate: Certificate,
    by,
    seal_returned_on: dt.date | None = None,
    certificate_returned_on: dt.date | None = None,
) -> Certificate:
    """A11: record the return of the special seal and of the certificate."""
    certificate = _locked(certificate)
    if certificate.status != C.REVOKED:
        raise DomainError(f"证书当前状态为“{certificate.get_status_display()}”，只有已撤销的证书需要登记交回。")
    if not (seal_returned_on or certificate_returned_on):
        raise DomainError("请至少填写一个交回日期。")
    returned = {"seal_returned_on": seal_returned_on, "certificate_returned_on": certificate_returned_on}
    for name, value in returned.items():
        if value and value < certificate.revoked_on:
            raise DomainError("交回日期不能早于撤销决定日期。", field=name)
        if value:
            setattr(certificate, name, value)
    certificate.save()
    parts = [
        f"专用章 {seal_returned_on:%Y-%m-%d}" if seal_returned_on else "",
        f"证书 {certificate_returned_on:%Y-%m-%d}" if certificate_returned_on else "",
    ]
    record(certificate, action="return", label="登记印章、证书交回", by=by, note="；".join(p for p in parts if p))
    return certificate


@transaction.atomic
def termination_report(
    *, certificate: Certificate, by, requested_end_on: dt.date, reason: str, reported_on: dt.date | None = None
) -> TerminationRequest:
    """A9: a written report whose end date is at least six months after the report date."""
    reported_on = reported_on or beijing_today()
    certificate = _locked(certificate)
    _refuse_if_ended(certificate, reported_on, "报告终止")
    if certificate.status == C.TERMINATED:
        raise DomainError(f"证书{certificate.number}的终止已获批准（{certificate.terminated_on:%Y-%m-%d}）。")
    if not reason.strip():
        raise DomainError("请写明终止原因。", field="reason")
    earliest = add_months(reported_on, settings.ZZ_POLICY["TERMINATION_NOTICE_MONTHS"])
    if requested_end_on < earliest:
        raise DomainError(
            f"终止授权应提前六个月书面报告：报告日期为{reported_on:%Y年%m月%d日}，拟终止日期最早为{earliest:%Y年%m月%d日}。",
            field="requested_end_on",
        )
    if TerminationRequest.objects.filter(certificate=certificate, status=T.SUBMITTED).exists():
        raise DomainError("已有一份待审批的终止报告。")
    request = TerminationRequest(
        certificate=certificate,
        reported_on=reported_on,
        requested_end_on=requested_end_on,
        reason=reason.strip(),
        status="",  # not filed yet: the filing is the table's first move
        submitted_by=by,
    )
    transition(request, to=T.SUBMITTED, by=by, note=f"拟终止日期 {requested_end_on:%Y-%m-%d}：{reason.strip()}")
    return request


@transaction.atomic
def termination_approve(
    *, termination: TerminationRequest, by, note: str = "", today: dt.date | None = None
) -> TerminationRequest:
    """A9: on approval the station stays authorized, with all its duties, through the requested end date.

    Two rows change state, so two events are written (A12): the report's and the certificate's."""
    termination = TerminationRequest.objects.select_for_update().get(pk=termination.pk)
    ensure(termination, to=T.APPROVED)
    certificate = _locked(termination.certificate)
    ensure(certificate, to=C.TERMINATED)
    termination.decided_on = today or beijing_today()
    termination.decision_note = note
    transition(
        termination,
        to=T.APPROVED,
        by=by,
        label="批准终止授权报告",
        note=note,
        update_fields=["decided_on", "decision_note"],
    )
    certificate.terminated_on = termination.requested_end_on
    transition(
        certificate,
        to=C.TERMINATED,
        by=by,
        label="批准终止授权",
        note=f"终止日期 {termination.requested_end_on:%Y-%m-%d}。{note}",
        update_fields=["terminated_on"],
        notices=[
            station_notice(
                certificate.station,
                subject="终止授权报告已批准",
                body=f"证书{certificate.number}将于{termination.requested_end_on:%Y年%m月%d日}终止。"
                "终止前请继续履行授权检定和报送义务。",
            )
        ],
    )
    return termination


@transaction.atomic
def termination_reject(
    *, termination: TerminationRequest, by, note: str, today: dt.date | None = None
) -> TerminationRequest:
    if not note.strip():
        raise DomainError("不予批准必须写明理由。", field="note")
    termination = TerminationRequest.objects.select_for_update().get(pk=termination.pk)
    termination.decided_on = today or beijing_today()
    termination.decision_note = note.strip()
    transition(
        termination,
        to=T.REJECTED,
        by=by,
        label="终止授权报告不予批准",
        note=note.strip(),
        update_fields=["decided_on", "decision_note"],
    )
    return termination
