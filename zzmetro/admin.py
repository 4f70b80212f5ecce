"""The mail outbox in the admin: staff see what waits or failed, and put failed mail back in the queue."""
from django.contrib import admin, messages

from zzmetro import outbox
from zzmetro.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("zzmetro.change_outboxmessage")

    @admin.action(description="重新发送所选的失败或已取消邮件", permissions=["resend"])
    def resend(self, request, queryset):
        count = outbox.resend(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"已将{count}封邮件重新放入发送队列（已发送的邮件不会重复发送）。", messages.SUCCESS)
