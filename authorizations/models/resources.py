"""Station resources (S1 四(二)(三)(八)): measurement standards and verifying personnel (DOMAIN R1, R2)."""

import datetime as dt

from django.db import models
from django.db.models import Q

from zzmetro.querysets import StationOwnedQuerySet

from .stations import Station, VerificationItem

__all__ = ["ExpiryWarning", "MeasurementStandard", "Personnel", "StationCapability"]


class Validity(models.TextChoices):
    """A certificate's standing on a day (DOMAIN R2)."""

    VALID = "valid", "有效"
    EXPIRING = "expiring", "即将到期"
    EXPIRED = "expired", "已过期"


class ValidityMixin(models.Model):
    valid_until = models.DateField("证书有效期至")

    class Meta:
        abstract = True

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_until >= day

    def validity_on(self, day: dt.date, *, warn_days: int = 90) -> Validity:
        if self.valid_until < day:
            return Validity.EXPIRED
        if (self.valid_until - day).days <= warn_days:
            return Validity.EXPIRING
        return Validity.VALID


class MeasurementStandard(ValidityMixin):
    """Measurement standard (计量标准) with its assessment certificate (计量标准考核证书) and filing (备案), DOMAIN R1."""

    class Filing(models.TextChoices):
        FILED = "filed", "已备案"
        PENDING = "pending", "备案中"
        NOT_FILED = "not_filed", "未备案"

    station = models.ForeignKey(Station, verbose_name="单位", on_delete=models.PROTECT, related_name="standards")
    name = models.CharField("计量标准名称", max_length=100)
    certificate_number = models.CharField("计量标准考核证书编号", max_length=40)
    issued_on = models.DateField("发证日期", null=True, blank=True)
    filing_status = models.CharField("备案状态", max_length=16, choices=Filing.choices, default=Filing.FILED)
    filing_number = models.CharField("备案号", max_length=40, blank=True)
    items = models.ManyToManyField(VerificationItem, verbose_name="适用检定项目", related_name="+")
    notes = models.CharField("备注", max_length=200, blank=True)

    objects = StationOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "计量标准"
        verbose_name_plural = "计量标准"
        ordering = ["valid_until", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "certificate_number"], name="standard_certificate_once_per_station"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_number}）"


class Personnel(ValidityMixin):
    """Verifying person (检定人员) with a 计量检定员证 or 注册计量师注册证 for named items, DOMAIN R1."""

    class CertificateType(models.TextChoices):
        VERIFIER = "verifier", "计量检定员证"
        REGISTERED = "registered", "注册计量师注册证"

    station = models.ForeignKey(Station, verbose_name="单位", on_delete=models.PROTECT, related_name="personnel")
    name = models.CharField("姓名", max_length=50)
    certificate_type = models.CharField("证书类型", max_length=16, choices=CertificateType.choices)
    certificate_number = models.CharField("证书编号", max_length=40)
    items = models.ManyToManyField(VerificationItem, verbose_name="可检定项目", related_name="+")

    objects = StationOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "检定人员"
        verbose_name_plural = "检定人员"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "certificate_type", "certificate_number"], name="person_certificate_once_per_station"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_number}）"


class ExpiryWarning(models.Model):
    """Sent-log of R2 expiry warnings: the unique constraint, not a lookup, decides whether one was sent.

    The expiry date is part of the key, so a renewed certificate (new date) is warned about again.
    """

    station = models.ForeignKey(Station, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey(
        MeasurementStandard,
        verbose_name="计量标准",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="warnings",
    )
    person = models.ForeignKey(
        Personnel, verbose_name="检定人员", on_delete=models.CASCADE, null=True, blank=True, related_name="warnings"
    )
    threshold_days = models.PositiveSmallIntegerField("提前天数")
    expires_on = models.DateField("证书有效期至")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "到期提醒记录"
        verbose_name_plural = "到期提醒记录"
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "threshold_days", "expires_on"],
                condition=Q(standard__isnull=False),
                name="standard_warned_once_per_threshold",
            ),
            models.UniqueConstraint(
                fields=["person", "threshold_days", "expires_on"],
                condition=Q(person__isnull=False),
                name="person_warned_once_per_threshold",
            ),
            models.CheckConstraint(
                name="warning_names_one_resource",
                condition=Q(standard__isnull=False, person__isnull=True)
                | Q(standard__isnull=True, person__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard or self.person} 提前{self.threshold_days}天到期提醒"


class StationCapability(Station):
    """Admin view of a station's resources: which items are verifiable today (DOMAIN R2)."""

    class Meta:
        proxy = True
        verbose_name = "检定能力（计量标准与人员）"
        verbose_name_plural = "检定能力（计量标准与人员）"
