"""Keeping the instrument archive (强检器具档案): instruments, their verifications, import jobs (DOMAIN M1, A10, R1)."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from authorizations.models import MeasurementStandard, Personnel, Station, VerificationItem
from reporting.models import ImportJob, Instrument, Verification
from reporting.models.archive import next_due_for
from reporting.selectors.archive import certificates_with_items, items_in_force
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.uploads import archive_import_max_bytes, too_large_message

from . import quality

INSTRUMENT_FIELDS = (
    "user_unit",
    "name",
    "model",
    "serial_number",
    "measuring_range",
    "accuracy_class",
    "use",
    "location",
    "cycle_months",
)


class VerificationRules:
    """Whether a verification may be recorded: the item authorized that day (A10), the verifier and the standard
    valid that day and qualified for the item (R1), and not in the future. One place for the form and the import."""

    def __init__(self, station: Station, *, today: dt.date):
        self.station = station
        self.today = today
        self._certificates = None
        self._authorized: dict[dt.date, set[int]] = {}
        self._items_of: dict[tuple[str, int], set[int]] = {}

    def authorized(self, day: dt.date) -> set[int]:
        if day not in self._authorized:
            if self._certificates is None:
                self._certificates = certificates_with_items(self.station)
            self._authorized[day] = items_in_force(self._certificates, day)
        return self._authorized[day]

    def date_problem(self, day: dt.date) -> str | None:
        return "检定日期不能晚于今天" if day > self.today else None

    def item_problem(self, item_id: int, day: dt.date) -> str | None:
        if item_id in self.authorized(day):
            return None
        return f"本单位{day:%Y-%m-%d}未获授权检定该项目（未授权、暂停或证书已过期）"

    def resource_problem(self, resource, item_id: int, day: dt.date) -> str | None:
        label = "计量标准" if isinstance(resource, MeasurementStandard) else "检定人员"
        if resource.station_id != self.station.pk:
            return f"{label}不属于本单位"
        if not resource.is_valid_on(day):
            return f"{label}“{resource}”的证书有效期至{resource.valid_until:%Y-%m-%d}，检定日已过期"
        if item_id not in self._item_ids(resource):
            return f"{label}“{resource}”不适用于该检定项目"
        return None

    def _item_ids(self, resource) -> set[int]:
        key = (type(resource).__name__, resource.pk)
        if key not in self._items_of:
            self._items_of[key] = {i.pk for i in resource.items.all()}
        return self._items_of[key]

    def problems(self, *, item_id, day, verifier, standard) -> dict[str, str]:
        found = {
            "verified_on": self.date_problem(day),
            "item": self.item_problem(item_id, day),
            "verifier": self.resource_problem(verifier, item_id, day),
            "standard": self.resource_problem(standard, item_id, day),
        }
        return {field: message for field, message in found.items() if message}


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(message, field=field)


def _apply_latest(instrument: Instrument, verification: Verification) -> None:
    if instrument.last_verified_on and instrument.last_verified_on > verification.verified_on:
        return  # an older verification entered late does not replace the latest
    instrument.last_verified_on = verification.verified_on
    instrument.last_result = verification.result
    instrument.next_due_on = verification.next_due_on
    instrument.save(update_fields=["last_verified_on", "last_result", "next_due_on"])


@transaction.atomic
def instrument_create(
    *, station: Station, item: VerificationItem, verification: dict, today: dt.date | None = None, **fields
) -> Instrument:
    """Add an instrument to the archive with its first verification (M1)."""
    instrument = Instrument(station=station, item=item, **fields)
    try:
        with transaction.atomic():
            instrument.save()
    except IntegrityError as error:
        raise DomainError("该出厂编号已在本单位该检定项目的档案中。", field="serial_number") from error
    verification_add(instrument=instrument, today=today, **verification)
    return instrument


@transaction.atomic
def instrument_update(*, instrument: Instrument, **fields) -> Instrument:
    """Correct an instrument's particulars; its verifications keep the use they were recorded with."""
    for name in INSTRUMENT_FIELDS:
        if name in fields:
            setattr(instrument, name, fields[name])
    try:
        with transaction.atomic():
            instrument.save()
    except IntegrityError as error:
        raise DomainError("该出厂编号已在本单位该检定项目的档案中。", field="serial_number") from error
    return instrument


