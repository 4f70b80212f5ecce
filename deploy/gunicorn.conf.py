"""Gunicorn settings shared by `make serve` and systemd/zzmetro-web.service (command-line flags override them)."""

import multiprocessing
import os

bind = os.environ.get("HOST", "127.0.0.1:8000")
# Sync workers, no threads: a page's time is Python (templates, the ORM) under one interpreter lock, so threads would
# only queue behind it (issue 13 "Load"); 2 × CPUs + 1 processes keep the CPUs busy while some wait on PostgreSQL.
# Each worker keeps one database connection (DATABASE_CONN_MAX_AGE): PostgreSQL's max_connections must cover the
# workers of every web host plus the Celery workers.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
# A city-wide export streams for a while; nginx's proxy_read_timeout is the same.
timeout = 300
graceful_timeout = 30
# Recycle workers now and then, so memory held by a large PDF or workbook is given back. Far apart and spread wide:
# a recycled worker starts with no kept pages (zzmetro/pagecache.py), and workers that had served the same number of
# requests would otherwise all restart within the same second (seen under load: a 5-second stall).
max_requests = 10000
max_requests_jitter = 5000
# The application is loaded once, in the master, and each worker is forked from it: a new or recycled worker answers
# at once instead of importing Django for seconds while requests queue for it, and the workers share that memory.
# Upgrades therefore need a restart (systemctl restart), not a reload; no connection may cross the fork.
preload_app = True


def when_ready(server):
    """Close what loading the application may have opened in the master, so no worker inherits a connection."""
    from django.db import connections

    connections.close_all()


# nginx on the same machine sets X-Forwarded-Proto; gunicorn may believe it only from there.
forwarded_allow_ips = "127.0.0.1,::1"
# systemd (or make serve's terminal) manages the process with signals; no runtime control socket in $HOME.
control_socket_disable = True
# Django writes one access line per request (zzmetro.access, with the request id); gunicorn's own would duplicate it.
accesslog = None

if os.environ.get("LOG_FORMAT") == "json":
    # gunicorn's own messages (boot, worker timeouts) as JSON lines too, like the portal's (zzmetro/logging.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "zzmetro.logging.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["console"], "level": "INFO"},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }
