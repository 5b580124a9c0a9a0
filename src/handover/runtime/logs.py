"""Log records: readable text by default, one JSON object per line with LOG_FORMAT=json, and never
a secret, whatever logged it.

Standard library only (a small Formatter and two Filters), not python-json-logger: the fields are
few and fixed, and a dependency would bring nothing that twenty lines do not.

Every handler carries two filters: `ContextFilter` adds the fields of the request or task being
served (request id, user, Organization, route, task id…), and `RedactSecrets` rewrites the message
and traceback so that a transfer link's secret, an API token, a webhook secret, an allauth key in a
path, a secret in a query string or body, or an `Authorization` or `Cookie` header never reaches a
log, whatever logger wrote it, whatever the method or status of the request (Django's own "Method Not
Allowed (POST): /transfers/receive/<secret>" included).
"""

import contextvars
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

REDACTED = "[redacted]"
SECRETS = [
    # Paths whose last part is a capability: a transfer link, a password reset, an email confirmation.
    re.compile(r"(?P<keep>/transfers/receive/)[^/?#\s\"'<>]+"),
    re.compile(r"(?P<keep>/accounts/password/reset/key/)[^/?#\s\"'<>]+"),
    re.compile(r"(?P<keep>/accounts/confirm-email/)[^/?#\s\"'<>]+"),
    # Personal API tokens and webhook secrets, wherever they appear.
    re.compile(r"(?P<keep>hov_|whsec_)[A-Za-z0-9_\-]+"),
    # The value of an Authorization or Cookie header, as a header, a dict entry or a WSGI environ key.
    re.compile(r"(?i)(?P<keep>(?:authorization|cookie)['\"]?\s*[:=]\s*['\"]?)[^'\"\n,}]+"),
    # A secret given by name: a query parameter (?token=…), a form field or a JSON member.
    re.compile(r"(?i)(?P<keep>\b(?:token|secret|key|password\d?)['\"]?\s*[:=]\s*['\"]?)[^'\"&\s,}]+"),
    # Any bare word of 43 base64url characters: the size of every 256-bit secret Handover makes (a
    # link's secret, the random part of a token), whatever text carries it (an exception's message).
    re.compile(r"(?<![A-Za-z0-9_\-])(?P<keep>)[A-Za-z0-9_\-]{43}(?![A-Za-z0-9_\-])"),
]
# Fields a record may carry, in the order a JSON line shows them after time, level, logger, message.
FIELDS = (
    "request_id",
    "user_id",
    "organization_id",
    "route",
    "method",
    "status",
    "duration_ms",
    "task_id",
    "task_name",
)

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "handover_log_context", default=None
)


@contextmanager
def log_context(**fields: Any) -> Iterator[dict[str, Any]]:
    """Within this block (this thread or task), every record carries `fields`; the yielded dict
    may be completed later in the block (e.g. the user, once known)."""
    fields = {**(_context.get() or {}), **fields}
    token = _context.set(fields)
    try:
        yield fields
    finally:
        _context.reset(token)


def redact(text: str) -> str:
    for pattern in SECRETS:
        text = pattern.sub(rf"\g<keep>{REDACTED}", text)
    return text


class ContextFilter(logging.Filter):
    """Adds the fields of the current `log_context` to each record (a field set with `extra=` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in (_context.get() or {}).items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class RedactSecrets(logging.Filter):
    """Rewrites a record's message (formatted with its arguments) and traceback without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class TextFormatter(logging.Formatter):
    """`2025-01-31 12:00:00,000 INFO handover.access: GET /… 200 3.1 ms [request_id=…]`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if request_id := getattr(record, "request_id", None):
            text += f" [request_id={request_id}]"
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line: time (ISO 8601, UTC), level, logger, message, the
    FIELDS the record carries, and `exception` with its traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, default=str, ensure_ascii=False)


def logging_config(*, format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING: everything through one handler (stdout for JSON, stderr for text), which
    carries the context and redaction filters. Django's own loggers are emptied of the handlers of its
    default configuration so that they too write through it."""
    json_lines = format == "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "handover.runtime.logs.ContextFilter"},
            "redact": {"()": "handover.runtime.logs.RedactSecrets"},
        },
        "formatters": {
            "text": {"()": "handover.runtime.logs.TextFormatter"},
            "json": {"()": "handover.runtime.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout" if json_lines else "ext://sys.stderr",
                "formatter": "json" if json_lines else "text",
                "filters": ["context", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            "django.db.backends": {"level": "INFO"},
        },
    }
