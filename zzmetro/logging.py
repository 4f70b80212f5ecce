"""Structured logs (LOG_FORMAT=json): one JSON object a line, each carrying the request id of the request it serves.

The id is nginx's X-Request-ID when present (so nginx's access log and ours join on it), else one made here; it is
returned in the response's X-Request-ID header. `zzmetro.middleware.RequestIdMiddleware` sets it for the duration of
a request; records logged outside a request (Celery, commands) carry "-".
"""

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

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
