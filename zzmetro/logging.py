"""Structured logs (LOG_FORMAT=json): one JSON object a line, each carrying the request id of the request it serves.

The id is nginx's X-Request-ID when present (so nginx's access log and ours join on it), else one made here; it is
returned in the response's X-Request-ID header. `zzmetro.middleware.RequestIdMiddleware` sets it for the duration of
a request. A Celery task carries the id of the request that queued it (a message header), so the worker's lines of
that task join the request's; a task nobody's request queued (beat's schedule) carries its own task id. Records
logged outside both (commands) carry "-".
"""

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

from celery import signals

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# nginx's $request_id is 32 hex digits; accept any short token of safe characters, so a header cannot forge lines.
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Attributes every LogRecord has; anything else was passed in `extra=` and is logged as a field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def incoming_or_new(header: str | None) -> str:
    return header if header and _VALID_ID.match(header) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (for the JSON formatter and plain %(request_id)s formats)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """time (UTC, ISO 8601), level, logger, message, request_id, any `extra=` fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# ---- Celery: the request id travels with the task ----------------------------------------------------------------

TASK_HEADER = "zz_request_id"


@signals.before_task_publish.connect(dispatch_uid="zzmetro.logging.send_request_id")
def _send_request_id(headers=None, **kwargs):
    current = request_id.get()
    if headers is not None and current != "-":
        headers.setdefault(TASK_HEADER, current)


@signals.task_prerun.connect(dispatch_uid="zzmetro.logging.adopt_request_id")
def _adopt_request_id(task_id=None, task=None, **kwargs):
    """In the worker: the queuing request's id, else the task's own. A task run in-process (no broker) inside a request
    keeps that request's id."""
    sent = getattr(task.request, TASK_HEADER, None) if task is not None else None
    current = request_id.get()
    rid = sent if sent and _VALID_ID.match(str(sent)) else (current if current != "-" else str(task_id or "-"))
    if task is not None:
        task.request.zz_request_id_token = request_id.set(rid)


@signals.task_postrun.connect(dispatch_uid="zzmetro.logging.drop_request_id")
def _drop_request_id(task=None, **kwargs):
    token = getattr(task.request, "zz_request_id_token", None) if task is not None else None
    if token is not None:
        task.request.zz_request_id_token = None
        request_id.reset(token)
