"""Kernel pages in the admin: the mail outbox (staff see what waits or failed, and resend failed mail) and the
security audit log (read by bureau staff and managers, filtered and exported, never changed)."""

from django.contrib import admin, messages

from zzmetro import outbox
from zzmetro.admin_site import ReadOnlyAdmin
from zzmetro.dates import beijing_today
from zzmetro.exports import Column, xlsx_response
from zzmetro.models import OutboxMessage, SecurityEvent


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "subject", "recipient_list", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("subject", "to", "topic")
    date_hierarchy = "created_at"
    actions = ("resend",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    list_per_page = 50

    @admin.display(description="收件人")
    def recipient_list(self, obj):
        return "、".join(obj.recipients)

    def has_resend_permission(self, request):
        return request.user.has_perm("zzmetro.change_outboxmessage")

    @admin.action(description="重新发送所选的失败或已取消邮件", permissions=["resend"])
    def resend(self, request, queryset):
        count = outbox.resend(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"已将{count}封邮件重新放入发送队列（已发送的邮件不会重复发送）。", messages.SUCCESS)


SECURITY_EVENT_COLUMNS = (
    Column("时间", lambda e: e.at, 18),
    Column("账号", lambda e: e.account, 16),
    Column("来源地址", lambda e: e.address, 16),
    Column("事件", lambda e: e.get_event_display(), 12),
    Column("操作对象", lambda e: e.target, 40),
    Column("结果", lambda e: e.result, 10),
    Column("说明", lambda e: e.detail, 40),
    Column("请求地址", lambda e: e.path, 40),
)


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """Security audit log (DOMAIN G2): read-only for everyone; staff and managers filter it and export what they see."""

    list_display = ("at", "account", "address", "event", "target", "result")
    list_filter = ("event", "result", "at")
    search_fields = ("account", "address", "target")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]
    fields = ("at", "account", "address", "event", "target", "result", "detail", "path")
    actions = ("export_xlsx",)
    list_per_page = 100
    show_full_result_count = False  # counting millions of rows on every page would only slow the list

    @admin.action(description="导出所选为Excel", permissions=["view"])
    def export_xlsx(self, request, queryset):
        title = "安全审计日志"
        return xlsx_response(
            list(SECURITY_EVENT_COLUMNS),
            queryset.iterator(chunk_size=2000),
            title=title,
            filename=f"{title}-{beijing_today():%Y%m%d}.xlsx",
        )
