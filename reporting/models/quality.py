"""Data-quality flags on monthly reports (数据质量提示) and the bureau's follow-up of each (DOMAIN Q1–Q4).

A flag is computed, never typed: `reporting.services.quality` raises it when a report is submitted and re-checks it
when the archive changes. It never blocks a submission (Q4); bureau staff mark each one explained (with a note) or
confirmed, through the table below, and every mark is an event (A12).
"""

from django.db import models
from django.db.models import Q

from zzmetro.appendonly import AppendOnlyQuerySet
from zzmetro.events import EventBase
from zzmetro.querysets import StationOwnedQuerySet
from zzmetro.workflow import Move, Workflow

__all__ = ["QualityFlag", "QualityFlagEvent"]


class QualityFlag(models.Model):
    """One data-quality flag (数据质量提示) on a station's monthly report, for one item or the whole report."""

    class Kind(models.TextChoices):
        OUTLIER = "outlier", "数量明显偏离本单位历史"  # Q1
        ARCHIVE = "archive", "报表与档案不符"  # Q2
        NIL = "nil", "报告本月无检定，档案却有检定记录"  # Q3

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        EXPLAINED = "explained", "已说明"
        CONFIRMED = "confirmed", "已确认存在问题"
        CLEARED = "cleared", "复核后已不存在"

    FOLLOW_UP = (Status.OPEN,)

    report = models.ForeignKey(
        "reporting.MonthlyReport", verbose_name="月报", on_delete=models.PROTECT, related_name="quality_flags"
    )
    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="quality_flags"
    )
    period = models.DateField("报告月份")
    item = models.ForeignKey(
        "authorizations.VerificationItem",
        verbose_name="检定项目",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField("提示类别", max_length=16, choices=Kind.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    reported = models.PositiveIntegerField("月报检定数量")
    reference = models.PositiveIntegerField("对照数量", help_text="历史中位数或档案中的检定记录数")
    low = models.IntegerField("合理范围下限", null=True, blank=True)
    high = models.IntegerField("合理范围上限", null=True, blank=True)
    detail = models.CharField("说明", max_length=300)
    raised_at = models.DateTimeField("发现时间", auto_now_add=True)
    checked_at = models.DateTimeField("最近复核时间", auto_now=True)

    objects = StationOwnedQuerySet.as_manager()

    workflow = Workflow(
        events="reporting.QualityFlagEvent",
        event_fields=lambda flag: {"station_id": flag.station_id, "flag": flag},
        moves=[
            Move("explain", "说明", source=[Status.OPEN], target=Status.EXPLAINED),
            Move("confirm", "确认存在问题", source=[Status.OPEN], target=Status.CONFIRMED),
            Move("clear", "复核后消除", source=[Status.OPEN], target=Status.CLEARED),
            Move("reraise", "复核后再次提示", source=[Status.CLEARED], target=Status.OPEN),
        ],
    )

    class Meta:
        verbose_name = "数据质量提示"
        verbose_name_plural = "数据质量提示"
        ordering = ["-period", "station__name", "kind", "item__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind", "item"], condition=Q(item__isnull=False), name="quality_flag_once_per_item"
            ),
            models.UniqueConstraint(
                fields=["report", "kind"], condition=Q(item__isnull=True), name="quality_flag_once_per_report"
            ),
        ]
        indexes = [models.Index(fields=["status", "period"], name="quality_flag_status_period")]

    def __str__(self) -> str:
        what = f"{self.item.name}：" if self.item_id else ""
        return f"{self.station.name} {self.period:%Y年%m月} {what}{self.get_kind_display()}"


class QualityFlagEvent(EventBase):
    """Append-only record of every mark on a data-quality flag (Q4, A12)."""

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    flag = models.ForeignKey(QualityFlag, verbose_name="数据质量提示", on_delete=models.PROTECT, related_name="events")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta(EventBase.Meta):
        verbose_name = "数据质量提示处理记录"
        verbose_name_plural = "数据质量提示处理记录（不可修改）"
