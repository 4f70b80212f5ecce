import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from authorizations import authority
from zzmetro.dates import add_years
from zzmetro.querysets import StationOwnedQuerySet
from zzmetro.workflow import Move, Workflow

from .stations import Station, VerificationItem


class CertificateQuerySet(StationOwnedQuerySet):
    def in_force_on(self, day: dt.date):
        """Certificates under which the station may verify on `day` (A6, A9, A10, A11; see authority.py)."""
        return self.filter(authority.in_force_on_q(day))

    def current_on(self, day: dt.date):
        """Certificates that are the station's live authority on `day` (in force or suspended)."""
        return self.filter(authority.live_on_q(day))

    def live_in(self, start: dt.date, end: dt.date):
        """Certificates live on at least one day from `start` through `end`."""
        return self.filter(authority.live_in_q((start, end)))


class Certificate(models.Model):
    """Authorization certificate (计量授权证书), valid three years (DOMAIN A5, A6)."""

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂停"
        TERMINATED = "terminated", "已批准终止"
        REVOKED = "revoked", "已撤销"

    class State(models.TextChoices):
        """What the certificate means on a given day, derived from dates and status."""

        NOT_YET = "not_yet", "尚未生效"
        IN_FORCE = "in_force", "有效"
        SUSPENDED = "suspended", "暂停授权"
        EXPIRED = "expired", "已过期"
        TERMINATED = "terminated", "已终止"
        REVOKED = "revoked", "已撤销"

    number = models.CharField("证书编号", max_length=32, unique=True)
    station = models.ForeignKey(
        Station, verbose_name="被授权单位", on_delete=models.PROTECT, related_name="certificates"
    )
    application = models.OneToOneField(
        "authorizations.Application",
        verbose_name="依据申请",
        on_delete=models.PROTECT,
        related_name="issued_certificate",
    )
    previous = models.OneToOneField(
        "self", verbose_name="延续自", on_delete=models.PROTECT, null=True, blank=True, related_name="renewed_by"
    )
    items = models.ManyToManyField(
        VerificationItem, through="CertificateItem", verbose_name="授权检定项目", related_name="+"
    )
    area = models.CharField("检定区域", max_length=200)
    issued_on = models.DateField("发证日期")
    valid_from = models.DateField("有效期起")
    expires_on = models.DateField("有效期至")
    seal_number = models.CharField("计量授权检定专用章编号", max_length=40)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.VALID)
    # A9 termination: the approved end date; the station stays authorized through it.
    terminated_on = models.DateField("终止日期", null=True, blank=True)
    # A11 revocation.
    revoked_on = models.DateField("撤销决定日期", null=True, blank=True)
    revocation_number = models.CharField("撤销决定书编号", max_length=40, blank=True)
    revocation_reason = models.TextField("撤销理由", blank=True)
    seal_returned_on = models.DateField("专用章交回日期", null=True, blank=True)
    certificate_returned_on = models.DateField("证书交回日期", null=True, blank=True)
    history = HistoricalRecords(
        verbose_name="证书变更记录", verbose_name_plural="证书变更记录", excluded_fields=["application", "previous"]
    )

    objects = CertificateQuerySet.as_manager()

    # A9–A11: a certificate is issued valid (with its application's certificate_issue event); then only these moves.
    workflow = Workflow(
        events="authorizations.LifecycleEvent",
        event_fields=lambda c: {"station": c.station, "certificate": c},
        moves=[
            Move("suspend", "暂停授权", source=[Status.VALID], target=Status.SUSPENDED),
            Move("lift", "恢复授权", source=[Status.SUSPENDED], target=Status.VALID),
            Move("termination_approve", "批准终止", source=[Status.VALID], target=Status.TERMINATED),
            Move(
                "revoke", "撤销授权", source=[Status.VALID, Status.SUSPENDED, Status.TERMINATED], target=Status.REVOKED
            ),
        ],
    )

    class Meta:
        verbose_name = "计量授权证书"
        verbose_name_plural = "计量授权证书"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="certificate_validity_ordered", condition=Q(expires_on__gt=models.F("valid_from"))
            ),
            models.CheckConstraint(
                name="revoked_certificate_has_decision",
                condition=~Q(status="revoked") | Q(revoked_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @staticmethod
    def expiry_for(valid_from: dt.date) -> dt.date:
        """A6: valid three years, through the day before the anniversary (29 Feb → 28 Feb)."""
        return add_years(valid_from, settings.ZZ_POLICY["CERTIFICATE_VALID_YEARS"]) - dt.timedelta(days=1)

    @property
    def return_due_on(self) -> dt.date | None:
        """A11: seal and certificate are due back 30 days after the revocation decision."""
        if self.revoked_on is None:
            return None
        return self.revoked_on + dt.timedelta(days=settings.ZZ_POLICY["REVOCATION_RETURN_DAYS"])

    def return_overdue_on(self, day: dt.date) -> bool:
        due = self.return_due_on
        outstanding = self.seal_returned_on is None or self.certificate_returned_on is None
        return due is not None and outstanding and day > due

    def state_on(self, day: dt.date, *, suspended: bool | None = None) -> "Certificate.State":
        return self.State(authority.state_on(self, day, suspended=suspended))

    def is_live_on(self, day: dt.date) -> bool:
        """The station's live authority on `day`: in force or suspended."""
        return authority.live_on(self, day)


class CertificateItem(models.Model):
    """An item on a certificate; items added during validity (A8) carry the day they joined."""

    certificate = models.ForeignKey(
        Certificate, verbose_name="证书", on_delete=models.CASCADE, related_name="certificate_items"
    )
    item = models.ForeignKey(VerificationItem, verbose_name="检定项目", on_delete=models.PROTECT, related_name="+")
    added_on = models.DateField("授权日期")
    application = models.ForeignKey(
        "authorizations.Application", on_delete=models.PROTECT, related_name="+", verbose_name="依据申请"
    )

    class Meta:
        verbose_name = "授权检定项目"
        verbose_name_plural = "授权检定项目"
        ordering = ["item__code"]
        constraints = [models.UniqueConstraint(fields=["certificate", "item"], name="item_once_per_certificate")]

    def __str__(self) -> str:
        return str(self.item)


class Suspension(models.Model):
    """Suspension of authorization (暂停授权), DOMAIN A10: the station may not verify while it lasts."""

    certificate = models.ForeignKey(
        Certificate, verbose_name="证书", on_delete=models.PROTECT, related_name="suspensions"
    )
    starts_on = models.DateField("暂停起始日")
    planned_end_on = models.DateField("暂停期限至")
    reason = models.TextField("暂停理由")
    lifted_on = models.DateField("恢复日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "暂停授权"
        verbose_name_plural = "暂停授权"
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"], condition=Q(lifted_on__isnull=True), name="one_open_suspension"
            ),
            models.CheckConstraint(
                name="suspension_period_ordered", condition=Q(planned_end_on__gte=models.F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate.number} 暂停 {self.starts_on}"

    def covers(self, day: dt.date) -> bool:
        """Suspended from `starts_on` until lifted (the planned end is a deadline, not an automatic lift)."""
        return authority.covers(authority.suspension_span(self), day)


class TerminationRequest(models.Model):
    """Written termination report (终止授权书面报告), DOMAIN A9."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "不予批准"

    certificate = models.ForeignKey(
        Certificate, verbose_name="证书", on_delete=models.PROTECT, related_name="terminations"
    )
    reported_on = models.DateField("报告日期")
    requested_end_on = models.DateField("拟终止日期")
    reason = models.TextField("终止原因")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    # A9: the written report is filed, then approved or rejected once.
    workflow = Workflow(
        events="authorizations.LifecycleEvent",
        event_fields=lambda t: {"station": t.certificate.station, "certificate": t.certificate},
        moves=[
            Move("termination_report", "提交终止授权报告", source=[""], target=Status.SUBMITTED),
            Move("termination_approve", "批准终止", source=[Status.SUBMITTED], target=Status.APPROVED),
            Move("termination_reject", "不予批准", source=[Status.SUBMITTED], target=Status.REJECTED),
        ],
    )

    class Meta:
        verbose_name = "终止授权报告"
        verbose_name_plural = "终止授权报告"
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"], condition=Q(status="submitted"), name="one_open_termination"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate.number} 终止报告 {self.reported_on}"


class DocumentSequence(models.Model):
    """Yearly running numbers for applications, notices and certificates (locked row per kind and year)."""

    kind = models.CharField("文书类型", max_length=16)
    year = models.PositiveIntegerField("年度")
    last = models.PositiveIntegerField("已用到的编号", default=0)

    class Meta:
        verbose_name = "文书编号"
        verbose_name_plural = "文书编号"
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="one_sequence_per_kind_year")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.kind} 已编至{self.last}号"
