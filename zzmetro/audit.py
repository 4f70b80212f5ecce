"""Security audit log (安全审计, DOMAIN G2): one `record()` for every security event, and the retention purge.

What is recorded, and where it is hooked:
- logins, failures, logouts: Django's auth signals; lockouts: django-axes' `user_locked_out` (below);
- password changes and resets, account and role changes: a save of the user model (authorizations/signals.py), so
  every path that sets a password or a role is covered, whoever wrote the view;
- password-reset requests: authorizations/views/accounts.py;
- downloads and exports: `AuditMiddleware`. Every file leaves through zzmetro/responses.py, whose helpers mark the
  response with what it is; the middleware holds the request (user, address) the helpers never see, so the ~30
  views that send files need no extra argument, and an attachment sent some other way is still recorded;
- admin changes: Django's `LogEntry` (add, change, delete of one object), and, for admin writes that write no
  LogEntry (changelist actions such as bulk delete or unlock, lifecycle buttons), the middleware again.

Rows are append-only in the database as the event tables are (zzmetro/appendonly.py), except that a row older than
FLOOR_DAYS may be deleted: the row trigger checks the age itself, so no role — not the owner, not the application —
can delete a recent row with raw SQL. The application role has no DELETE right at all on the table; it purges only
through `zz_purge_security_events(days)`, a SECURITY DEFINER function owned by the tables' owner that refuses fewer
than FLOOR_DAYS days. Anyone who may connect may call it (PostgreSQL grants EXECUTE to PUBLIC): all it can ever do is
what the daily job does.
"""

import contextvars
import datetime as dt
import logging

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.admin.sites import NotRegistered
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import connection
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from zzmetro.models import SecurityEvent
from zzmetro.throttle import client_ip

log = logging.getLogger(__name__)
Kind = SecurityEvent.Kind
FLOOR_DAYS = 180  # 网络安全法 第二十一条: network logs are kept at least six months
TABLE = SecurityEvent._meta.db_table
_current_request: contextvars.ContextVar = contextvars.ContextVar("zz_audit_request", default=None)


class AuditRetentionError(Exception):
    pass


# ---------------------------------------------------------------- recording


def current_request():
    """The request being served (set by AuditMiddleware), for hooks that a model signal reaches without one."""
    return _current_request.get()


def record(
    event, *, request=None, user=None, obj=None, result=SecurityEvent.SUCCESS, detail="", account=""
) -> SecurityEvent:
    """Write one security event. `user` defaults to the request's; `account` names one that may not exist."""
    request = request if request is not None else current_request()
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if not account and user is not None:
        account = user.get_username()
    row = SecurityEvent.objects.create(
        event=event,
        account=(account or "")[:150],
        address=client_ip(request)[:64] if request is not None else "",
        target=describe(obj)[:300],
        result=result[:40],
        detail=detail,
        path=request.get_full_path()[:300] if request is not None else "",
    )
    if request is not None:
        request._zz_audited = True
    return row


def describe(obj) -> str:
    """A model instance as 「verbose name：str」, anything else as its text."""
    if obj is None:
        return ""
    meta = getattr(obj, "_meta", None)
    return f"{meta.verbose_name}：{obj}" if meta is not None else str(obj)


# ---------------------------------------------------------------- logins and lockouts


