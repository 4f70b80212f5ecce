"""Thin Celery tasks of reporting: take ids or a day, call a service, never leave a job hanging.

Archive imports (M1) and the reminder jobs (M3, P2). E-mails (reminders, the major-issue report of M7, every
notice) are delivered by the outbox's own task (zzmetro.tasks.deliver_outbox), which retries with back-off; these
tasks only decide what to send. The registered names ("reporting.…") are those zzmetro/celery.py's beat schedule uses.
"""

import datetime as dt
import logging

from celery import shared_task

from reporting.models import ImportJob
from zzmetro.dates import beijing_today

__all__ = ["archive_import_job", "archive_import_sweep", "monthly_reminders", "plan_reminders"]

logger = logging.getLogger(__name__)


# --- archive import (M1) -----------------------------------------------------------------------------------


@shared_task(name="reporting.archive_import_job", acks_late=True)
def archive_import_job(job_id: int) -> str:
    from reporting.services.archive import import_job_run

    try:
        return import_job_run(job_id=job_id)
    except Exception:  # the worker lives on; the officer sees a message instead of an endless spinner
        logger.exception("archive import %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            progress=100,
            upload=b"",
            message="导入过程中发生系统错误，全部数据均未导入。请稍后重试或联系市局计量处。",
        )
        return ImportJob.Status.FAILED


@shared_task(name="reporting.archive_import_sweep", ignore_result=True)
def archive_import_sweep() -> int:
    """Every minute (beat): fail imports whose worker died; queue those uploaded while the broker was down."""
    from reporting.services.archive import import_jobs_stalled, import_jobs_waiting
    from zzmetro.jobs import dispatch

    import_jobs_stalled()
    waiting = import_jobs_waiting()
    for job_id in waiting:
        dispatch(archive_import_job, job_id)
    return len(waiting)


# --- reminders (M3, P2) ------------------------------------------------------------------------------------


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
