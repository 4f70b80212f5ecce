"""The admin side bar's list of models, rendered once per process for each list and current page (issue 13 "Load").

Django renders admin/app_list.html into the side bar of every admin page: for bureau staff that is every model of
the portal, the largest part of a changelist's rendering time. The HTML is kept under a key made of everything
the template reads — each app's and model's names, URLs and view-only flag, which of them the current path marks,
and the language — so two pages share it exactly when Django would have rendered the same HTML for both. The lists
hold no data of any account, only what its role may open (zzmetro/admin_site.py).
"""

from django import template
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Lists × current pages: a few roles times the admin's few dozen models.
MEMO_SIZE = 512
_rendered: dict[tuple, str] = {}


def _key(app_list, path: str) -> tuple:
    current = urlencode(path)
    return (
        get_language(),
        tuple(
            (
                app["app_label"],
                app["app_url"],
                str(app["name"]),
                app["app_url"] in current,
                tuple(
                    (
                        model["object_name"],
                        str(model["name"]),
                        model["admin_url"],
                        model["add_url"],
                        model.get("view_only"),
                        bool(model["admin_url"]) and model["admin_url"] in current,
                    )
                    for model in app["models"]
                ),
            )
            for app in app_list
        ),
    )


@register.simple_tag(takes_context=True)
def sidebar_app_list(context):
    """admin/app_list.html for the side bar (no change links), as Django's nav_sidebar.html includes it."""
    request = context["request"]
    app_list = context.get("available_apps") or []
    key = _key(app_list, request.path)
    html = _rendered.get(key)
    if html is None:
        html = render_to_string(
            "admin/app_list.html", {"app_list": app_list, "show_changelinks": False, "request": request}
        )
        if len(_rendered) >= MEMO_SIZE:
            _rendered.clear()
        _rendered[key] = html
    return mark_safe(html)
