import datetime as dt

from django.conf import settings
from django.db import models

from zzmetro.workflow import Move, Workflow

from .common import StationOwnedQuerySet


def case_file_path(instance, filename: str) -> str:
    return f"{instance._meta.model_name}/{instance.station_id}/{filename}"


class Complaint(models.Model):
    """User complaint (用户投诉): the station notifies the bureau, handles it, files the written result (I5)."""

    class Status(models.TextChoices):
        OPEN = "open", "处理中"
        HANDLED = "handled", "已处理并报送结果"

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="complaints"
    )
    received_on = models.DateField("接到投诉日期")
    complainant = models.CharField("投诉人", max_length=100)
    contact = models.CharField("投诉人联系方式", max_length=100, blank=True)
    subject = models.CharField("投诉事项", max_length=200)
    description = models.TextField("投诉内容")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    handling = models.TextField("处理情况", blank=True)
    result_file = models.FileField("书面处理结果", upload_to=case_file_path, blank=True)
    closed_on = models.DateField("处理完毕日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = StationOwnedQuerySet.as_manager()
    workflow = Workflow(
        events="inspections.SupervisionEvent",
        event_fields=lambda c: {"station": c.station, "subject_label": f"投诉：{c.subject}"[:100]},
        moves=[
            Move("file", "登记用户投诉", source=[""], target=Status.OPEN),
            Move("close", "报送投诉处理结果", source=[Status.OPEN], target=Status.HANDLED),
        ],
    )

    class Meta:
        verbose_name = "用户投诉"
        verbose_name_plural = "用户投诉"
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.station.name}：{self.subject}"

    def age_on(self, day: dt.date) -> int:
        end = self.closed_on or day
        return (end - self.received_on).days


