"""Pieces every lifecycle service shares: the transition table, events, numbering, notifications."""

from django.conf import settings

from authorizations.models import (
    Application,
    Certificate,
    DocumentSequence,
    LifecycleEvent,
    Station,
    TerminationRequest,
)
from zzmetro.errors import DomainError
from zzmetro.outbox import queue_mail

A = Application.Status
C = Certificate.Status
T = TerminationRequest.Status

# The only legal moves (DOMAIN A2–A12). Anything else is refused naming the current state.
TRANSITIONS = {
    Application: {
        A.SUBMITTED: {A.ACCEPTED, A.REFUSED},
        A.ACCEPTED: {A.ASSESSMENT_REQUESTED},
        A.ASSESSMENT_REQUESTED: {A.ASSESSING},
        A.ASSESSING: {A.PASSED, A.FAILED},
        A.PASSED: {A.CERTIFIED},
    },
    Certificate: {
        C.VALID: {C.SUSPENDED, C.TERMINATED, C.REVOKED},
        C.SUSPENDED: {C.VALID, C.REVOKED},
        C.TERMINATED: {C.REVOKED},
    },
    TerminationRequest: {T.SUBMITTED: {T.APPROVED, T.REJECTED}},
}


# What the user was trying to do, for the refusal message.
ACTIONS = {
    Application: {
        A.ACCEPTED: "受理",
        A.REFUSED: "不予受理",
        A.ASSESSMENT_REQUESTED: "提出考核申请",
        A.ASSESSING: "组建考核组",
        A.PASSED: "录入考核结论",
        A.FAILED: "录入考核结论",
        A.CERTIFIED: "颁发证书",
    },
    Certificate: {C.SUSPENDED: "暂停授权", C.VALID: "恢复授权", C.TERMINATED: "批准终止", C.REVOKED: "撤销授权"},
    TerminationRequest: {T.APPROVED: "批准终止", T.REJECTED: "不予批准"},
}


def ensure_transition(obj, *, to: str) -> str:
    """Refuse a move the table does not allow; return the current status for the event."""
    current = obj.status
    if to not in TRANSITIONS[type(obj)].get(current, set()):
        label = obj._meta.verbose_name
        action = ACTIONS[type(obj)][to]
        raise DomainError(f"{label}当前状态为“{obj.get_status_display()}”，不能{action}。")
    return current


def status_label(model, status: str) -> str:
    return model.Status(status).label if status else ""


def record_event(
    *,
    station: Station,
    action: str,
    action_label: str,
    by,
    application: Application | None = None,
    certificate: Certificate | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    document: str = "",
) -> LifecycleEvent:
    return LifecycleEvent.objects.create(
        station=station,
        application=application,
        certificate=certificate,
        action=action,
        action_label=action_label,
        from_state=from_state,
        to_state=to_state,
        by=by if getattr(by, "pk", None) else None,
        note=note,
        document=document,
    )


def next_number(kind: str, year: int) -> int:
    """Next running number of `kind` in `year`; the row lock serialises concurrent issuers."""
    sequence, _ = DocumentSequence.objects.select_for_update().get_or_create(kind=kind, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def station_recipients(station: Station) -> list[str]:
    addresses = [station.email] + [u.email for u in station.officers.filter(is_active=True)]
    return sorted({a for a in addresses if a})


def notify_station(station: Station, *, subject: str, body: str) -> None:
    """E-mail the station through the outbox: written with the change, so a rollback never sends a false notice."""
    link = f"{settings.SITE_URL}/portal/"
    text = f"{station.name}：\n\n{body}\n\n请登录郑州市计量授权监督管理平台查看：{link}\n\n郑州市质量技术监督局计量处"
    queue_mail(f"【郑州计量授权】{subject}", text, station_recipients(station))
