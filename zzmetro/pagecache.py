"""Public pages rendered once per change of the rows they show, never stale (issue 13 "Load").

The public register and the certificate check page are the portal's busiest pages and change rarely, but a
revocation must show on them at once (DOMAIN A11, D2). So a page's HTML is cached under a fingerprint of every row
of the tables it reads, taken in one query before anything is rendered: any committed INSERT, UPDATE or DELETE on
one of those tables — by a service, a queryset update(), the admin or raw SQL — gives a new fingerprint, so the next
request renders afresh. Nothing has to remember to invalidate anything, and the fingerprint is read from the database
itself, so every worker agrees on it; each keeps the HTML in its own memory (settings.CACHES["pages"]).

The fingerprint is PostgreSQL's: per table the row count and the XOR of a 64-bit hash of each row's primary key,
xmin and cmin — the transaction and the command within it that wrote that version of the row (an UPDATE always
writes a new version; cmin tells apart two versions written by one transaction). A changed row changes its term; a
deleted or added row removes or adds one. On another database there is no fingerprint and pages are rendered every
time.

Only the part of a page that is the same for everybody is cached: the caller renders the signed-in user's frame
(menu, messages) around it on every request.
"""

import hashlib

from django.core.cache import caches
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

# Each process's own memory (settings.CACHES["pages"]): the fingerprint, not the cache, makes every process agree,
# and a process started with newer code (templates) starts with none of the older HTML.
KEY_PREFIX = "zz:page:"


def fingerprint(models) -> str | None:
    """A value that changes with every change this transaction sees to any row of `models`' tables.

    None when the database is not PostgreSQL.
    """
    if connection.vendor != "postgresql":
        return None
    quote = connection.ops.quote_name
    parts = []
    for model in models:
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        parts.append(
            f"SELECT count(*)::text || '.' || coalesce(bit_xor(hashtextextended(concat_ws(':', {pk}, xmin, cmin), 0)),"
            f" 0)::text FROM {table}"
        )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT concat_ws('/', {', '.join(f'({part})' for part in parts)})")
        return cursor.fetchone()[0]


def cached_fragment(name: str, *, models, vary, render) -> SafeString:
    """`render()`'s HTML, reused while no row of `models` changes and `vary` (what else the HTML depends on) is equal.

    `vary` is a tuple of strings (the day, the page number, the normalised query); `render` is only called on a miss.
    The fingerprint is read before rendering: a change committed meanwhile is stored under the older fingerprint,
    which the next request no longer matches.
    """
    stamp = fingerprint(models)
    if stamp is None:
        return mark_safe(render())
    digest = hashlib.sha256("\x1f".join((stamp, *vary)).encode()).hexdigest()
    key = f"{KEY_PREFIX}{name}:{digest}"
    html = caches["pages"].get(key)
    if html is None:
        html = str(render())
        caches["pages"].set(key, html)
    return mark_safe(html)
