"""The project's admin site: bureau staff change, managers read (DOMAIN Actors), and history is never rewritten (A12).

Writes are refused here, once for every view the site wraps, rather than trusted to each ModelAdmin:
- a read-only account (a manager) may not POST anywhere except to log out, change its own password, or run a
  changelist action Django already limits to the account's permissions (the exports);
- nobody may POST to a history item (django-simple-history's "revert"): an old version is shown, never restored,
  because a restore would change a row behind its lifecycle service and write no event.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from zzmetro import pagecache

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Views a read-only account may POST to: its own session and password; changelists run only permitted actions.
READER_WRITES = frozenset({"logout", "password_change"})
HISTORY_ITEM_SUFFIX = "_simple_history"

REFUSED_HISTORY = "历史版本只能查看，不能恢复或修改。如需更改，请使用该记录页面上的办理按钮。"
REFUSED_READER = "您的账号只能查看，不能修改任何数据。"


class ReadOnlyAdmin(admin.ModelAdmin):
    """A register staff and managers read; its rows are written by services or by the stations, never here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventAdmin(ReadOnlyAdmin):
    """An append-only event table (zzmetro.events.EventBase), read and never changed (DOMAIN A12).

    The codes and the raw subject reference are for queries; people read the labels as they were at the time.
    """

    exclude = ("action", "from_status", "to_status", "subject_type", "subject_id")