@transaction.atomic
def verification_add(
    *,
    instrument: Instrument,
    verified_on: dt.date,
    result: str,
    certificate_number: str,
    verifier: Personnel,
    standard: MeasurementStandard,
    today: dt.date | None = None,
) -> Verification:
    """Record a verification; the next due date follows from the instrument's cycle (M1)."""
    rules = VerificationRules(instrument.station, today=today or beijing_today())
    _refuse(rules.problems(item_id=instrument.item_id, day=verified_on, verifier=verifier, standard=standard))
    verification = Verification.objects.create(
        instrument=instrument,
        station_id=instrument.station_id,
        item_id=instrument.item_id,
        use=instrument.use,
        verified_on=verified_on,
        result=result,
        certificate_number=certificate_number,
        verifier=verifier,
        standard=standard,
        next_due_on=next_due_for(verified_on, instrument.cycle_months, result),
    )
    _apply_latest(instrument, verification)
    quality.archive_changed(station_id=instrument.station_id, months=[verified_on])  # Q2, Q3
    return verification


# ---------------------------------------------------------------- import jobs

MAX_ERRORS_KEPT = 5000


def import_max_bytes() -> int:
    return archive_import_max_bytes()


@transaction.atomic
def import_job_create(*, station: Station, by, filename: str, data: bytes) -> ImportJob:
    """Queue an Excel import; the file is kept on the job row so any worker can read it."""
    if not filename.lower().endswith(".xlsx"):
        raise DomainError("请上传 .xlsx 格式的Excel文件（可先下载导入模板）。", field="file")
    if len(data) > import_max_bytes():  # the form refused it from its size before reading; callers without a form
        raise DomainError(too_large_message(filename, len(data), import_max_bytes()), field="file")
    return ImportJob.objects.create(station=station, created_by=by, filename=filename[:200], upload=data)


def _progress(job_id: int):
    def report(percent: int, *, total: int | None = None) -> None:
        fields = {"progress": percent, "heartbeat_at": timezone.now()} | (
            {"rows_total": total} if total is not None else {}
        )
        ImportJob.objects.filter(pk=job_id).update(**fields)

    return report


def _finish(job_id: int, *, status: str, message: str, errors=(), imported: int = 0, total: int | None = None) -> None:
    kept = [[e.row, e.column, e.message] for e in list(errors)[:MAX_ERRORS_KEPT]]
    fields = {"rows_total": total} if total is not None else {}
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        message=message[:300],
        errors=kept,
        error_count=len(errors),
        rows_imported=imported,
        progress=100,
        finished_at=timezone.now(),
        upload=b"",
        **fields,
    )


def import_job_run(*, job_id: int) -> str:
    """Run a queued import: all rows saved in one transaction, or none and an error report (M1)."""
    from zzmetro.spreadsheets import SpreadsheetError

    from .archive_import import archive_import

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, progress=1, heartbeat_at=timezone.now()
    )
    if not claimed:
        return "skipped"  # another worker has it, or a repeated task after the job finished or was declared lost
    job = ImportJob.objects.select_related("station", "created_by").get(pk=job_id)
    try:
        outcome = archive_import(
            station=job.station,
            data=bytes(job.upload),
            progress=_progress(job_id),
            on_saved=lambda count: _finish(
                job_id,
                status=ImportJob.Status.DONE,
                message=f"已导入{count}条器具及检定记录。",
                imported=count,
                total=count,
            ),
        )
    except SpreadsheetError as error:
        _finish(job_id, status=ImportJob.Status.FAILED, message=error.message)
        return ImportJob.Status.FAILED
    if outcome.errors:
        message = f"发现{len(outcome.errors)}处错误，全部数据均未导入。请下载错误报告，修改后重新上传。"
        _finish(job_id, status=ImportJob.Status.INVALID, message=message, errors=outcome.errors, total=outcome.total)
        return ImportJob.Status.INVALID
    quality.archive_changed(station_id=job.station_id)  # Q2, Q3: the imported months' reports are checked again
    return ImportJob.Status.DONE


STALLED_MESSAGE = "导入中断：处理程序长时间没有响应，全部数据均未导入。请重新上传文件。"


def import_jobs_stalled(*, now=None) -> int:
    """Declare failed every running import whose worker stopped reporting progress; the officer uploads again."""
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.IMPORT_STALE_AFTER_SECONDS)
    stalled = ImportJob.objects.filter(status=ImportJob.Status.RUNNING, heartbeat_at__lt=limit)
    return stalled.update(
        status=ImportJob.Status.FAILED, progress=100, upload=b"", message=STALLED_MESSAGE, finished_at=now
    )


def import_jobs_waiting(*, older_than: dt.timedelta = dt.timedelta(seconds=30)) -> list[int]:
    """Queued imports nobody has started (the broker was down when they were uploaded)."""
    waiting = ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=timezone.now() - older_than)
    return list(waiting.order_by("id").values_list("pk", flat=True))
