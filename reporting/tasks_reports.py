"""Thin Celery tasks of the reminder jobs (M3, P2): take a day, call the service.

E-mails (reminders, the major-issue report of M7, every notice) are delivered by the outbox's own task
(zzmetro.tasks.deliver_outbox), which retries with back-off; these tasks only decide what to send.
"""

import datetime as dt

from celery import shared_task

from zzmetro.dates import beijing_today

__all__ = ["monthly_reminders", "plan_reminders"]


def _day(day: str | None) -> dt.date:
    return dt.date.fromisoformat(day) if day else beijing_today()


def _run(kind: str, day: str | None) -> int:
    from reporting.services.reminders import run_job

    return run_job(kind=kind, day=_day(day))["pending"]


@shared_task(name="reporting.monthly_reminders")
def monthly_reminders(day: str | None = None) -> int:
    """M3: the 3rd-of-month job (beat: 1st, 3rd, 4th at 08:00 Beijing time)."""
    return _run("monthly", day)


@shared_task(name="reporting.plan_reminders")
def plan_reminders(day: str | None = None) -> int:
    """P2: the December-10 job (beat: 1, 8, 11 December at 08:00 Beijing time)."""
    return _run("plan", day)