class AnnualEvaluation(models.Model):
    """Annual evaluation (年度考核) against the year's targets; a failed one yields a criticism notice (I6)."""

    class Status(models.TextChoices):
        PREPARED = "prepared", "待录入考核结论"
        CONCLUDED = "concluded", "已有考核结论"

    class Result(models.TextChoices):
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveIntegerField("年度")
    metrics = models.JSONField("考核指标（自动汇总）", default=dict)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PREPARED)
    result = models.CharField("考核结果", max_length=8, choices=Result.choices, blank=True)
    note = models.TextField("考核意见", blank=True)
    evaluated_on = models.DateField("考核日期", null=True, blank=True)
    notice_number = models.CharField("通报批评文号", max_length=40, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="考核人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = StationOwnedQuerySet.as_manager()
    workflow = Workflow(
        events="inspections.SupervisionEvent",
        event_fields=lambda e: {"station": e.station, "subject_label": f"{e.year}年度考核"},
        moves=[
            # Until concluded, the figures may be summed up again (the first time opens the evaluation).
            Move("prepare", "汇总年度考核指标", source=["", Status.PREPARED], target=Status.PREPARED),
            Move("conclude", "录入考核结论", source=[Status.PREPARED], target=Status.CONCLUDED),
        ],
    )

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-year", "station__name"]
        constraints = [models.UniqueConstraint(fields=["station", "year"], name="one_evaluation_per_station_year")]

    def __str__(self) -> str:
        return f"{self.year}年度考核 {self.station}"


def _from_any_to_each(states: list[str]) -> list[Move]:
    return [Move("evaluate", "诚信计量评定", source=["", *states], target=state) for state in states]


class IntegrityEvaluation(models.Model):
    """Integrity-metrology demonstration unit (诚信计量示范单位) status and evaluation date (I7)."""

    class Status(models.TextChoices):
        DEMONSTRATION = "demonstration", "诚信计量示范单位"
        IN_PROGRESS = "in_progress", "评定中"
        NOT_PASSED = "not_passed", "未通过评定"
        WITHDRAWN = "withdrawn", "称号已撤销"

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="integrity_evaluations"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    evaluated_on = models.DateField("评定日期")
    basis = models.CharField("评定依据", max_length=100, default="《河南省商业、服务业诚信计量评定规范》")
    note = models.TextField("说明", blank=True)

    objects = StationOwnedQuerySet.as_manager()
    # Each evaluation is a new row that starts from the station's previous status (or none): any status may follow
    # any other, so the table only records the move; the rows themselves are never changed.
    workflow = Workflow(
        events="inspections.SupervisionEvent",
        event_fields=lambda e: {"station": e.station, "subject_label": "诚信计量示范单位"},
        moves=_from_any_to_each(Status.values),
    )

    class Meta:
        verbose_name = "诚信计量评定"
        verbose_name_plural = "诚信计量示范单位评定"
        ordering = ["-evaluated_on", "-id"]

    def __str__(self) -> str:
        return f"{self.station}：{self.get_status_display()}（{self.evaluated_on:%Y-%m-%d}）"


class Violation(models.Model):
    """Violations register (违规处理台账) of S1 五 (I8)."""

    class Kind(models.TextChoices):
        LATE_REPORTS = "late_reports", "未按时报送强检报表、强检建档数据"
        FAILED_SUPERVISION = "failed_supervision", "监督检查结果不合格"
        LOST_CONDITIONS = "lost_conditions", "达不到原考核条件"
        STILL_FAILING = "still_failing", "经整改仍达不到要求"
        BEYOND_SCOPE = "beyond_scope", "超出授权项目、范围和区域进行检定"
        WHILE_NOT_AUTHORIZED = "while_not_authorized", "暂停期间或授权到期后仍进行检定"
        INVALID_STANDARD = "invalid_standard", "使用未经检定合格或超过有效期的计量标准"
        UNQUALIFIED_PERSONNEL = "unqualified_personnel", "未取得计量检定人员资格从事检定"
        FALSE_CERTIFICATE = "false_certificate", "出具虚假或严重失实的检定证书"
        FORGED_SEALS = "forged_seals", "伪造、盗用、倒卖强制检定印、证"
        OTHER_SERIOUS = "other_serious", "其他严重违法、违规、违纪行为"

    class Action(models.TextChoices):
        CORRECTION_ORDER = "correction_order", "责令改正"
        RECTIFICATION = "rectification", "限期整改"
        PENALTY = "penalty", "责令改正并行政处罚"
        REVOCATION = "revocation", "撤销计量授权"

    class Status(models.TextChoices):
        OPEN = "open", "处理中"
        CLOSED = "closed", "已结案"

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="violations"
    )
    kind = models.CharField("违规情形", max_length=32, choices=Kind.choices)
    found_on = models.DateField("发现日期")
    description = models.TextField("事实和证据说明")
    evidence = models.FileField("证据材料", upload_to=case_file_path, blank=True)
    action = models.CharField("处理措施", max_length=20, choices=Action.choices)
    decided_on = models.DateField("决定日期")
    deadline = models.DateField("整改/改正期限", null=True, blank=True)
    notice_number = models.CharField("通知书/决定书文号", max_length=40, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    closing_note = models.TextField("结案说明", blank=True)
    certificate = models.ForeignKey(
        "authorizations.Certificate",
        verbose_name="被撤销证书",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = StationOwnedQuerySet.as_manager()
    workflow = Workflow(
        events="inspections.SupervisionEvent",
        event_fields=lambda v: {"station": v.station, "subject_label": f"违规处理 {v.notice_number}"},
        moves=[
            Move("register", "登记违规处理", source=[""], target=Status.OPEN),
            Move("close", "结案", source=[Status.OPEN], target=Status.CLOSED),
        ],
    )

    class Meta:
        verbose_name = "违规处理"
        verbose_name_plural = "违规处理台账"
        ordering = ["-found_on", "-id"]

    def __str__(self) -> str:
        return f"{self.station}：{self.get_kind_display()}"
