"""Thin Celery tasks of the reminder jobs (M3, P2) and the major-issue e-mail (M7): take ids, call a service, retry."""
import datetime as dt
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage

from zzmetro.dates import BEIJING, beijing_today

__all__ = ["monthly_reminders", "plan_reminders", "send_major_issue_email", "send_reminder"]

RETRY = {"autoretry_for": (SMTPException, OSError), "retry_backoff": 60, "retry_backoff_max": 3600, "max_retries": 8}


def _day(day: str | None) -> dt.date:
    return dt.date.fromisoformat(day) if day else beijing_today()


def _fan_out(kind: str, day: str | None) -> int:
    from reporting.services.reminders import reminders_prepare

    ids = reminders_prepare(kind=kind, day=_day(day))
    for reminder_id in ids:
        send_reminder.delay(reminder_id)
    return len(ids)


@shared_task(name="reporting.monthly_reminders")
def monthly_reminders(day: str | None = None) -> int:
    """M3: the 3rd-of-month job (beat: 1st, 3rd, 4th at 08:00 Beijing time)."""
    return _fan_out("monthly", day)


@shared_task(name="reporting.plan_reminders")
def plan_reminders(day: str | None = None) -> int:
    """P2: the December-10 job (beat: 1, 8, 11 December at 08:00 Beijing time)."""
    return _fan_out("plan", day)


@shared_task(name="reporting.send_reminder", **RETRY)
def send_reminder(reminder_id: int) -> bool:
    from reporting.services.reminders import reminder_send

    return reminder_send(reminder_id=reminder_id)


@shared_task(name="reporting.major_issue_email", **RETRY)
def send_major_issue_email(issue_id: int) -> None:
    """M7: bureau staff get the major-issue report at once."""
    from reporting.models import MajorIssueReport

    issue = MajorIssueReport.objects.select_related("station", "reported_by").get(pk=issue_id)
    reporter = issue.reported_by.get_full_name() or issue.reported_by.username if issue.reported_by else ""
    body = (
        f"{issue.station.name}于{issue.reported_at.astimezone(BEIJING):%Y年%m月%d日 %H:%M}报告重大问题：\n\n"
        f"标题：{issue.title}\n发生日期：{issue.occurred_on:%Y年%m月%d日}\n报告人：{reporter}\n\n"
        f"情况说明：\n{issue.description}\n\n已采取的措施：\n{issue.measures or '（未填写）'}\n\n"
        f"查看：{settings.SITE_URL}/admin/reporting/majorissuereport/{issue.pk}/change/"
    )
    EmailMessage(f"【郑州计量授权】重大问题报告：{issue.station.name} {issue.title}", body, None, list(settings.BUREAU_EMAIL)).send()
