from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class ZZAdminSite(admin.AdminSite):
    """Admin for bureau staff (change) and managers (read only); the role decides, not is_staff."""

    site_header = "郑州市计量授权监督管理平台"
    site_title = "郑州计量授权"
    index_title = "市局计量处管理后台"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (getattr(user, "is_bureau", False) or getattr(user, "is_manager", False))


class ZZAdminConfig(AdminConfig):
    default_site = "zzmetro.admin_site.ZZAdminSite"
