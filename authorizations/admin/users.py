"""Accounts in the admin: the role decides rights (no superuser, staff, group or permission boxes to tick), staff-set
passwords are changed at first login, lost second-factor phones are reset, and lockouts are lifted (DOMAIN G1, G3)."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from authorizations.models import LoginLockout, User
from zzmetro.security import otp

# Device keys and axes' raw records stay out of the admin: keys are secrets, and the lockouts have their own page.
# Groups too: the role decides rights (DOMAIN Actors), and a group's page lists Django's English permission names.
for model in (TOTPDevice, StaticDevice, AccessAttempt, AccessLog, AccessFailureLog, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class StaffSetPasswordForm(AdminPasswordChangeForm):
    """A password staff set for someone else is known to two people: its owner replaces it at the next login."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:  # Django appends an untranslated English warning to this help text
            self.fields["usable_password"].help_text = "关闭后该用户不能再用密码登录，现有密码随即失效。"

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "station", "email", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "station__name")
    autocomplete_fields = ("station",)
    change_password_form = StaffSetPasswordForm
    actions = ["reset_second_factor"]
    # No is_superuser, is_staff, groups or user_permissions: whoever ticks them grants rights the role does not.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("last_name", "first_name", "email", "phone")}),
        (
            "角色",
            {
                "fields": ("role", "station", "is_active"),
                "description": "计量信息员必须选择所属单位；市局工作人员和领导不选单位。",
            },
        ),
        ("安全", {"fields": ("must_change_password", "second_factor")}),
        ("系统", {"fields": ("last_login", "date_joined"), "classes": ("collapse",)}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        ("角色", {"fields": ("role", "station", "last_name", "first_name", "email")}),
    )
    readonly_fields = ("last_login", "date_joined", "second_factor")

    def get_readonly_fields(self, request, obj=None):
        """Staff may ask an owner to change their password, never cancel it: a password someone else set stays to be
        changed until its owner has (DOMAIN G1)."""
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.must_change_password:
            fields = (*fields, "must_change_password")
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # staff chose the first password
        super().save_model(request, obj, form, change)

    @admin.display(description="双因素认证")
    def second_factor(self, obj):
        if obj.pk is None:
            return "—"
        return f"已绑定身份验证器，剩余恢复码{otp.recovery_codes_left(obj)}个" if otp.has_device(obj) else "未绑定"

    @admin.action(description="重置双因素认证（手机丢失时；下次登录重新绑定）", permissions=["change"])
    def reset_second_factor(self, request, queryset):
        users = list(queryset)
        for user in users:
            otp.reset_devices(user)
        self.message_user(
            request, f"已重置{len(users)}个账号的双因素认证，下次登录时须重新绑定身份验证器。", messages.SUCCESS
        )


@admin.register(LoginLockout)
class LoginLockoutAdmin(admin.ModelAdmin):
    """Who failed to log in from where; deleting a row (or the action) lifts that lock at once."""

    # axes' own field labels are English; these say the same in Chinese.
    list_display = ("account", "address", "failures", "last_failure", "locked")
    search_fields = ("username", "ip_address")
    fields = ("account", "address", "failures", "last_failure", "locked", "browser", "page")
    readonly_fields = fields
    actions = ["unlock"]

    @admin.display(description="用户名", ordering="username")
    def account(self, obj):
        return obj.username

    @admin.display(description="来源地址", ordering="ip_address")
    def address(self, obj):
        return obj.ip_address

    @admin.display(description="连续失败次数", ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    @admin.display(description="最近一次失败", ordering="attempt_time")
    def last_failure(self, obj):
        return obj.attempt_time

    @admin.display(description="浏览器")
    def browser(self, obj):
        return "未知" if obj.user_agent in ("", "<unknown>") else obj.user_agent

    @admin.display(description="登录页面")
    def page(self, obj):
        return obj.path_info

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="锁定状态")
    def locked(self, obj):
        return "已锁定" if obj.is_locked else "未锁定"

    def get_deleted_objects(self, objs, request):
        """Deleting a lockout also deletes axes' bookkeeping rows for it; staff are shown the lockout they lift."""
        _, _, perms_needed, protected = super().get_deleted_objects(objs, request)
        objs = list(objs)
        return [f"登录失败与锁定：{obj}" for obj in objs], {"登录失败与锁定": len(objs)}, perms_needed, protected

    @admin.action(description="解除锁定", permissions=["delete"])
    def unlock(self, request, queryset):
        count = queryset.count()
        queryset.delete()
        self.message_user(request, f"已解除{count}条登录锁定，对应账号可立即从该地址登录。", messages.SUCCESS)
