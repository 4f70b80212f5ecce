"""A cached public page is rendered afresh after any change to the rows it reads, however the change was made (A11, D2).

The rows here are outbox messages, an ordinary table of the kernel; the register's own pages are tested with
certificates in authorizations/tests.
"""

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from zzmetro import pagecache
from zzmetro.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def message():
    return OutboxMessage.objects.create(subject="第一封", body="正文", to=["a@example.com"])


class Page:
    """A page whose HTML lists the subjects of the outbox, counting how often it was really rendered."""

    def __init__(self):
        self.renders = 0

    def __call__(self, *vary):
        return pagecache.cached_fragment("test-outbox", models=[OutboxMessage], vary=vary, render=self.render)

    def render(self):
        self.renders += 1
        return "、".join(OutboxMessage.objects.order_by("pk").values_list("subject", flat=True))


def test_the_page_is_rendered_once_while_nothing_changes(message):
    """D2: the check page costs one small query while its rows stay as they are."""
    page = Page()
    assert page("2026-03-01") == page("2026-03-01") == "第一封"
    assert page.renders == 1


def test_what_else_the_page_depends_on_keeps_its_own_copy(message):
    """D2: another day (a certificate's state on it) or another query is another page."""
    page = Page()
    page("2026-03-01"), page("2026-03-02"), page("2026-03-01", "page=2")
    assert page.renders == 3


def _save(message):
    message.subject = "改过的"
    message.save()


def _update(message):
    OutboxMessage.objects.filter(pk=message.pk).update(subject="改过的")


def _raw_sql(message):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE zzmetro_outboxmessage SET subject = %s WHERE id = %s", ["改过的", message.pk])


def _delete(message):
    message.delete()


def _add(message):
    OutboxMessage.objects.create(subject="第二封", body="正文", to=["b@example.com"])


def _in_a_savepoint(message):
    with transaction.atomic():
        _save(message)


@pytest.mark.parametrize("change", [_save, _update, _raw_sql, _delete, _add, _in_a_savepoint])
def test_any_change_to_the_rows_shows_at_once(message, change):
    """A11: a revocation shows on the public pages at once, whether a service, a queryset update, the admin or raw
    SQL wrote it; nothing has to remember to invalidate the cache."""
    page = Page()
    before = page("2026-03-01")
    change(message)
    after = page("2026-03-01")
    assert page.renders == 2
    assert after == "、".join(OutboxMessage.objects.order_by("pk").values_list("subject", flat=True))
    assert after != before


def test_saving_a_row_unchanged_renders_afresh_too(message):
    """A11: the fingerprint follows row versions, not values, so it can only err on the side of rendering again."""
    page = Page()
    page("2026-03-01")
    message.save()
    page("2026-03-01")
    assert page.renders == 2


def test_many_different_pages_never_push_a_rate_limit_out(message):
    """G1: the counters that limit password-reset mails stay however many register queries are asked for, because
    the pages are kept apart from them (settings.CACHES["pages"])."""
    cache.set("password-reset:ip:203.0.113.9", 3, 3600)
    page = Page()
    for number in range(400):
        page("2026-03-01", f"q={number}")
    assert cache.get("password-reset:ip:203.0.113.9") == 3
