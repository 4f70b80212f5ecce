"""Pages kept rendered until a row they read changes — never stale (issue 13 "Load").

The busiest pages change far less often than they are read, but a revocation must show on the public register at
once (DOMAIN A11, D2) and an officer's or a manager's page must show what the database holds now. So a page is
cached under a stamp of the tables it reads, and the stamp comes from the database itself:

- every table of every model carries a statement trigger (installed after each `migrate`, see
  `install_change_triggers`) that adds a row to the change journal (`TableChange`) whenever an INSERT, UPDATE,
  DELETE or TRUNCATE on it commits — whether a service, a queryset update(), the admin or raw SQL wrote it;
- a table's stamp is the number of its journal rows and the newest id among them, read in one indexed query. A
  committed change adds a row, so the count grows; the nightly compaction (`compact_journal`) replaces each table's
  rows with one row newer than all of them, so the newest id grows. Either way no stamp seen before comes back.

Nothing has to remember to invalidate anything, and every worker agrees on the stamp; each keeps the HTML in its own
memory (settings.CACHES["pages"] for the public parts, CACHES["kept"] for signed-in pages). On a database other than
PostgreSQL there is no journal and pages are rendered every time (the embedded demo).

Two ways to use it:

- `cached_fragment(name, models=…, vary=…, render=…)`: the part of a public page that is the same for everybody,
  under the stamp of the tables of `models`; the caller renders the visitor's frame around it.
- `kept_rendered(view)`: a signed-in GET page, whole, for that account. The tables are not declared: while the page
  is rendered, every SQL statement it sends is read for the tables it names, and the page is kept only when all of
  them are journaled (and there is at least one), it wrote nothing, compared nothing with a moment of the day (only
  dates) and asked the database for no time (NOW(), CURRENT_DATE: the UTC date). The tables a view
  has ever read are remembered per view, and the stamp is taken over them before rendering, so a change committed
  while the page was being rendered is never hidden. What else a page depends on is part of its key: the host and
  the address with its query, the account's own row (and its station's), the session's contents, the CSRF secret its
  forms carry, whether the second factor was confirmed, the language and the Beijing date. A page is not kept while
  messages wait to be shown, nor when it answers anything but 200 HTML (redirects, errors, downloads), sets a
  cookie or changes the session.
"""

import datetime as dt
import hashlib
import re
import zlib
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils.safestring import SafeString, mark_safe

KEY_PREFIX = "zz:page:"
# A longer page (a change list of thousands of rows on one page) is rendered every time rather than crowd out others.
LARGEST_KEPT = 512 * 1024
JOURNAL = "zzmetro_tablechange"
TRIGGER = "zz_table_change"
# Written on (nearly) every request or login, read by no page: journaling them would only grow the journal. A page
# that reads one of them is simply never kept.
UNJOURNALED = frozenset({JOURNAL, "django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"})

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION zz_note_table_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO {JOURNAL} (table_name) VALUES (TG_TABLE_NAME);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_DROP_FUNCTION = "DROP FUNCTION IF EXISTS zz_note_table_change() CASCADE"


# ---- the journal ----------------------------------------------------------------------------------------------------


def model_tables() -> frozenset[str]:
    """Every table a model of this project (or of the libraries it installs) keeps its rows in."""
    return frozenset(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    )


def journaled_tables() -> frozenset[str]:
    return model_tables() - UNJOURNALED


def install_change_triggers(using: str = "default") -> list[str]:
    """Give every journaled table that exists and lacks it the change trigger; returns the tables it was added to.

    Runs after every `migrate` (and every test flush) through post_migrate, as the tables' owner.
    """
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return []
    with conn.cursor() as cursor:
        existing = set(conn.introspection.table_names(cursor))
        if JOURNAL not in existing:
            return []  # the journal's migration has not run (yet)
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s", [TRIGGER]
        )
        have = {row[0] for row in cursor.fetchall()}
        missing = sorted((journaled_tables() & existing) - have)
        if missing:
            cursor.execute(PG_FUNCTION)  # also where tables were made from the models without migrations
        for table in missing:
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {conn.ops.quote_name(table)} "
                "FOR EACH STATEMENT EXECUTE FUNCTION zz_note_table_change()"
            )
    return missing


def on_post_migrate(sender, using="default", **kwargs):
    install_change_triggers(using)


def _journal(tables=None) -> dict[str, str]:
    """Each journaled table's count and newest id ("count.id"), for `tables` or, with None, for all of them."""
    with connection.cursor() as cursor:
        if tables is None:
            cursor.execute(f"SELECT table_name, count(*), max(id) FROM {JOURNAL} GROUP BY table_name")
        else:
            cursor.execute(
                f"SELECT table_name, count(*), max(id) FROM {JOURNAL} WHERE table_name = ANY(%s) GROUP BY table_name",
                [sorted(tables)],
            )
        return {name: f"{count}.{newest}" for name, count, newest in cursor.fetchall()}


