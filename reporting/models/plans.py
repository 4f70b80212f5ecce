"""Annual mandatory-verification plans (年度强检计划) and the city's issued plan (DOMAIN P1, P2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zzmetro.querysets import StationOwnedQuerySet
from zzmetro.workflow import Move, Workflow

__all__ = ["AnnualPlan", "AnnualPlanLine", "CityPlanIssuance"]


class AnnualPlan(models.Model):
    """A station's plan for `year`, one version per adjustment (P1).

    Version 1 is due by 10 December of the year before; an issued plan is locked and a later adjustment is a
    new version with a reason that goes through review and issuance again.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交，待审核"
        RETURNED = "returned", "已退回修改"
        APPROVED = "approved", "审核通过，待下达"
        ISSUED = "issued", "已下达"
        SUPERSEDED = "superseded", "已被调整版本替代"

    OPEN = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED)
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="annual_plans"
    )
    year = models.PositiveIntegerField("计划年度")
    version = models.PositiveIntegerField("版本", default=1)
    previous = models.OneToOneField(
        "self", verbose_name="调整自", on_delete=models.PROTECT, null=True, blank=True, related_name="adjusted_by"
    )
    adjustment_reason = models.TextField("调整理由", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    due_on = models.DateField("报送截止日", null=True, blank=True, help_text="首版计划应于上一年12月10日前报送")
    first_submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    late_days = models.PositiveIntegerField("逾期天数", default=0)
    return_reason = models.TextField("退回理由", blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issuance = models.ForeignKey(
        "reporting.CityPlanIssuance",
        verbose_name="下达文件",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = StationOwnedQuerySet.as_manager()

    # P1: the only legal moves; the verbs are what a refusal says the plan cannot do.
    workflow = Workflow(
        events="reporting.ReportingEvent",
        event_fields=lambda plan: {"station_id": plan.station_id, "plan": plan},
        moves=[
            Move("submit", "提交", source=[Status.DRAFT, Status.RETURNED], target=Status.SUBMITTED),
            Move("return", "退回修改", source=[Status.SUBMITTED, Status.APPROVED], target=Status.RETURNED),
            Move("approve", "审核通过", source=[Status.SUBMITTED], target=Status.APPROVED),
            Move("issue", "下达", source=[Status.APPROVED], target=Status.ISSUED),
            Move("supersede", "调整", source=[Status.ISSUED], target=Status.SUPERSEDED),
        ],
    )

    class Meta:
        verbose_name = "年度强检计划"
        verbose_name_plural = "年度强检计划"
        ordering = ["-year", "station__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["station", "year", "version"], name="plan_version_once"),
            models.UniqueConstraint(
                fields=["station", "year"],
                condition=Q(status__in=["draft", "submitted", "returned", "approved"]),
                name="one_open_plan_per_station_year",
            ),
        ]

    def __str__(self) -> str:
        suffix = f"（第{self.version}版）" if self.version > 1 else ""
        return f"{self.station.name} {self.year}年度强检计划{suffix}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_late(self) -> bool:
        return self.late_days > 0

    @property
    def total_planned(self) -> int:
        return sum(line.planned_count for line in self.lines.all())


class AnnualPlanLine(models.Model):
    """Plan line: verification item × planned instrument count, optionally the user units (P1)."""

    plan = models.ForeignKey(AnnualPlan, verbose_name="年度计划", on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "authorizations.VerificationItem", verbose_name="检定项目", on_delete=models.PROTECT, related_name="+"
    )
    planned_count = models.PositiveIntegerField("计划检定数量（台件）")
    user_units = models.TextField("使用单位", blank=True, help_text="可选，每行一个单位")

    class Meta:
        verbose_name = "计划明细"
        verbose_name_plural = "计划明细"
        ordering = ["item__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "item"], name="plan_item_once")]

    def __str__(self) -> str:
        return f"{self.item.name} {self.planned_count}"


class CityPlanIssuance(models.Model):
    """The city's annual plan issued (下达) in one action: a PDF notice and an Excel workbook of every line (P1)."""

    year = models.PositiveIntegerField("计划年度")
    version = models.PositiveIntegerField("版本", default=1)
    number = models.CharField("下达文号", max_length=40, unique=True)
    issued_on = models.DateField("下达日期")
    issued_at = models.DateTimeField("下达时间", auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="下达人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField("调整理由", blank=True, help_text="第2版起必填")

    class Meta:
        verbose_name = "年度计划下达"
        verbose_name_plural = "年度计划下达"
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="issuance_version_once")]

    def __str__(self) -> str:
        return f"{self.year}年度强制检定计划（{self.number}）"
