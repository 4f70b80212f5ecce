"""Shared fixtures: one user per actor of DOMAIN.md, and a frozen Beijing clock."""

import datetime as dt
import os

import pytest
import time_machine

from zzmetro.dates import BEIJING

pytest_plugins = ["zzmetro.pytest_browser"]

# Playwright's sync API runs an event loop in this thread; Django's ORM guard would otherwise refuse queries.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _flush_may_truncate_event_tables(sender, connection, **kwargs):
    """Transactional tests end with a flush (TRUNCATE); the event tables refuse it unless the session opts in."""
    if connection.vendor == "postgresql":
        from zzmetro.appendonly import ALLOW_TRUNCATE_SQL

        with connection.cursor() as cursor:
            cursor.execute(ALLOW_TRUNCATE_SQL)


def pytest_configure(config):
    from django.db.backends.signals import connection_created

    connection_created.connect(_flush_may_truncate_event_tables)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing demo passwords with the production hasher would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Mail goes through the outbox as in production; its transport is Django's in-memory one (mail.outbox).
    settings.EMAIL_BACKEND = "zzmetro.outbox.OutboxBackend"
    settings.OUTBOX_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Kept pages (zzmetro/pagecache.py) and the tables each view has read start afresh, as in a newly started worker.
    from django.core.cache import caches

    from zzmetro import pagecache

    caches["pages"].clear()
    caches["kept"].clear()
    pagecache._learned.clear()


@pytest.fixture
def freeze():
    """freeze("2026-12-03 23:59:59") travels to that Beijing wall-clock time for the rest of the test."""
    travellers = []

    def _freeze(moment: str | dt.date | dt.datetime):
        if isinstance(moment, str):
            moment = dt.datetime.fromisoformat(moment)
        if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time(12, 0))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=BEIJING)
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return moment

    yield _freeze
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def bureau(db):
    from authorizations.tests.factories import UserFactory

    return UserFactory(bureau=True, username="bureau")


@pytest.fixture
def manager(db):
    from authorizations.tests.factories import UserFactory

    return UserFactory(manager=True, username="manager")


@pytest.fixture
def officer1(db):
    from authorizations.tests.factories import UserFactory

    return UserFactory(username="officer1")


@pytest.fixture
def officer2(db):
    from authorizations.tests.factories import UserFactory

    return UserFactory(username="officer2")


@pytest.fixture
def admin_client_bureau(client, bureau):
    client.force_login(bureau)
    return client


@pytest.fixture(autouse=True)
def _celery_in_process():
    """Tasks run in-process unless a test asks for the real worker below."""
    from zzmetro.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture
def celery_redis_worker(transactional_db):
    """A real Celery worker thread consuming from the Redis broker named by REDIS_URL.

    Each test gets its own queue, so parallel runs sharing one Redis never take each other's tasks.
    """
    import uuid

    from celery.contrib.testing.worker import start_worker

    from zzmetro.celery import app

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL must point at a Redis server (make test starts a throwaway one when it is unset).")
    queue = f"zzmetro-test-{uuid.uuid4().hex[:12]}"
    app.conf.update(
        task_always_eager=False,
        broker_url=url,
        result_backend=url,
        task_default_queue=queue,
        broker_connection_retry_on_startup=False,
    )
    forget_celery_connections(app)
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=15, queues=[queue]
    ):
        yield app
    app.conf.update(task_always_eager=True, result_backend=None)
    forget_celery_connections(app)


def forget_celery_connections(app):
    """Drop the broker pools and the result store Celery cached for the previous configuration."""
    app._pool, app.amqp._producer_pool, app._backend_cache = None, None, None
    app._local.__dict__.pop("backend", None)
