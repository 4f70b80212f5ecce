"""Uploaded files reach staff only through a permission-checked admin view; MEDIA is never served as is."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from zzmetro.responses import stored_file_response


class ProtectedFilesMixin:
    """List the FileFields in `protected_files`; show them with `file_link(obj, field)` in readonly_fields."""

    protected_files: tuple[str, ...] = ()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.protected_file_view)
        return [path("<int:pk>/file/<str:field>/", view, name="%s_%s_file" % info)] + super().get_urls()

    def protected_file_view(self, request, pk, field):
        if field not in self.protected_files:
            raise Http404
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        upload = getattr(obj, field)
        if not upload:
            raise Http404
        return stored_file_response(upload)

    def file_link(self, obj, field: str):
        upload = getattr(obj, field)
        if not upload:
            return "—"
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_file", args=[obj.pk, field])
        return format_html('<a href="{}">下载 {}</a>', url, upload.name.rsplit("/", 1)[-1])


def file_display(field: str, label: str):
    """A readonly admin column that links `field` through the protected view."""

    @admin.display(description=label)
    def show(self, obj):
        return self.file_link(obj, field)

    return show
