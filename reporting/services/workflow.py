"""What every reporting service shares: the transition table, the event log and notifications (A12, M4)."""

from django.conf import settings

from authorizations.models import Station
from authorizations.services.common import station_recipients
from reporting.models import AnnualPlan, MonthlyReport, ReportingEvent
from zzmetro.errors import DomainError
from zzmetro.outbox import queue_mail

P = AnnualPlan.Status
M = MonthlyReport.Status

# The only legal moves. Anything else is refused naming the current state.
TRANSITIONS = {
    AnnualPlan: {
        P.DRAFT: {P.SUBMITTED},
        P.RETURNED: {P.SUBMITTED},
        P.SUBMITTED: {P.RETURNED, P.APPROVED},
        P.APPROVED: {P.RETURNED, P.ISSUED},
        P.ISSUED: {P.SUPERSEDED},
    },
    MonthlyReport: {
        M.PENDING: {M.SUBMITTED},
        M.REOPENED: {M.SUBMITTED},
        M.SUBMITTED: {M.REOPENED},
    },
}
ACTIONS = {
    AnnualPlan: {
        P.SUBMITTED: "提交",
        P.RETURNED: "退回修改",
        P.APPROVED: "审核通过",
        P.ISSUED: "下达",
        P.SUPERSEDED: "调整",
    },
    MonthlyReport: {M.SUBMITTED: "报送", M.REOPENED: "退回修改"},
}


def ensure_transition(obj, *, to: str) -> str:
    current = obj.status
    if to not in TRANSITIONS[type(obj)].get(current, set()):
        label = obj._meta.verbose_name
        raise DomainError(f"{label}当前状态为“{obj.get_status_display()}”，不能{ACTIONS[type(obj)][to]}。")
    return current


def record(obj, *, label: str, by, before: str = "", note: str = "") -> ReportingEvent:
    """Append the event for a plan or monthly report, in the caller's transaction."""
    model = type(obj)
    return ReportingEvent.objects.create(
        station_id=obj.station_id,
        plan=obj if model is AnnualPlan else None,
        report=obj if model is MonthlyReport else None,
        action_label=label,
        from_state=model.Status(before).label if before else "",
        to_state=obj.get_status_display(),
        by=by if getattr(by, "pk", None) else None,
        note=note,
    )


def sign_off(station_name: str, body: str, link: str) -> str:
    return f"{station_name}：\n\n{body}\n\n请登录郑州市计量授权监督管理平台办理：{link}\n\n郑州市质量技术监督局计量处"


def notify_station(station: Station, *, subject: str, body: str, path: str) -> None:
    """E-mail the station and its officers through the outbox: part of the change, so a rollback never sends."""
    text = sign_off(station.name, body, settings.SITE_URL + path)
    queue_mail(f"【郑州计量授权】{subject}", text, station_recipients(station))


def require_reason(reason: str, what: str) -> str:
    if not (reason or "").strip():
        raise DomainError(f"{what}必须写明理由。", field="reason")
    return reason.strip()