def _format(journal: dict[str, str], tables) -> str:
    return "/".join(f"{name}:{journal.get(name, '0')}" for name in sorted(tables))


def stamp(tables) -> str | None:
    """A value that changes with every committed change to any of `tables` (as this transaction sees them).

    None when the database is not PostgreSQL.
    """
    if connection.vendor != "postgresql":
        return None
    return _format(_journal(tables), tables)


def compact_journal() -> int:
    """Replace each table's journal rows with one newer row; returns the number of rows removed.

    The EXCLUSIVE lock waits for every transaction that has written a journal row to end and holds new writers back
    (readers go on), so the new rows' ids are above every id any stamp has seen: each stamp changes once, none
    comes back, and the journal stays as small as the number of tables.
    """
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        return compact_with(cursor)


def compact_with(cursor) -> int:
    """The compaction's statements, inside the caller's transaction (a DB-API cursor of any connection)."""
    cursor.execute(f"LOCK TABLE {JOURNAL} IN EXCLUSIVE MODE")
    cursor.execute(f"SELECT DISTINCT table_name FROM {JOURNAL} ORDER BY table_name")
    tables = [row[0] for row in cursor.fetchall()]
    cursor.execute(f"DELETE FROM {JOURNAL}")
    removed = cursor.rowcount
    cursor.execute(f"INSERT INTO {JOURNAL} (table_name) SELECT unnest(%s::text[])", [tables])
    return removed - len(tables)


# ---- public fragments -----------------------------------------------------------------------------------------------


def _tables_of(models) -> list[str]:
    tables = [model._meta.db_table for model in models]
    unjournaled = set(tables) - journaled_tables()
    if unjournaled:
        raise ValueError(f"not journaled, cannot be cached on: {sorted(unjournaled)}")
    return tables


def cached_fragment(name: str, *, models, vary, render) -> SafeString:
    """`render()`'s HTML, reused while no row of `models` changes and `vary` (what else the HTML depends on) is equal.

    `vary` is a tuple of strings (the day, the page number, the normalised query); `render` is only called on a miss.
    The stamp is read before rendering: a change committed meanwhile is stored under the older stamp, which the next
    request no longer matches.
    """
    current = stamp(_tables_of(models))
    if current is None:
        return mark_safe(render())
    key = f"{KEY_PREFIX}{name}:{_digest(current, *vary)}"
    html = caches["pages"].get(key)
    if html is None:
        html = str(render())
        caches["pages"].set(key, html)
    return mark_safe(html)


# ---- whole signed-in pages ------------------------------------------------------------------------------------------

# The tables each kept view has read so far in this process (its name → tables); only ever grows.
_learned: dict[str, frozenset[str]] = {}

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_WRITE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|TRUNCATE|MERGE|LOCK|COPY|CALL|NOTIFY)\b")
_NEUTRAL = re.compile(r"\s*(?:SAVEPOINT|RELEASE|ROLLBACK|SET|SHOW)\b", re.IGNORECASE)
# The database's own clock (Django's Now() is STATEMENT_TIMESTAMP()) or dice in the statement's text: the answer
# changes without any row changing. CURRENT_DATE is the connection's UTC date, which turns at 08:00 in Beijing (T1).
_CLOCK = re.compile(
    r"\b(?:NOW|STATEMENT_TIMESTAMP|CLOCK_TIMESTAMP|TRANSACTION_TIMESTAMP|TIMEOFDAY|CURRENT_TIMESTAMP|CURRENT_DATE"
    r"|CURRENT_TIME|LOCALTIMESTAMP|LOCALTIME|RANDOM)\b",
    re.IGNORECASE,
)


class _Reads:
    """Collects the tables the SQL statements of one render name; notes anything that forbids keeping the page."""

    def __init__(self):
        self.known = model_tables()
        self.tables: set[str] = set()
        self.refusal = ""

    def __call__(self, execute, sql, params, many, context):
        self.read(sql)
        if not many and any(isinstance(value, dt.datetime | dt.time) for value in params or ()):
            # Compared with a moment (an hour ago, now): the page may change by the clock alone, within the day.
            self.refusal = "a statement compares with a moment of the day"
        return execute(sql, params, many, context)

    def read(self, sql: str) -> None:
        if _NEUTRAL.match(sql):
            return
        if _WRITE.search(sql):
            self.refusal = "the page wrote to the database"
            return
        if _CLOCK.search(sql):
            self.refusal = "a statement reads the database's clock"
            return
        named = self.known.intersection(_WORD.findall(sql))
        if not named:
            self.refusal = f"a statement that names no model table: {sql[:80]}"
        self.tables |= named


