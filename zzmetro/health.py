"""Health endpoints for the load balancer, nginx and systemd (issue 13).

`/healthz/live` says only that this process answers: it touches neither the database nor Redis, so a database outage
never makes the load balancer restart healthy web processes. `/healthz/ready` says whether the portal can serve:
the database answers and every migration on disk is applied, Redis answers and Celery beat's heartbeat is fresh
(when a broker is configured), a Redis cache (CACHE_URL) answers, the prepared PDF fonts are present, and no mail
waits in the outbox long past its due time (a dead worker or beat). It answers 503 with one Chinese and one English
reason per failed check, never 500: a check that fails in a way nobody foresaw is reported as that check's failure.

`answer_probe` answers both URLs as soon as the request id is set (zzmetro/middleware.py), before sessions,
authentication and the rest: a probe that carries a session cookie (a browser, a balancer replaying one) would
otherwise reach the database through them, so live would touch it and ready would end in a 500 of the session
middleware during an outage.

A small view module rather than django-health-check: that library's view is async (sync checks run in executor
threads with their own database connections, invisible to a test transaction and never closed per request), answers
500 rather than 503 and keys its JSON by class repr; the checks themselves would all be ours anyway.
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import response_for_exception
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Written by the beat-scheduled task `zzmetro.beat_heartbeat` into the broker's Redis (REDIS_URL).
HEARTBEAT_KEY = "zzmetro:beat-heartbeat"
REDIS_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class Problem:
    """Why the portal is not ready: which check, in Chinese for staff and in English for the IT office's tools."""

    check: str
    zh: str
    en: str


@require_safe
@never_cache
def live(request):
    """The process answers; nothing else is consulted."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def ready(request):
    problems = readiness_problems()
    body = {
        "status": "unavailable" if problems else "ok",
        "reasons": [{"check": p.check, "zh": p.zh, "en": p.en} for p in problems],
    }
    return JsonResponse(body, status=503 if problems else 200, json_dumps_params={"ensure_ascii": False})


PROBES = {"/healthz/live": live, "/healthz/ready": ready}


def answer_probe(request):
    """The probe's answer when `request` asks for one, else None. Called by RequestIdMiddleware (first in MIDDLEWARE), so
    no middleware that reads the session or the user (and so the database) runs for a probe; ALLOWED_HOSTS still
    applies (a foreign Host gets Django's 400), and plain HTTP is never redirected to HTTPS."""
    view = PROBES.get(request.path_info)
    if view is None:
        return None
    try:
        request.get_host()
    except DisallowedHost as error:
        return response_for_exception(request, error)
    return view(request)


def readiness_problems() -> list[Problem]:
    problems = [p for p in (_guarded("fonts", _fonts), *_guarded("redis", _broker), _guarded("cache", _cache)) if p]
    database = _guarded("database", _database)
    if database:  # the checks below read the database
        return [database, *problems]
    migrations = _guarded("migrations", _migrations)
    if migrations:  # the outbox's table may not even exist yet
        return [migrations, *problems]
    return [p for p in (_guarded("outbox", _outbox),) if p] + problems


def _guarded(check: str, function):
    """Run one check; an error it did not expect is that check's failure (503), never the probe's 500."""
    try:
        return function()
    except Exception as error:  # the probe must answer whatever the check met
        logger.exception("readiness check %s failed unexpectedly", check)
        if isinstance(error, DatabaseError):
            connection.close()  # the next request connects afresh
        problem = Problem(
            check, f"健康检查“{check}”出错，请查看日志。", f"{check} check failed: {type(error).__name__}"
        )
        return [problem] if check == "redis" else problem


def _database() -> Problem | None:
    if not connection.in_atomic_block:
        # A connection kept from an earlier request (CONN_MAX_AGE) would wait for ever on a server that stopped
        # answering after it was opened; a fresh one is bounded by the connect timeout (DATABASE_CONNECT_TIMEOUT).
        connection.close()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        connection.close()  # the next request connects afresh
        return Problem("database", "数据库无法连接。", f"database unreachable: {type(error).__name__}")
    return None


def _migrations() -> Problem | None:
    return pending_migrations(connection)


def pending_migrations(connection) -> Problem | None:
    """Migrations on disk the database has not recorded (all of them on an empty database); `check_migrated` too."""
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not pending:
        return None
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
    return Problem(
        "migrations",
        f"数据库尚有 {len(pending)} 个迁移未执行，请运行 manage.py migrate。",
        f"{len(pending)} migration(s) not applied: {names}",
    )


def _outbox() -> Problem | None:
    from zzmetro.models import OutboxMessage

    minutes = settings.HEALTH_OUTBOX_STUCK_MINUTES
    stuck = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, next_attempt_at__lt=timezone.now() - dt.timedelta(minutes=minutes)
    ).count()
    if not stuck:
        return None
    return Problem(
        "outbox",
        f"有 {stuck} 封邮件超过发送时间 {minutes} 分钟仍未发出，请检查 Celery worker 和 beat。",
        f"{stuck} outbox mail(s) pending more than {minutes} minutes past due",
    )


def _fonts() -> Problem | None:
    from zzmetro.pdf import FONT_FACES

    missing = [f.filename for f in FONT_FACES if not (Path(settings.PDF_FONT_DIR) / f.filename).is_file()]
    if not missing:
        return None
    return Problem(
        "fonts",
        "PDF 中文字体未准备，请运行 manage.py prepare_fonts。",
        f"PDF fonts missing in {settings.PDF_FONT_DIR}: {', '.join(missing)}",
    )


def _broker() -> list[Problem | None]:
    """Redis answers, and beat's heartbeat is fresh; only where a broker is configured (not the embedded demo)."""
    if not settings.REDIS_URL:
        return []
    try:
        beat = _redis().get(HEARTBEAT_KEY)
    except redis.RedisError as error:
        return [Problem("redis", "Redis 无法连接，后台任务和邮件暂停。", f"redis unreachable: {type(error).__name__}")]
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    age, limit = (time.time() - float(beat)) if beat else None, settings.HEALTH_BEAT_MAX_AGE_SECONDS
    if age is not None and age <= limit:
        return []
    seen = "never" if age is None else f"{age:.0f} s ago"
    return [
        Problem(
            "beat",
            f"Celery beat 的心跳超过 {limit} 秒未更新，定时任务（提醒、邮件）可能已停止。",
            f"celery beat heartbeat stale (last {seen}, limit {limit} s)",
        )
    ]


def _cache() -> Problem | None:
    """The default cache answers when it is a Redis server (CACHE_URL: the password-reset counters live there, so a
    reset request fails while it is down); a per-process cache needs no check."""
    config = settings.CACHES.get("default", {})
    if "redis" not in config.get("BACKEND", "").lower():
        return None
    locations = config.get("LOCATION") or []
    for url in locations.split(",") if isinstance(locations, str) else locations:
        try:
            _redis(url.strip()).ping()
        except redis.RedisError as error:
            return Problem(
                "cache",
                "缓存服务器（CACHE_URL 的 Redis）无法连接，找回密码等功能暂不可用。",
                f"cache redis unreachable: {type(error).__name__}",
            )
    return None


def record_heartbeat() -> float:
    """Store now as beat's heartbeat; run by the beat-scheduled task on a worker, so it proves beat and a worker."""
    now = time.time()
    _redis().set(HEARTBEAT_KEY, now)
    return now


_clients: dict[str, redis.Redis] = {}


def _redis(url: str | None = None) -> redis.Redis:
    """A client of the broker's Redis (or of `url`) that gives up within REDIS_TIMEOUT_SECONDS."""
    url = url or settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
    return _clients[url]