@receiver(user_logged_in, dispatch_uid="zz_audit_login")
def _logged_in(sender, request, user, **kwargs):
    record(Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="zz_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="zz_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # axes' own receiver ran first (its app is installed before ours): a refusal during a lockout is flagged by now.
    during_lockout = (
        getattr(request, "axes_locked_out", False) and getattr(request, "axes_failures_since_start", 0) is None
    )
    detail = "账号处于锁定期，未校验密码" if during_lockout else "用户名或密码错误"
    record(
        Kind.LOGIN_FAILED,
        request=request,
        account=credentials.get("username", ""),
        result=SecurityEvent.FAILURE,
        detail=detail,
    )


try:
    from axes.signals import user_locked_out
except ImportError:  # pragma: no cover - axes is in INSTALLED_APPS since the identity work (DOMAIN G1)
    user_locked_out = None

if user_locked_out is not None:

    @receiver(user_locked_out, dispatch_uid="zz_audit_lockout")
    def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
        failures = getattr(request, "axes_failures_since_start", None)
        if failures is None:
            return  # a further attempt during the lock: recorded as a failed login, not as a new lockout
        detail = f"连续登录失败{failures}次，锁定{settings.LOGIN_LOCKOUT_MINUTES}分钟"
        record(Kind.LOCKOUT, request=request, account=username or "", result="已锁定", detail=detail)


# ---------------------------------------------------------------- admin changes

_ADMIN_EVENTS = {ADDITION: Kind.ADMIN_ADD, CHANGE: Kind.ADMIN_CHANGE, DELETION: Kind.ADMIN_DELETE}


@receiver(post_save, sender=LogEntry, dispatch_uid="zz_audit_admin_log")
def _admin_logged(sender, instance: LogEntry, created: bool, **kwargs):
    if not created:
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    name = model._meta.verbose_name if model is not None else ""
    target = f"{name}：{instance.object_repr}" if name else instance.object_repr
    record(
        _ADMIN_EVENTS.get(instance.action_flag, Kind.ADMIN_CHANGE),
        user=instance.user,
        obj=target,
        detail=instance.get_change_message(),
    )


# ---------------------------------------------------------------- downloads, exports, admin writes without a LogEntry

ADMIN_SESSION_VIEWS = frozenset({"login", "logout", "password_change", "password_change_done", "jsi18n"})


class AuditMiddleware:
    """Keeps the request at hand for model-signal hooks, and records what leaves as a file and admin writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        if response.status_code == 200:
            self.record_file(request, response)
        elif request.method not in ("GET", "HEAD", "OPTIONS") and (
            300 <= response.status_code < 400 or response.status_code == 403
        ):
            self.record_admin_write(request, response)
        return response

    @staticmethod
    def record_file(request, response):
        """A download or export marked by zzmetro/responses.py; any other file or PDF sent is recorded as a download."""
        event = getattr(response, "zz_audit_event", None)
        if event is None:
            if not response.has_header("Content-Disposition") and response.get("Content-Type") != "application/pdf":
                return
            event = Kind.DOWNLOAD
        record(event, request=request, obj=getattr(response, "zz_audit_name", "") or request.path)

    @staticmethod
    def record_admin_write(request, response):
        """An admin write that wrote no LogEntry: a changelist action or a lifecycle button that went through (the
        admin redirects), or any write the admin refused (403, e.g. a read-only manager's)."""
        match = request.resolver_match
        if match is None or match.app_name != "admin" or match.url_name in ADMIN_SESSION_VIEWS:
            return
        if getattr(request, "_zz_audited", False) or not admin.site.has_permission(request):
            return  # recorded already (a LogEntry, a password), or the admin sent the visitor to its login page
        target, detail = _admin_write_description(request, match)
        result = "拒绝" if response.status_code == 403 else SecurityEvent.SUCCESS
        record(Kind.ADMIN_ACTION, request=request, obj=target, detail=detail, result=result)


def _admin_write_description(request, match) -> tuple[str, str]:
    parts = request.path_info.removeprefix("/").split("/")
    try:
        model = apps.get_model(parts[1], parts[2])
        model_admin = admin.site.get_model_admin(model)
    except (IndexError, LookupError, NotRegistered):
        return request.path, ""
    name = str(model._meta.verbose_name)
    action = request.POST.get("action", "")
    if action and model_admin.get_action(action):
        ids = request.POST.getlist(ACTION_CHECKBOX_NAME)
        return f"{name}：{len(ids)}条记录", f"{model_admin.get_action(action)[2]}（编号：{'、'.join(ids)}）"
    object_id = match.kwargs.get("object_id")
    obj = model_admin.get_object(request, object_id) if object_id else None
    target = describe(obj) if obj is not None else f"{name}：{object_id or ''}"
    step = match.kwargs.get("name", "")
    label = next((t.label for t in getattr(model_admin, "transitions", ()) if t.name == step), step)
    return target, f"办理：{label}" if label else ""


# ---------------------------------------------------------------- retention


def retention_days() -> int:
    return settings.AUDIT_RETENTION_DAYS


def purge(*, days: int | None = None) -> int:
    """Delete the rows older than `days` (default AUDIT_RETENTION_DAYS); refuse fewer than FLOOR_DAYS. Returns the count."""
    days = retention_days() if days is None else days
    if days < FLOOR_DAYS:
        raise AuditRetentionError(
            f"安全审计记录至少保存{FLOOR_DAYS}天，不能按{days}天清理（请检查 AUDIT_RETENTION_DAYS）。"
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT zz_purge_security_events(%s)", [days])
            removed = cursor.fetchone()[0]
        else:  # the embedded demo (SQLite): its trigger holds the same floor
            cursor.execute(f"DELETE FROM {TABLE} WHERE at < %s", [timezone.now() - dt.timedelta(days=days)])
            removed = cursor.rowcount
    log.info("Purged %s security events older than %s days.", removed, days)
    return removed


# ---------------------------------------------------------------- the database guard (used by the migration)

PG_GUARD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION zz_guard_security_event() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '{FLOOR_DAYS} days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'security events are append-only and kept {FLOOR_DAYS} days (DOMAIN G2)';
END;
$$ LANGUAGE plpgsql;
"""
PG_PURGE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION zz_purge_security_events(retention_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    removed bigint;
BEGIN
    IF retention_days IS NULL OR retention_days < {FLOOR_DAYS} THEN
        RAISE EXCEPTION 'security events are kept at least {FLOOR_DAYS} days (DOMAIN G2): % refused', retention_days;
    END IF;
    DELETE FROM {TABLE} WHERE at < now() - make_interval(days => retention_days);
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END;
$$;
"""
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER zz_{TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'security events are append-only (DOMAIN G2)'); END;",
    f"CREATE TRIGGER zz_{TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    f"WHEN OLD.at >= strftime('%Y-%m-%d %H:%M:%f', 'now', '-{FLOOR_DAYS} days') "
    f"BEGIN SELECT RAISE(ABORT, 'security events are kept {FLOOR_DAYS} days (DOMAIN G2)'); END;",
)


def install_guard(schema_editor) -> None:
    """Refuse UPDATE, TRUNCATE and the DELETE of recent rows; add the purge function (PostgreSQL and SQLite)."""
    from zzmetro.appendonly import install_truncate_guard

    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_GUARD_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER zz_{TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION zz_guard_security_event();"
        )
        install_truncate_guard(schema_editor, TABLE)
        schema_editor.execute(PG_PURGE_FUNCTION, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)


def remove_guard(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS zz_purge_security_events(integer);")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS zz_{TABLE}_append_only ON {TABLE};")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS zz_{TABLE}_no_truncate ON {TABLE};")
        schema_editor.execute("DROP FUNCTION IF EXISTS zz_guard_security_event();")
    elif vendor == "sqlite":
        for event in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS zz_{TABLE}_no_{event};")