def _digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def _row(instance) -> tuple:
    """An account's or a station's stored values (never the password hash nor the last-login time)."""
    if instance is None:
        return ()
    return tuple(
        getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in ("password", "last_login")
    )


def _session_items(request) -> list:
    """The session's contents as a page may read them (not the idle clock the identity checks move on every request)."""
    from zzmetro.security.middleware import LAST_SEEN_KEY

    return sorted((k, repr(v)) for k, v in request.session.items() if k != LAST_SEEN_KEY)


def _page_key(request, name: str) -> str | None:
    """What else than the tables the page depends on; None when it must not be kept at all."""
    from zzmetro.dates import beijing_today

    user = request.user
    csrf_secret = request.META.get("CSRF_COOKIE")
    if request.method != "GET" or not user.is_authenticated or not csrf_secret or _messages_waiting(request):
        return None
    station = user._state.fields_cache.get("station") if hasattr(user, "station_id") else None
    session = _session_items(request)
    verified = user.is_verified() if hasattr(user, "is_verified") else None
    parts = (
        name,
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        _row(user),
        _row(station),
        session,
        csrf_secret,
        verified,
        getattr(request, "LANGUAGE_CODE", ""),
        beijing_today().isoformat(),
    )
    return f"{KEY_PREFIX}view:{_digest(*parts)}"


def _keepable(request, response) -> bool:
    """200 HTML that sets no cookie but the CSRF one the browser already holds (the admin renews it on every page)."""
    cookies = {name: morsel.value for name, morsel in response.cookies.items()}
    if cookies.get(settings.CSRF_COOKIE_NAME) == request.META.get("CSRF_COOKIE"):
        cookies.pop(settings.CSRF_COOKIE_NAME)
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.has_header("Content-Disposition")
        and not cookies
        and getattr(response, "zz_audit_event", None) is None
        and len(response.content) <= LARGEST_KEPT
    )


def serve_kept(request, name: str, view, *args, **kwargs):
    """The view's answer to this GET, from memory while no table it reads has changed (see the module's text)."""
    key = _page_key(request, name) if connection.vendor == "postgresql" else None
    if key is None:
        return view(request, *args, **kwargs)
    pages = caches["kept"]
    kept = pages.get(key)
    if kept is not None:
        tables, kept_stamp, headers, body, renews_csrf = kept
        if stamp(tables) == kept_stamp:
            response = HttpResponse(zlib.decompress(body))
            for header, value in headers:
                response[header] = value
            if renews_csrf:
                # The page's forms used the token, so the fresh render sent the cookie again (G1): so does its copy.
                request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
            return response
    # The stamp is taken before rendering, over the tables this view has read before (all of them the first time),
    # so that a change committed while the page renders leaves it under an older stamp than the next request's.
    learned = _learned.get(name)
    before = _journal(learned)
    session_before = _session_items(request)
    reads = _Reads()
    with connection.execute_wrapper(reads):
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
    if reads.refusal or not reads.tables or reads.tables & UNJOURNALED:
        # (A page that read no table at all is built from something else — a cache, a file — that no stamp follows.)
        return response
    if _session_items(request) != session_before:
        return response  # it changed the session (took a note out of it): a copy would not, so render it every time
    tables = (learned or frozenset()) | reads.tables
    _learned[name] = tables
    if (learned is None or reads.tables <= learned) and _keepable(request, response) and not _messages_waiting(request):
        # Whether the render used the form token: the middleware is still to send the cookie, or the view's own
        # csrf_protect (the admin's) has just put it on the answer.
        renews_csrf = (
            bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")) or settings.CSRF_COOKIE_NAME in response.cookies
        )
        # Compressed (level 1: about 0.2 ms for a 40 KB admin page, back in 0.1 ms), HTML takes a fifth
        # to a tenth of the memory: up to MAX_ENTRIES pages of up to LARGEST_KEPT in each worker.
        body = zlib.compress(response.content, 1)
        kept = (tuple(sorted(tables)), _format(before, tables), list(response.items()), body, renews_csrf)
        pages.set(key, kept)
    return response


def _messages_waiting(request) -> bool:
    """Messages to show (or just shown by this render): the page they are on is this request's alone."""
    from django.contrib.messages import get_messages

    return bool(len(get_messages(request)))


def kept_rendered(view, name: str = ""):
    """Keep a signed-in GET page rendered for its account until a table it reads changes (see the module's text).

    `name` tells apart views that share one function (the admin's change lists); by default the view's own name.
    """
    name = name or f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve_kept(request, name, view, *args, **kwargs)

    return wrapper
