"""Archive import tasks (DOMAIN M1): thin, take the job id, never leave the job hanging."""

import logging

from celery import shared_task

from reporting.models import ImportJob

__all__ = ["archive_import_job", "archive_import_sweep"]

logger = logging.getLogger(__name__)


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