class ZZAdminSite(admin.AdminSite):
    """Admin for bureau staff (change) and managers (read only); the role decides, not is_staff."""

    site_header = "郑州市计量授权监督管理平台"
    site_title = "郑州计量授权"
    index_title = "市局计量处管理后台"

    # Kinds of account the app list is remembered for: a handful of roles, so a few entries at most.
    APP_LIST_MEMO_SIZE = 32

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_lists = {}

    def has_permission(self, request):
        user = request.user
        return user.is_active and (getattr(user, "is_bureau", False) or getattr(user, "is_manager", False))

    def get_app_list(self, request, app_label=None):
        """Django's app list (the side bar and the front page), built once per process for each kind of account.

        Django builds it on every admin page, asking every ModelAdmin for its permissions and reversing their URLs
        (issue 13 "Load"). Every model on this site belongs to an app whose permissions follow the role alone
        (authorizations/backends.py, checked by zzmetro/tests/test_admin_site_load.py), and the ModelAdmins'
        has_*_permission overrides answer the same for everyone, so the list depends only on the account's role,
        whether it is active and whether it is a superuser: an account whose role changes gets its new list on its
        next page. Every caller gets its own copy of the lists.
        """
        user = request.user
        key = (app_label, user.is_active, user.is_superuser, getattr(user, "role", None))
        app_list = self._app_lists.get(key)
        if app_list is None:
            app_list = super().get_app_list(request, app_label)
            if len(self._app_lists) >= self.APP_LIST_MEMO_SIZE:
                self._app_lists.clear()
            self._app_lists[key] = app_list
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in app_list]

    def register(self, model_or_iterable, admin_class=None, **options):
        if (
            admin_class is not None
            and issubclass(admin_class, SimpleHistoryAdmin)
            and not issubclass(admin_class, ReadOnlyHistoryAdmin)
        ):
            raise ImproperlyConfigured(f"{admin_class.__name__}: history admins must derive from ReadOnlyHistoryAdmin.")
        self._app_lists.clear()
        return super().register(model_or_iterable, admin_class, **options)

    def unregister(self, model_or_iterable):
        self._app_lists.clear()
        return super().unregister(model_or_iterable)

    def admin_view(self, view, cacheable=False):
        guarded = self._refuse_writes(view)
        name = self._kept_name(view)
        if name:
            # The pages staff read all day are kept rendered per account until a row they read changes
            # (zzmetro/pagecache.py, issue 13 "Load"); only GET answers are kept, and writes are checked above.
            guarded = pagecache.kept_rendered(guarded, name=name)
        return super().admin_view(guarded, cacheable)

    KEPT_VIEWS = {"changelist_view": "changelist", "change_view": "change", "history_view": "history"}

    def _kept_name(self, view) -> str:
        owner, method = getattr(view, "__self__", None), getattr(view, "__name__", "")
        if owner is self and method == "index":
            return "admin:index"
        if isinstance(owner, admin.ModelAdmin) and method in self.KEPT_VIEWS:
            opts = owner.model._meta
            return f"admin:{opts.app_label}_{opts.model_name}_{self.KEPT_VIEWS[method]}"
        return ""

    def _refuse_writes(self, view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if request.method not in SAFE_METHODS:
                reason = self.write_refusal(request)
                if reason:
                    return self.refused(request, reason)
            model_admin = serving_model_admin(view, request)
            if model_admin is not None:
                check_object_ids(model_admin.model, kwargs, args)
            return view(request, *args, **kwargs)

        return guarded

    def write_refusal(self, request) -> str:
        """Why this write is refused, or "" when the view may decide for itself."""
        match = request.resolver_match
        name = (match.url_name if match else "") or ""
        if name.endswith(HISTORY_ITEM_SUFFIX):
            return REFUSED_HISTORY
        if (
            not getattr(request.user, "is_bureau", False)
            and name not in READER_WRITES
            and not name.endswith("_changelist")
        ):
            return REFUSED_READER
        return ""

    def index(self, request, extra_context=None):
        """The front page opens with what waits for bureau staff and links to the dashboard and boards (issue 11)."""
        from zzmetro import workbench

        extra_context = {
            **(extra_context or {}),
            "workbench": workbench.grouped(workbench.entries_for(request.user)),
            "board_links": workbench.board_links(),
        }
        return super().index(request, extra_context)

    def refused(self, request, reason: str):
        context = {**self.each_context(request), "title": "操作被拒绝", "reason": reason}
        return TemplateResponse(request, "admin/zz/refused.html", context, status=403)


OBJECT_ID_KWARGS = ("object_id", "pk")


def serving_model_admin(view, request):
    """The ModelAdmin a wrapped view belongs to: a bound method's owner, or the one Django's `wrap()` names on the
    resolved view (its plain views, such as the old-style `<id>/` redirect to the change page)."""
    owner = getattr(view, "__self__", None)
    if isinstance(owner, admin.ModelAdmin):
        return owner
    match = request.resolver_match
    owner = getattr(match.func, "model_admin", None) if match else None
    return owner if isinstance(owner, admin.ModelAdmin) else None


def check_object_ids(model, kwargs, args=()) -> None:
    """A row URL whose id cannot be the model's primary key ("abc", "1abc", out of range) is not found (404).

    Checked once here for every view a ModelAdmin serves (change, history, delete, transitions, documents…), before a
    view can turn the id into a query, a URL or an int and fail with a 500. A pattern with unnamed groups (the
    history of one version) takes the row's id first.
    """
    ids = [kwargs[name] for name in OBJECT_ID_KWARGS if name in kwargs] or list(args[:1])
    for value in ids:
        check_id(model, value)


def check_id(model, value) -> None:
    field = model._meta.pk
    try:
        field.run_validators(field.to_python(unquote(str(value))))
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise Http404(f"{model._meta.verbose_name}不存在。") from None


class ChineseHistoryContext(HistoricalRecordContextHelper):
    """A change in the history list reads as people read the row: a status by its label, an empty value as —."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if getattr(field, "choices", None) and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        value = super().prepare_delta_change_value(change, value)
        return "—" if value in (None, "") else value


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Field-level history (历史) for reading: every version shows read-only, with no revert button, for everyone."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ChineseHistoryContext(self.model, historical_record)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in SAFE_METHODS:  # the site refuses first; this keeps the rule if the view moves
            return self.admin_site.refused(request, REFUSED_HISTORY)
        check_id(self.model.history.model, version_id)  # an impossible version id is not found, like the row's
        request._zz_history_version = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if getattr(request, "_zz_history_version", False):
            opts = self.model._meta
            editable = [f.name for f in (*opts.fields, *opts.many_to_many) if f.editable and not f.auto_created]
            fields = (*fields, *(name for name in editable if name not in fields))
        return fields


BOOLEAN_ICON_TEXT = {True: ("yes", "是"), False: ("no", "否"), None: ("unknown", "未知")}


def boolean_icon(value):
    """Django's yes/no icon with a Chinese text alternative (Django writes "True"/"False", untranslated)."""
    icon, text = BOOLEAN_ICON_TEXT[value]
    return format_html('<img src="{}" alt="{}" title="{}">', static(f"admin/img/icon-{icon}.svg"), text, text)


def action_checkbox(self, obj):
    """The changelist's row checkbox, the same HTML as Django's, written without rendering a widget template per row.

    Django renders a CheckboxInput's template for each row of every changelist; that was a visible part of a
    changelist's time under load (issue 13 "Load").
    """
    label = format_html(gettext("Select this object for an action - {}"), str(obj))
    return format_html(
        '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
        ACTION_CHECKBOX_NAME,
        str(obj.pk),
        label,
    )


class ZZAdminConfig(AdminConfig):
    default_site = "zzmetro.admin_site.ZZAdminSite"

    def ready(self):
        super().ready()
        from django.contrib.admin.templatetags import admin_list

        # Every caller (list cells, read-only fields) imports the icon from here when it renders.
        admin_list._boolean_icon = boolean_icon
        # Every ModelAdmin's row checkbox; the column header (the select-all box) stays Django's.
        admin.ModelAdmin.action_checkbox = action_checkbox
