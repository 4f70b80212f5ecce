import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from zzmetro.workflow import Move, Workflow

from .common import StationOwnedQuerySet


class Inspection(models.Model):
    """On-site inspection (现场检查), at least one per authorized station and calendar year (DOMAIN I1)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "待检查"
        RECORDED = "recorded", "已检查"

    class Result(models.TextChoices):
        PASS = "pass", "合格"
        RECTIFY = "rectify", "限期整改"
        FAIL = "fail", "不合格"

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="被检查单位", on_delete=models.PROTECT, related_name="inspections"
    )
    planned_on = models.DateField("计划检查日期")
    held_on = models.DateField("检查日期", null=True, blank=True)
    inspectors = models.CharField("检查人员", max_length=200, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PLANNED)
    result = models.CharField("检查结论", max_length=16, choices=Result.choices, blank=True)
    summary = models.TextField("检查意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StationOwnedQuerySet.as_manager()
    workflow = Workflow(
        events="inspections.SupervisionEvent",
        event_fields=lambda i: {"station": i.station, "subject_label": f"{i.held_on or i.planned_on:%Y-%m-%d}现场检查"},
        moves=[
            Move("plan", "安排现场检查", source=[""], target=Status.PLANNED),
            Move("record", "录入现场检查结果", source=[Status.PLANNED], target=Status.RECORDED, refusal="不能重复记录"),
        ],
    )

    class Meta:
        verbose_name = "现场检查"
        verbose_name_plural = "现场检查"
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["station", "held_on"])]

    def __str__(self) -> str:
        return f"{self.station.name} {self.held_on or self.planned_on:%Y-%m-%d} 现场检查"

    @property
    def is_recorded(self) -> bool:
        return self.status == self.Status.RECORDED


class InspectionFinding(models.Model):
    """Finding per checked area of S1 四(十一)."""

    class Area(models.TextChoices):
        TRACEABILITY = "traceability", "计量标准量值溯源和日常运行"
        CONFORMITY = "conformity", "检定工作的规范性"
        RECORDS = "records", "检定记录、证书和质量记录的完整性、真实性"
        VIOLATIONS = "violations", "违法、违规、违纪行为"
        QUALITY_SYSTEM = "quality_system", "质量体系运行有效性"

    class Result(models.TextChoices):
        CONFORMS = "conforms", "符合"
        MINOR = "minor", "基本符合"
        NONCONFORMS = "nonconforms", "不符合"

    inspection = models.ForeignKey(
        Inspection, verbose_name="现场检查", on_delete=models.CASCADE, related_name="findings"
    )
    area = models.CharField("检查内容", max_length=20, choices=Area.choices)
    result = models.CharField("检查结果", max_length=16, choices=Result.choices)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "检查项结果"
        verbose_name_plural = "检查项结果"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "area"], name="one_finding_per_area")]

    def __str__(self) -> str:
        return f"{self.get_area_display()}：{self.get_result_display()}"


class RectificationQuerySet(StationOwnedQuerySet):
    station_lookup = "inspection__station_id"

    def overdue_on(self, day: dt.date):
        """Past the deadline with no report from the station; a report awaiting staff's check is not overdue (I1)."""
        return self.filter(status=Rectification.Status.OPEN, deadline__lt=day)

    def awaiting_review(self):
        """Reports the station has filed that staff have not yet accepted (I1)."""
        return self.filter(status=Rectification.Status.ANSWERED)


def evidence_path(instance, filename: str) -> str:
    return f"rectifications/{instance.inspection.station_id}/{instance.pk or 'new'}/{filename}"


class Rectification(models.Model):
    """Rectification notice (整改通知书) with a deadline; the station answers, staff close or extend (I1, I8)."""

    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        ANSWERED = "answered", "已报送整改报告"
        CLOSED = "closed", "已关闭"

    inspection = models.OneToOneField(
        Inspection, verbose_name="现场检查", on_delete=models.PROTECT, related_name="rectification"
    )
    number = models.CharField("整改通知书编号", max_length=40, unique=True)
    issued_on = models.DateField("下达日期")
    requirements = models.TextField("整改要求")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField("整改报告", blank=True)
    evidence = models.FileField("整改证明材料", upload_to=evidence_path, blank=True)
    answered_on = models.DateField("报送日期", null=True, blank=True)
    closed_on = models.DateField("关闭日期", null=True, blank=True)
    closing_note = models.TextField("验收意见", blank=True)
    extensions = models.PositiveSmallIntegerField("延期次数", default=0)

    objects = RectificationQuerySet.as_manager()
    workflow = Workflow(
        events="inspections.SupervisionEvent",
        event_fields=lambda r: {"station": r.inspection.station, "subject_label": f"整改通知书 {r.number}"},
        moves=[
            Move("issue", "下达整改通知书", source=[""], target=Status.OPEN),
            Move("answer", "报送整改报告", source=[Status.OPEN, Status.ANSWERED], target=Status.ANSWERED),
            Move("extend", "延长整改期限", source=[Status.OPEN, Status.ANSWERED], target=Status.OPEN),
            Move(
                "close",
                "验收关闭",
                source=[Status.ANSWERED],
                target=Status.CLOSED,
                refusal="单位报送整改报告后才能关闭",
            ),
        ],
    )

    class Meta:
        verbose_name = "整改通知"
        verbose_name_plural = "整改通知"
        ordering = ["deadline"]
        constraints = [
            models.CheckConstraint(
                name="closed_rectification_has_date", condition=~Q(status="closed") | Q(closed_on__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue_on(self, day: dt.date) -> bool:
        """The station owes its report and the deadline has passed; once it has reported, the wait is staff's."""
        return self.status == self.Status.OPEN and day > self.deadline
