from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from authorizations.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "station", "email", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "station__name")
    autocomplete_fields = ("station",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("last_name", "first_name", "email", "phone")}),
        ("角色", {"fields": ("role", "station", "is_active"), "description": "计量信息员必须选择所属单位；市局工作人员和领导不选单位。"}),
        ("系统", {"fields": ("is_superuser", "last_login", "date_joined"), "classes": ("collapse",)}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        ("角色", {"fields": ("role", "station", "last_name", "first_name", "email")}),
    )
    readonly_fields = ("last_login", "date_joined")
