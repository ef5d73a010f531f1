"""Structured logs: one JSON object per line, for production (settings.production).

    {"time": "2026-11-23T04:01:02.345Z", "level": "ERROR", "logger": "django.request",
     "message": "Internal Server Error: /hoc/", "request_id": "9f1c…", "exception": "Traceback …"}

Fields bound with ``log_fields(...)`` (the request id by lms.core.request_id, the Celery
task by lms.celery_app) are added to every line logged inside the block, and so are the
``extra={...}`` fields of a call. Values that are not JSON become their ``str()``.
"""

import contextvars
import datetime
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Never mutated: each binding sets a new dict, so the shared empty default stays empty.
_fields: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar(
    "lms_log_fields", default={}  # noqa: B039
)

# Attributes every LogRecord has: not "extra" fields.
_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime", "taskName"}
)


def current_log_fields() -> dict[str, Any]:
    return dict(_fields.get())


@contextmanager
def log_fields(**fields: Any) -> Iterator[None]:
    """Add `fields` to every log line written in this block (this thread or task only)."""
    token = _fields.set({**_fields.get(), **fields})
    try:
        yield
    finally:
        _fields.reset(token)


def bind_log_fields(**fields: Any) -> contextvars.Token:
    """`log_fields` for code that cannot use a with-block (signal pairs); pass the token
    to `unbind_log_fields`."""
    return _fields.set({**_fields.get(), **fields})


def unbind_log_fields(token: contextvars.Token) -> None:
    _fields.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_fields.get())
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRS or key.startswith("_") or key in entry:
                continue
            if key == "request":  # django.request passes the request object
                entry["method"] = getattr(value, "method", None)
                entry["path"] = getattr(value, "path", None)
                # Django logs a 4xx/5xx response after the middleware has returned.
                if getattr(value, "request_id", None):
                    entry.setdefault("request_id", value.request_id)
                continue
            entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
