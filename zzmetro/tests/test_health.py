"""Health endpoints for the load balancer and systemd (issue 13): live answers alone, ready says why it cannot serve.

Every failure is real: a closed port or a server that accepts and never answers instead of PostgreSQL or Redis, a
database never migrated or one migration it has not recorded, a mail left in the outbox past its due time, an empty
font folder, a heartbeat that never came.
"""

import contextlib
import datetime as dt
import os
import socket
import threading
import time

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from zzmetro import health, testing
from zzmetro.models import OutboxMessage
from zzmetro.tasks import beat_heartbeat
from zzmetro.tests.netpeers import silent_server


def closed_port() -> int:
    """A port on this machine where nothing listens (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reasons(response) -> dict[str, dict]:
    return {r["check"]: r for r in response.json()["reasons"]}


@pytest.fixture
def broker(settings):
    """The Redis broker of the test run, with beat expected (as in production) and a fresh heartbeat."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL must point at a Redis server (make test starts a throwaway one when it is unset).")
    settings.REDIS_URL, settings.CELERY_TASK_ALWAYS_EAGER = url, False
    beat_heartbeat.delay()
    yield url
    health._redis().delete(health.HEARTBEAT_KEY)


def test_live_answers_without_touching_the_database(client):
    """Issue 13: no database access is allowed in this test (pytest-django refuses it), and live still answers."""
    response = client.get("/healthz/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_answers_200_when_database_migrations_redis_beat_fonts_and_outbox_are_fine(client, broker):
    """Issue 13 (M3: mail is delivered): everything the portal needs answers."""
    response = client.get("/healthz/ready")
    assert response.status_code == 200, response.content.decode()
    assert response.json() == {"status": "ok", "reasons": []}


def test_ready_fails_with_a_bilingual_reason_when_the_database_is_unreachable(client, django_db_blocker):
    """Issue 13: PostgreSQL refuses connections (a closed port); ready answers 503 and says so in Chinese and English."""
    original = connection.settings_dict["PORT"]
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict["PORT"] = closed_port()
        try:
            response = client.get("/healthz/ready")
        finally:
            connection.close()
            connection.settings_dict["PORT"] = original
    assert response.status_code == 503 and response.json()["status"] == "unavailable"
    database = reasons(response)["database"]
    assert database["zh"] == "数据库无法连接。" and "database unreachable" in database["en"]


@pytest.mark.django_db
def test_ready_fails_when_a_migration_on_disk_is_not_applied(client, broker):
    """Issue 13: the code is newer than the database (deployed without `migrate`); ready names the migration."""
    app_leaf = MigrationLoader(None).graph.leaf_nodes("zzmetro")[0]
    MigrationRecorder(connection).record_unapplied(*app_leaf)  # rolled back with the test's transaction
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    migrations = reasons(response)["migrations"]
    assert "manage.py migrate" in migrations["zh"] and f"{app_leaf[0]}.{app_leaf[1]}" in migrations["en"]


@pytest.mark.django_db
def test_ready_fails_when_a_mail_is_stuck_past_its_due_time(client, broker, settings):
    """Issue 13, M3: a mail pending 16 minutes past due (limit 15) means no worker or beat delivers; one just due does not."""
    settings.HEALTH_OUTBOX_STUCK_MINUTES = 15
    now = timezone.now()
    OutboxMessage.objects.create(
        subject="催报提醒", body="x", to=["a@example.cn"], next_attempt_at=now - dt.timedelta(minutes=14)
    )
    assert client.get("/healthz/ready").status_code == 200
    OutboxMessage.objects.create(
        subject="催报提醒", body="x", to=["b@example.cn"], next_attempt_at=now - dt.timedelta(minutes=16)
    )
    OutboxMessage.objects.create(
        subject="已发送",
        body="x",
        to=["c@example.cn"],
        status=OutboxMessage.Status.SENT,
        next_attempt_at=now - dt.timedelta(days=1),
    )
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    outbox = reasons(response)["outbox"]
    assert outbox["zh"].startswith("有 1 封邮件超过发送时间 15 分钟") and "1 outbox mail(s)" in outbox["en"]


@pytest.mark.django_db
def test_ready_fails_when_beat_has_not_beaten_and_recovers_when_it_does(client, broker, settings):
    """Issue 13 (M3, P2 reminders run from beat): no heartbeat, or an old one, fails ready; the task's next run fixes it."""
    health._redis().delete(health.HEARTBEAT_KEY)
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and "never" in reasons(response)["beat"]["en"]
    health._redis().set(health.HEARTBEAT_KEY, timezone.now().timestamp() - settings.HEALTH_BEAT_MAX_AGE_SECONDS - 5)
    assert reasons(client.get("/healthz/ready"))["beat"]["zh"].startswith("Celery beat 的心跳超过")
    beat_heartbeat.delay()
    assert client.get("/healthz/ready").status_code == 200


@pytest.mark.django_db
def test_ready_fails_when_redis_is_unreachable(client, settings):
    """Issue 13: the broker's Redis refuses connections; background work and mail are stalled."""
    settings.REDIS_URL, settings.CELERY_TASK_ALWAYS_EAGER = f"redis://127.0.0.1:{closed_port()}/0", False
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and "redis unreachable" in reasons(response)["redis"]["en"]


@pytest.mark.django_db
def test_ready_checks_neither_redis_nor_beat_in_the_embedded_demo(client, settings):
    """Issue 13: without REDIS_URL tasks run in-process and there is no beat to wait for."""
    settings.REDIS_URL = ""
    assert client.get("/healthz/ready").status_code == 200


@pytest.mark.django_db
def test_ready_fails_when_the_pdf_fonts_are_not_prepared(client, broker, settings, tmp_path):
    """Issue 13, D1: without the prepared fonts no Chinese PDF can be rendered."""
    settings.PDF_FONT_DIR = tmp_path
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and "prepare_fonts" in reasons(response)["fonts"]["zh"]


@contextlib.contextmanager
def database_at(django_db_blocker, **where):
    """The web process's database connection pointed elsewhere (another port or database) for the block."""
    original = {key: connection.settings_dict[key] for key in where}
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(where)
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.update(original)


def test_ready_fails_in_seconds_when_the_database_accepts_and_never_answers(client, django_db_blocker, settings):
    """Issue 13: a hung PostgreSQL host (the TCP connection opens, no byte comes back) gives 503 within the connect
    timeout (DATABASE_CONNECT_TIMEOUT, 5 s by default), never a probe that hangs until the balancer gives up."""
    settings.REDIS_URL = ""
    with silent_server() as port, database_at(django_db_blocker, PORT=port):
        started = time.monotonic()
        response = client.get("/healthz/ready")
        elapsed = time.monotonic() - started
    assert response.status_code == 503 and reasons(response)["database"]["zh"] == "数据库无法连接。"
    assert elapsed < connection.settings_dict["OPTIONS"]["connect_timeout"] + 3


@pytest.fixture
def empty_database(django_db_blocker):
    """A database on the test server with no table at all: a deployment whose `migrate` never ran."""
    with testing.empty_database(django_db_blocker) as name:
        yield name


def test_ready_says_migrations_are_missing_on_a_database_that_was_never_migrated(
    client, django_db_blocker, empty_database, settings
):
    """Issue 13: on an empty database every migration is pending and the outbox's table does not exist; ready answers
    503 naming the migrations (it used to fail with a 500 reading the missing outbox table)."""
    settings.REDIS_URL = ""
    with database_at(django_db_blocker, NAME=empty_database):
        response = client.get("/healthz/ready")
    assert response.status_code == 503, response.content.decode()[:300]
    assert list(reasons(response)) == ["migrations"]
    assert "manage.py migrate" in reasons(response)["migrations"]["zh"]
    assert "contenttypes.0001_initial" in reasons(response)["migrations"]["en"]


def test_probes_carrying_a_session_cookie_answer_while_the_database_is_down(client, django_db_blocker, settings):
    """Issue 13: a probe with a session cookie (a browser, a balancer replaying one) must not reach the database through
    the session or the signed-in user: live still answers 200 without it, ready answers 503, neither a 500."""
    settings.REDIS_URL = ""
    client.cookies[settings.SESSION_COOKIE_NAME] = "0123456789abcdefghijklmnopqrstuv"
    with database_at(django_db_blocker, PORT=closed_port()):
        live, ready = client.get("/healthz/live"), client.get("/healthz/ready")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert ready.status_code == 503 and list(reasons(ready)) == ["database"]
    assert live["X-Request-ID"] and ready["X-Request-ID"]


def test_live_with_a_session_cookie_never_touches_the_database(client, settings):
    """Issue 13: pytest-django refuses any database access in this test; a session cookie does not change that."""
    client.cookies[settings.SESSION_COOKIE_NAME] = "0123456789abcdefghijklmnopqrstuv"
    assert client.get("/healthz/live").status_code == 200


@pytest.mark.django_db
def test_both_probes_answer_over_plain_http_when_https_is_enforced(client, broker, settings):
    """Issue 13, G4: with HTTPS_ONLY every other page redirects to HTTPS, but the balancer asks over plain HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/register/").status_code == 301
    assert client.get("/healthz/live").status_code == 200
    assert client.get("/healthz/ready").status_code == 200
    assert client.get("/healthz/ready", headers={"Host": "evil.example.com"}).status_code == 400  # ALLOWED_HOSTS


@pytest.mark.django_db
def test_ready_fails_in_seconds_when_redis_accepts_and_never_answers(client, settings):
    """Issue 13: a hung Redis (connection opens, no answer) gives 503 within the 2 s socket timeout, no retries."""
    with silent_server() as port:
        settings.REDIS_URL, settings.CELERY_TASK_ALWAYS_EAGER = f"redis://127.0.0.1:{port}/0", False
        started = time.monotonic()
        response = client.get("/healthz/ready")
        elapsed = time.monotonic() - started
    assert response.status_code == 503 and "redis unreachable" in reasons(response)["redis"]["en"]
    assert elapsed < 3 * health.REDIS_TIMEOUT_SECONDS


@pytest.mark.django_db
def test_a_check_that_meets_something_unforeseen_is_a_503_naming_it_not_a_500(client, broker):
    """Issue 13: a heartbeat key holding something that is not a time (written by hand, another program) fails the
    check it belongs to with 503; the probe never answers 500."""
    health._redis().set(health.HEARTBEAT_KEY, "yesterday")
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and list(reasons(response)) == ["redis"]
    assert reasons(response)["redis"]["en"] == "redis check failed: ValueError"


class FreezingProxy:
    """A TCP proxy to the test PostgreSQL that can freeze: from then on it forwards nothing either way and answers new
    connections with silence, as a database host that hangs after the web process connected to it."""

    def __init__(self, port: int):
        self.target, self.frozen, self.sockets = port, threading.Event(), []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                self.sockets.append(client)
                if self.frozen.is_set():
                    continue
                upstream = socket.create_connection(("127.0.0.1", self.target))
                self.sockets.append(upstream)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if self.frozen.is_set():
                    return
                sink.sendall(data)

    def close(self):
        """Shut every socket down (close alone leaves a socket another thread waits on open, and PostgreSQL's session
        with it)."""
        for each in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()


def test_ready_fails_in_seconds_when_the_database_hangs_after_the_connection_was_kept(
    client, django_db_blocker, settings
):
    """Issue 13: the web process keeps its connection between requests (DATABASE_CONN_MAX_AGE); when the database host
    then hangs, ready must not wait on that connection for ever: it answers 503 within the connect timeout."""
    settings.REDIS_URL = ""
    proxy = FreezingProxy(int(connection.settings_dict["PORT"] or 5432))
    limit = connection.settings_dict["OPTIONS"]["connect_timeout"] + 3
    rescue = threading.Timer(limit + 10, proxy.close)  # if ready waits on the frozen connection, end the wait
    try:
        with database_at(django_db_blocker, PORT=proxy.port, HOST="127.0.0.1", CONN_MAX_AGE=600):
            assert client.get("/healthz/ready").status_code == 200  # connected through the proxy, connection kept
            proxy.frozen.set()
            rescue.start()
            started = time.monotonic()
            response = client.get("/healthz/ready")
            elapsed = time.monotonic() - started
    finally:
        rescue.cancel()
        proxy.close()
    assert elapsed < limit and response.status_code == 503, f"{elapsed:.0f} s"
    assert list(reasons(response)) == ["database"]


def redis_cache(url: str) -> dict:
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


@pytest.mark.django_db
@pytest.mark.parametrize("peer", ["closed port", "silent server"])
def test_ready_fails_in_seconds_when_the_redis_cache_is_down(client, broker, settings, peer):
    """Issue 13, G1 (password-reset counters live in CACHE_URL): a Redis cache that refuses or never answers gives 503
    naming the cache, within the 2 s timeout; the same cache answering gives 200."""
    settings.CACHES = {**settings.CACHES, "default": redis_cache(broker)}
    assert client.get("/healthz/ready").status_code == 200
    with contextlib.ExitStack() as stack:
        port = closed_port() if peer == "closed port" else stack.enter_context(silent_server())
        settings.CACHES = {**settings.CACHES, "default": redis_cache(f"redis://127.0.0.1:{port}/1")}
        started = time.monotonic()
        response = client.get("/healthz/ready")
        elapsed = time.monotonic() - started
    assert response.status_code == 503 and list(reasons(response)) == ["cache"]
    assert reasons(response)["cache"]["zh"].startswith("缓存服务器（CACHE_URL 的 Redis）无法连接")
    assert elapsed < 3 * health.REDIS_TIMEOUT_SECONDS
