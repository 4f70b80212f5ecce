"""Kernel tables: the outgoing-mail outbox."""
from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """One outgoing e-mail (待发邮件): written in the transaction of the change that causes it, delivered after.

    A broker or mail-server outage therefore never fails the user's action nor loses the notice: the row waits
    here and is retried with back-off until it is delivered, cancelled or given up (then staff resend it).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "多次发送失败"
        CANCELLED = "cancelled", "已取消（无需发送）"

    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    subject = models.CharField("主题", max_length=300)
    body = models.TextField("正文")
    from_email = models.CharField("发件人", max_length=254, blank=True)
    to = models.JSONField("收件人", default=list)
    cc = models.JSONField("抄送", default=list, blank=True)
    bcc = models.JSONField("密送", default=list, blank=True)
    reply_to = models.JSONField("回复地址", default=list, blank=True)
    alternatives = models.JSONField("其他格式正文", default=list, blank=True)  # [[content, mimetype], …]
    topic = models.CharField(
        "业务标识", max_length=120, blank=True, db_index=True,
        help_text="同一业务的待发邮件可一并取消，例如单位报送后不再发送催报提醒。",
    )
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    next_attempt_at = models.DateTimeField("下次发送时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发邮件"
        verbose_name_plural = "邮件发送队列"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.subject}（{self.get_status_display()}）"

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]
