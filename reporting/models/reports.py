"""Monthly reports, quarterly analyses, major-issue reports, reminders and the reporting event log (M2–M8, P2)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zzmetro.appendonly import AppendOnlyQuerySet
from zzmetro.events import EventBase
from zzmetro.querysets import StationOwnedQuerySet
from zzmetro.workflow import Move, Workflow

__all__ = [
    "MajorIssueReport",
    "MonthlyReport",
    "MonthlyReportLine",
    "MonthlyReportVersion",
    "QuarterlyAnalysis",
    "ReminderLog",
    "ReportingEvent",
]


class MonthlyReport(models.Model):
    """Monthly report (月报) of one station for one month, due by the 3rd of the next month (M2).

    The row carries the current status; each submission is a MonthlyReportVersion (M4). Timeliness is that of
    the first submission: a reopened and resubmitted report stays on time if it first came in on time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待报送"
        SUBMITTED = "submitted", "已报送（已锁定）"
        REOPENED = "reopened", "已退回修改"

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="monthly_reports"
    )
    period = models.DateField("报告月份", help_text="该月第一天")
    due_on = models.DateField("报送截止日")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    submitted_at = models.DateTimeField("最近报送时间", null=True, blank=True)
    late_days = models.PositiveIntegerField("逾期天数", null=True, blank=True, help_text="以首次报送为准")
    reopen_reason = models.TextField("退回理由", blank=True)
    flagged = models.BooleanField("存在异常", default=False, help_text="暂停或未授权期间申报了检定数量")
    flag_note = models.TextField("异常说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = StationOwnedQuerySet.as_manager()

    # M2, M4: a submitted report is locked; only the bureau's reopening lets the station submit again.
    workflow = Workflow(
        events="reporting.ReportingEvent",
        event_fields=lambda report: {"station_id": report.station_id, "report": report},
        moves=[
            Move("submit", "报送", source=[Status.PENDING, Status.REOPENED], target=Status.SUBMITTED),
            Move("reopen", "退回修改", source=[Status.SUBMITTED], target=Status.REOPENED),
        ],
    )

    class Meta:
        verbose_name = "月度报表"
        verbose_name_plural = "月度报表"
        ordering = ["-period", "station__name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "period"], name="monthly_report_once"),
            models.CheckConstraint(name="monthly_period_is_first_day", condition=Q(period__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.station.name} {self.period:%Y年%m月}月报"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def timeliness(self) -> str:
        if self.late_days is None:
            return ""
        return "按时" if self.late_days == 0 else f"逾期{self.late_days}天"

    def status_on(self, day: dt.date) -> str:
        """One of on_time, late, overdue, reopened, pending (not yet due) — the bureau's filter values."""
        if self.status == self.Status.REOPENED:
            return "reopened"
        if self.late_days is not None:
            return "on_time" if self.late_days == 0 else "late"
        return "overdue" if day > self.due_on else "pending"


class MonthlyReportVersion(models.Model):
    """One submitted version of a monthly report; kept forever (M4)."""

    report = models.ForeignKey(MonthlyReport, verbose_name="月报", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本")
    is_current = models.BooleanField("当前版本", default=True)
    submitted_at = models.DateTimeField("报送时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    late_days = models.PositiveIntegerField("本次报送逾期天数", default=0)
    source = models.CharField(
        "报送方式", max_length=8, choices=[("form", "在线填报"), ("excel", "Excel导入")], default="form"
    )
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "月报版本"
        verbose_name_plural = "月报版本"
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="monthly_version_once"),
            models.UniqueConstraint(
                fields=["report"], condition=Q(is_current=True), name="one_current_monthly_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} 第{self.number}版"


class MonthlyReportLine(models.Model):
    """Per authorized item: verified, of which qualified and unqualified, first-time with sticker (M2)."""

    version = models.ForeignKey(
        MonthlyReportVersion, verbose_name="报送版本", on_delete=models.PROTECT, related_name="lines"
    )
    item = models.ForeignKey(
        "authorizations.VerificationItem", verbose_name="检定项目", on_delete=models.PROTECT, related_name="+"
    )
    verified = models.PositiveIntegerField("检定数量")
    qualified = models.PositiveIntegerField("合格数量")
    unqualified = models.PositiveIntegerField("不合格数量")
    first_time_sticker = models.PositiveIntegerField("首次检定并加贴强检合格标志数量")
    notes = models.CharField("备注", max_length=200, blank=True)
    flagged = models.BooleanField("异常", default=False)

    class Meta:
        verbose_name = "月报明细"
        verbose_name_plural = "月报明细"
        ordering = ["item__code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "item"], name="monthly_line_item_once"),
            models.CheckConstraint(
                name="qualified_plus_unqualified_is_verified",
                condition=Q(verified=F("qualified") + F("unqualified")),
                violation_error_message="合格数量与不合格数量之和应等于检定数量。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}：检定{self.verified}台件"


def stamped_path(instance, filename: str) -> str:
    return f"quarterly/{instance.station_id}/{instance.year}Q{instance.quarter}-{filename}"


class QuarterlyAnalysis(models.Model):
    """Quarterly statistical analysis (季度统计分析), due with the quarter's last monthly report (M6).

    It is submitted by uploading the copy stamped with the station's seal; a new copy may replace it at any time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待上传盖章件"
        SUBMITTED = "submitted", "已上传盖章件"

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="quarterly_analyses"
    )
    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField(
        "季度", choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]
    )
    due_on = models.DateField("报送截止日")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    narrative = models.TextField("分析说明", blank=True)
    stamped_file = models.FileField("盖章扫描件", upload_to=stamped_path, blank=True)
    stamped_uploaded_at = models.DateTimeField("盖章件上传时间", null=True, blank=True)
    stamped_late_days = models.PositiveIntegerField("逾期天数", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = StationOwnedQuerySet.as_manager()

    # M6: uploading the stamped copy submits the analysis; a later upload replaces the copy.
    workflow = Workflow(
        events="reporting.ReportingEvent",
        event_fields=lambda analysis: {"station_id": analysis.station_id},
        moves=[
            Move("submit", "上传盖章件", source=[Status.PENDING], target=Status.SUBMITTED),
            Move("resubmit", "重新上传盖章件", source=[Status.SUBMITTED], target=Status.SUBMITTED),
        ],
    )

    class Meta:
        verbose_name = "季度统计分析"
        verbose_name_plural = "季度统计分析"
        ordering = ["-year", "-quarter", "station__name"]
        constraints = [models.UniqueConstraint(fields=["station", "year", "quarter"], name="quarterly_once")]

    def __str__(self) -> str:
        return f"{self.station.name} {self.year}年第{self.quarter}季度统计分析"


class MajorIssueReport(models.Model):
    """Major-issue report (重大问题报告): filed at any time, e-mailed to bureau staff at once (M7)."""

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="major_issues"
    )
    title = models.CharField("标题", max_length=100)
    occurred_on = models.DateField("发生日期")
    description = models.TextField("情况说明")
    measures = models.TextField("已采取的措施", blank=True)
    reported_at = models.DateTimeField("报告时间", auto_now_add=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = StationOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "重大问题报告"
        verbose_name_plural = "重大问题报告"
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return f"{self.station.name}：{self.title}"


class ReminderLog(models.Model):
    """One reminder e-mail; the unique constraint decides whether it was already sent (M3, P2).

    The row is inserted (pending) before sending and marked sent after; a failed send leaves it pending, and the
    next attempt sends it. A second run inserts nothing and finds nothing pending.
    """

    class Kind(models.TextChoices):
        MONTHLY = "monthly", "月报"
        PLAN = "plan", "年度计划"

    class Stage(models.TextChoices):
        FIRST = "first", "首次提醒"
        LAST_DAY = "last_day", "截止前提醒"
        OVERDUE = "overdue", "逾期提醒（抄送市局）"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        SKIPPED = "skipped", "发送前已报送，未发送"

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="reporting_reminders"
    )
    kind = models.CharField("类别", max_length=8, choices=Kind.choices)
    period = models.DateField("期间", help_text="月报：报告月份第一天；年度计划：计划年度1月1日")
    stage = models.CharField("提醒阶段", max_length=16, choices=Stage.choices)
    due_on = models.DateField("截止日")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    recipients = models.TextField("收件人", blank=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "催报提醒"
        verbose_name_plural = "催报提醒记录"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["station", "kind", "period", "stage"], name="reminder_once_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.station.name} {self.get_kind_display()} {self.period:%Y-%m} {self.get_stage_display()}"

    @staticmethod
    def topic_for(kind: str, station_id: int, period) -> str:
        """The outbox topic of a station's reminders for one period: submitting withdraws the waiting ones."""
        return f"reminder:{kind}:{station_id}:{period:%Y-%m-%d}"


class ReportingEvent(EventBase):
    """Append-only record of every state change of a plan, a monthly report or a quarterly analysis (A12, M4).

    The shape (codes, labels, actor, time, note, document, subject) is the kernel's `EventBase`; the station and the
    plan or report it concerns are kept as columns of their own, as the portal's history lists read them.
    """

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="reporting_events"
    )
    plan = models.ForeignKey(
        "reporting.AnnualPlan",
        verbose_name="年度计划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    report = models.ForeignKey(
        MonthlyReport, verbose_name="月报", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta(EventBase.Meta):
        verbose_name = "报送记录"
        verbose_name_plural = "报送记录（不可修改）"
