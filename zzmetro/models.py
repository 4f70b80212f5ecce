"""Kernel tables: the outgoing-mail outbox and the security audit log."""

from django.db import models
from django.utils import timezone

from zzmetro.appendonly import AppendOnlyModel, AppendOnlyQuerySet


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
        "业务标识",
        max_length=120,
        blank=True,
        db_index=True,
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


class SecurityEvent(AppendOnlyModel):
    """One security event (安全审计记录, DOMAIN G2): who did what to which object, from where, and how it ended.

    Append-only like the lifecycle events, with one difference the law allows: rows older than the retention floor
    (180 days, 网络安全法 第二十一条) may be purged. The database enforces both (zzmetro/audit.py): it refuses every
    UPDATE, and a DELETE of any row younger than the floor, whoever asks.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "登录成功"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKOUT = "lockout", "登录锁定"
        LOGOUT = "logout", "退出登录"
        PASSWORD_CHANGE = "password_change", "修改密码"
        PASSWORD_RESET_REQUEST = "password_reset_request", "申请重置密码"
        PASSWORD_RESET = "password_reset", "重置密码"
        ACCOUNT_CREATE = "account_create", "新建账号"
        ACCOUNT_CHANGE = "account_change", "账号变更"
        ROLE_CHANGE = "role_change", "角色变更"
        ACCOUNT_DELETE = "account_delete", "删除账号"
        EXPORT = "export", "导出数据"
        DOWNLOAD = "download", "下载文件"
        ADMIN_ADD = "admin_add", "后台新增"
        ADMIN_CHANGE = "admin_change", "后台修改"
        ADMIN_DELETE = "admin_delete", "后台删除"
        ADMIN_ACTION = "admin_action", "后台办理"

    SUCCESS = "成功"
    FAILURE = "失败"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    event = models.CharField("事件", max_length=32, choices=Kind.choices, db_index=True)
    # Text, not a foreign key: the record outlives the account, and a cascade could never delete it anyway.
    account = models.CharField("账号", max_length=150, blank=True, db_index=True)
    address = models.CharField("来源地址", max_length=64, blank=True)
    target = models.CharField("操作对象", max_length=300, blank=True)
    result = models.CharField("结果", max_length=40, default=SUCCESS)
    detail = models.TextField("说明", blank=True)
    path = models.CharField("请求地址", max_length=300, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "安全审计记录"
        verbose_name_plural = "安全审计日志（不可修改）"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        who = self.account or "匿名"
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S} {who} {self.get_event_display()}（{self.result}）"


class TableChange(models.Model):
    """One committed write statement on a table (数据变更记录), written by the table's trigger, read by page stamps.

    Pages kept rendered (zzmetro/pagecache.py) compare these rows' count and newest id per table with what they
    were when the page was rendered; a nightly job folds each table's rows into one.
    """

    table_name = models.CharField("数据表", max_length=63)

    class Meta:
        verbose_name = "数据变更记录"
        verbose_name_plural = "数据变更记录"
        indexes = [models.Index(fields=["table_name", "id"], name="tablechange_table_id")]

    def __str__(self) -> str:
        return f"{self.table_name} 第{self.pk}次变更"
