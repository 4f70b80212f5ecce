"""Hostile uploads through a real Celery worker on Redis: refused with a message, and the worker keeps working."""

import io
import time
import zipfile

import pytest

from reporting.models import ImportJob, Instrument
from reporting.services.archive import import_job_create
from reporting.tasks import archive_import_job

from .factories import row, workbook_bytes, world  # noqa: F401

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _bomb(base: bytes) -> bytes:
    """~1 MB on disk, 1 GB of sheet XML once inflated."""
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(1024):
                sheet.write(b" " * (1024 * 1024))
    return out.getvalue()


def _wait(job: ImportJob, seconds=30) -> ImportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    pytest.fail(f"import job {job.pk} did not finish: {job.status} {job.progress}%")


def test_zip_bomb_fails_its_job_and_the_same_worker_then_imports_a_good_file(celery_redis_worker, world, officer1):
    bomb = import_job_create(
        station=officer1.station, by=officer1, filename="bomb.xlsx", data=_bomb(workbook_bytes([row(world, 1)]))
    )
    archive_import_job.delay(bomb.pk)
    assert _wait(bomb).status == "failed" and "疑似压缩炸弹" in bomb.message
    good = import_job_create(
        station=officer1.station, by=officer1, filename="good.xlsx", data=workbook_bytes([row(world, 1), row(world, 2)])
    )
    archive_import_job.delay(good.pk)
    assert _wait(good).status == "done" and good.rows_imported == 2
    assert Instrument.objects.count() == 2
