"""Health endpoints for the load balancer and systemd (issue 13): live answers alone, ready says why it cannot serve.

Every failure is real: a closed port instead of PostgreSQL or Redis, a migration the database has not recorded, a
mail left in the outbox past its due time, an empty font folder, a heartbeat that never came.
"""

import datetime as dt
import os
import socket

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from zzmetro import health
from zzmetro.models import OutboxMessage
from zzmetro.tasks import beat_heartbeat


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
