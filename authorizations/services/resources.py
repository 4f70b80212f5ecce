"""Station resources: standards and personnel kept by the station, and their expiry warnings (DOMAIN R1, R2)."""

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction

from authorizations.models import ExpiryWarning, MeasurementStandard, Personnel, Station
from authorizations.selectors.resources import resources_expiring, warning_days
from zzmetro.errors import DomainError

from .common import notify_station


def _check_dates(*, valid_until: dt.date, issued_on: dt.date | None = None) -> None:
    if issued_on and valid_until <= issued_on:
        raise DomainError("有效期至应晚于发证日期。", field="valid_until")


def _save(instance, *, items, fields: dict, unique_message: str):
    for name, value in fields.items():
        setattr(instance, name, value)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise DomainError(unique_message, field="certificate_number") from error
    instance.items.set(items)
    return instance


@transaction.atomic
def standard_save(
    *, station: Station, items, standard: MeasurementStandard | None = None, **fields
) -> MeasurementStandard:
    """Record or correct a measurement standard (计量标准) of the station (R1)."""
    _check_dates(valid_until=fields["valid_until"], issued_on=fields.get("issued_on"))
    instance = standard or MeasurementStandard(station=station)
    if instance.station_id != station.pk:
        raise DomainError("只能维护本单位的计量标准。")
    return _save(instance, items=items, fields=fields, unique_message="本单位已登记该计量标准考核证书编号。")


@transaction.atomic
def person_save(*, station: Station, items, person: Personnel | None = None, **fields) -> Personnel:
    """Record or correct a verifying person and their certificate (计量检定员证 / 注册计量师注册证), R1."""
    _check_dates(valid_until=fields["valid_until"])
    instance = person or Personnel(station=station)
    if instance.station_id != station.pk:
        raise DomainError("只能维护本单位的检定人员。")
    return _save(instance, items=items, fields=fields, unique_message="本单位已登记该证书编号的检定人员。")


def _threshold_for(days_left: int, thresholds: tuple[int, ...]) -> int:
    return next(t for t in thresholds if days_left <= t)


def _claim(resource, *, kind: str, threshold: int) -> bool:
    """Insert the sent-log row; the unique constraint says whether this warning was already sent (R2)."""
    try:
        with transaction.atomic():
            ExpiryWarning.objects.create(
                station_id=resource.station_id,
                threshold_days=threshold,
                expires_on=resource.valid_until,
                **{kind: resource},
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic
def send_expiry_warnings(*, day: dt.date) -> int:
    """R2: warn each station once per threshold (90, 30 days) about its expiring standards and certificates.

    Returns the number of stations e-mailed. Running twice, or a retried task, sends nothing new.
    """
    thresholds = warning_days()
    standards, people = resources_expiring(day, within_days=thresholds[-1])
    due = defaultdict(list)
    for kind, resources in (("standard", standards), ("person", people)):
        for resource in resources:
            threshold = _threshold_for((resource.valid_until - day).days, thresholds)
            if _claim(resource, kind=kind, threshold=threshold):
                due[resource.station].append((kind, resource, threshold))
    for station, lines in due.items():
        notify_station(station, subject="计量标准和检定人员证书到期提醒", body=_warning_body(lines, day))
    return len(due)


def _warning_body(lines, day: dt.date) -> str:
    labels = {"standard": "计量标准考核证书", "person": "检定人员证书"}
    text = [f"截至{day:%Y年%m月%d日}，本单位以下证书即将到期，请及时办理复查或换证："]
    for kind, resource, threshold in sorted(lines, key=lambda line: line[1].valid_until):
        left = (resource.valid_until - day).days
        text.append(
            f"· {labels[kind]}：{resource}，有效期至{resource.valid_until:%Y年%m月%d日}（剩余{left}天，{threshold}天提醒）"
        )
    text.append("证书过期后，相应检定项目将显示为“不可检定”（计量标准或检定人员均已过期时）。")
    return "\n".join(text)
