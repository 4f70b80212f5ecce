from django.conf import settings
from django.db import models
from django.db.models import Q

from zzmetro.workflow import Move, Workflow

from .common import StationOwnedQuerySet


class SamplingPolicy(models.Model):
    """I3 policy rows: the previous year's pass rate decides the re-verification sampling ratio.

    The row with the highest `min_pass_rate` not above the pass rate applies; the row marked
    `used_without_data` applies to a station with no results last year. Admin-editable.
    """

    min_pass_rate = models.DecimalField("上年合格率下限（%）", max_digits=5, decimal_places=2, unique=True)
    ratio_percent = models.DecimalField("抽样比例（%）", max_digits=5, decimal_places=2)
    used_without_data = models.BooleanField("无上年数据时适用", default=False)
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "抽样比例政策"
        verbose_name_plural = "抽样比例政策"
        ordering = ["-min_pass_rate"]
        constraints = [
            models.UniqueConstraint(
                fields=["used_without_data"], condition=Q(used_without_data=True), name="one_policy_without_data"
            ),
            models.CheckConstraint(
                name="policy_rates_are_percentages",
                condition=Q(min_pass_rate__gte=0, min_pass_rate__lte=100, ratio_percent__gt=0, ratio_percent__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"合格率≥{self.min_pass_rate}% → 抽样{self.ratio_percent}%"


class SupervisionPlan(models.Model):
    """The bureau's yearly supervision re-verification plan (监督检定计划), naming the institution (I2)."""

    year = models.PositiveIntegerField("年度", unique=True)
    institution = models.CharField("承担复核检定的法定计量检定机构", max_length=100)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "监督检定计划"
        verbose_name_plural = "监督检定计划"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年监督检定计划"


class SamplingRatio(models.Model):
    """Result of the yearly ratio job for one station, with the numbers it came from (I2, I3)."""

    year = models.PositiveIntegerField("年度")
    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="sampling_ratios"
    )
    previous_tested = models.PositiveIntegerField("上年复核数", default=0)
    previous_passed = models.PositiveIntegerField("上年合格数", default=0)
    previous_pass_rate = models.DecimalField("上年合格率（%）", max_digits=7, decimal_places=4, null=True, blank=True)
    ratio_percent = models.DecimalField("抽样比例（%）", max_digits=5, decimal_places=2)
    policy = models.CharField("适用政策", max_length=100)
    plan_total = models.PositiveIntegerField("年度强检计划台件数", default=0)
    sample_size = models.PositiveIntegerField("应抽样台件数")
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    objects = StationOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "抽样比例"
        verbose_name_plural = "抽样比例计算结果"
        ordering = ["-year", "station__name"]
        constraints = [models.UniqueConstraint(fields=["year", "station"], name="one_ratio_per_station_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.station} {self.ratio_percent}%"


class SampleDrawQuerySet(StationOwnedQuerySet):
    def for_user(self, user, action: str = "view"):
        """Officers see a draw only once it has been notified to their station (I2)."""
        queryset = super().for_user(user, action)
        if getattr(user, "is_officer", False):
            queryset = queryset.filter(notified_on__isnull=False)
        return queryset


class SampleDraw(models.Model):
    """A station's re-verification sample for the year: random with a stored seed (I4).

    Drawn, then every item's result entered, then the results notified to the station (I2).
    """

    class Status(models.TextChoices):
        DRAWN = "drawn", "已抽样，待复核"
        RESULTS_ENTERED = "results_entered", "复核结果已录入"
        NOTIFIED = "notified", "已告知单位"

    plan = models.ForeignKey(
        SupervisionPlan, verbose_name="监督检定计划", on_delete=models.PROTECT, related_name="draws"
    )
    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="sample_draws"
    )
    seed = models.BigIntegerField("随机种子")
    size = models.PositiveIntegerField("抽样台件数")
    population = models.PositiveIntegerField("可抽样检定记录数")
    trade_population = models.PositiveIntegerField("其中贸易结算")
    drawn_at = models.DateTimeField("抽样时间", auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽样人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    notified_on = models.DateField("结果告知日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAWN)

    objects = SampleDrawQuerySet.as_manager()
    workflow = Workflow(
        events="inspections.SupervisionEvent",
        event_fields=lambda d: {"station": d.station, "subject_label": f"{d.plan.year}年复核检定抽样"},
        moves=[
            Move("draw", "抽取样本", source=[""], target=Status.DRAWN),
            Move("enter_results", "录入复核结果", source=[Status.DRAWN], target=Status.RESULTS_ENTERED),
            # A draw of no items has nothing to enter; the service refuses while any result is pending.
            Move("notify", "告知复核结果", source=[Status.DRAWN, Status.RESULTS_ENTERED], target=Status.NOTIFIED),
        ],
    )

    class Meta:
        verbose_name = "复核检定抽样"
        verbose_name_plural = "复核检定抽样"
        ordering = ["-plan__year", "station__name"]
        constraints = [models.UniqueConstraint(fields=["plan", "station"], name="one_draw_per_station_plan")]

    def __str__(self) -> str:
        return f"{self.plan.year} {self.station} 抽样{self.size}台件"


class SampleItem(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", "待复核"
        QUALIFIED = "qualified", "合格"
        UNQUALIFIED = "unqualified", "不合格"
        REFUSED = "refused", "拒不配合（按不合格）"

    draw = models.ForeignKey(SampleDraw, verbose_name="抽样", on_delete=models.CASCADE, related_name="items")
    verification = models.ForeignKey(
        "reporting.Verification", verbose_name="被抽检定记录", on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("复核结果", max_length=16, choices=Result.choices, default=Result.PENDING)
    recorded_on = models.DateField("复核日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "抽样器具"
        verbose_name_plural = "抽样器具"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["draw", "verification"], name="verification_once_per_draw")]

    def __str__(self) -> str:
        return f"{self.verification.instrument}：{self.get_result_display()}"

    @property
    def counts_as_failed(self) -> bool:
        """I2: refusing to cooperate counts the refused sample as failed."""
        return self.result in (self.Result.UNQUALIFIED, self.Result.REFUSED)
