"""Archive of mandatory-verification instruments (强检器具档案), S1 四(十), DOMAIN M1."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from authorizations.models import MeasurementStandard, Personnel, Station, VerificationItem
from zzmetro.dates import add_months
from zzmetro.querysets import StationOwnedQuerySet

__all__ = ["ImportJob", "Instrument", "InstrumentUse", "Verification", "VerificationResult"]


class InstrumentUse(models.TextChoices):
    """The four uses that make an instrument subject to mandatory verification (M1)."""

    TRADE = "trade", "贸易结算"
    SAFETY = "safety", "安全防护"
    MEDICAL = "medical", "医疗卫生"
    ENVIRONMENT = "environment", "环境监测"


class VerificationResult(models.TextChoices):
    QUALIFIED = "qualified", "合格"
    UNQUALIFIED = "unqualified", "不合格"


def next_due_for(verified_on: dt.date, cycle_months: int, result: str) -> dt.date | None:
    """Valid through the day before the cycle's anniversary; an unqualified instrument gets no due date (M1)."""
    if result != VerificationResult.QUALIFIED:
        return None
    return add_months(verified_on, cycle_months) - dt.timedelta(days=1)


class Instrument(models.Model):
    """An instrument in a station's archive; the latest verification is copied onto it for lists and filters."""

    # No separate station index: (station, item, serial_number) is unique and leads with it.
    station = models.ForeignKey(
        Station, verbose_name="检定单位", on_delete=models.PROTECT, related_name="instruments", db_index=False
    )
    item = models.ForeignKey(VerificationItem, verbose_name="检定项目", on_delete=models.PROTECT, related_name="+")
    user_unit = models.CharField("使用单位", max_length=100)
    name = models.CharField("器具名称", max_length=100)
    model = models.CharField("型号规格", max_length=100, blank=True)
    serial_number = models.CharField("出厂编号", max_length=64)
    measuring_range = models.CharField("测量范围", max_length=100, blank=True)
    accuracy_class = models.CharField("准确度等级", max_length=50, blank=True)
    use = models.CharField("用途", max_length=16, choices=InstrumentUse.choices)
    location = models.CharField("安装使用地点", max_length=200, blank=True)
    cycle_months = models.PositiveSmallIntegerField("检定周期（月）")
    last_verified_on = models.DateField("最近检定日期", null=True, blank=True)
    last_result = models.CharField("最近检定结果", max_length=16, choices=VerificationResult.choices, blank=True)
    next_due_on = models.DateField("下次检定日期", null=True, blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)

    objects = StationOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "强检器具"
        verbose_name_plural = "强检器具档案"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "item", "serial_number"],
                name="serial_once_per_station_item",
                violation_error_message="该出厂编号已在本单位该检定项目的档案中。",
            ),
            models.CheckConstraint(name="instrument_cycle_positive", condition=Q(cycle_months__gt=0)),
        ]
        indexes = [
            models.Index(fields=["station", "next_due_on"], name="instrument_station_due"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.serial_number}"


class Verification(models.Model):
    """One verification of an instrument (M1). Station, item and use are copied from the instrument so a
    station's verifications of a year (issue 5 samples from up to a million of them) are read by index alone."""

    # Indexes are chosen, not one per foreign key: each index costs on a 100,000-row import (see Meta).
    instrument = models.ForeignKey(
        Instrument, verbose_name="器具", on_delete=models.CASCADE, related_name="verifications", db_index=False
    )
    # Copies of the instrument's station and item, written by the services only; no database constraint
    # (the instrument's own foreign keys guard them) so an import does not check them twice per row.
    station = models.ForeignKey(
        Station,
        verbose_name="检定单位",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    item = models.ForeignKey(
        VerificationItem,
        verbose_name="检定项目",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    use = models.CharField("用途", max_length=16, choices=InstrumentUse.choices)
    verified_on = models.DateField("检定日期")
    result = models.CharField("检定结果", max_length=16, choices=VerificationResult.choices)
    certificate_number = models.CharField("证书（通知书）编号", max_length=64)
    # No database constraint on verifier and standard: the services resolve both among the station's own
    # resources before saving (R1), and PROTECT still refuses to delete one that a verification names. The two
    # checks per row were the largest part of a 100,000-row import's time (issue 4).
    verifier = models.ForeignKey(
        Personnel,
        verbose_name="检定人员",
        on_delete=models.PROTECT,
        related_name="verifications",
        db_index=False,
        db_constraint=False,
    )
    standard = models.ForeignKey(
        MeasurementStandard,
        verbose_name="所用计量标准",
        on_delete=models.PROTECT,
        related_name="verifications",
        db_index=False,
        db_constraint=False,
    )
    next_due_on = models.DateField("下次检定日期", null=True, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = StationOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "检定记录"
        verbose_name_plural = "检定记录"
        ordering = ["-verified_on", "-id"]
        indexes = [
            models.Index(fields=["station", "verified_on"], name="verification_station_day"),
            models.Index(fields=["station", "use", "verified_on"], name="verification_station_use_day"),
            models.Index(fields=["instrument", "-verified_on"], name="verification_instrument_day"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.verified_on:%Y-%m-%d}"


class ImportJob(models.Model):
    """One Excel import into a station's archive: the task updates progress here and the page polls it."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导入中"
        INVALID = "invalid", "有错误，未导入"
        FAILED = "failed", "文件无法读取，未导入"
        DONE = "done", "已导入"

    FINISHED = (Status.INVALID, Status.FAILED, Status.DONE)

    station = models.ForeignKey(Station, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField("文件名", max_length=200)
    upload = models.BinaryField("文件内容", editable=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    rows_imported = models.PositiveIntegerField("已导入行数", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    errors = models.JSONField("错误明细", default=list, blank=True)  # [[row, column, message], ...]
    error_count = models.PositiveIntegerField("错误数", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Touched whenever the worker reports progress; a running job whose heartbeat is stale is declared failed.
    heartbeat_at = models.DateTimeField("最近进度时间", null=True, blank=True)

    objects = StationOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "档案导入"
        verbose_name_plural = "档案导入记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED
