"""How log lines look: plain text by default, one JSON object per line with ``DJANGO_LOG_FORMAT=json``
(for a log shipper), and in both the Convex admin key blanked out of the whole line.

The dashboard never logs the key on purpose; the blanking is for what it does not control, such as
the message of an unexpected exception that Django logs with its traceback. Used by settings LOGGING
and by gunicorn's own loggers (dashboard/gunicorn_conf.py). Imports nothing of the apps: logging is
configured before they load.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

REDACTED = "[redacted]"


def redact_admin_key(text: str, key: str) -> str:
    """``text`` without ``key``, nor the secret half of a Convex key ("<deployment>|<secret>")."""
    if not key:
        return text
    for secret in (key, key.partition("|")[2]):
        if len(secret) >= 8:
            text = text.replace(secret, REDACTED)
    return text


def _admin_key() -> str:
    from django.conf import settings

    # The settings when loaded (tests change them); gunicorn's master formats before they are.
    if settings.configured:
        return str(getattr(settings, "CONVEX_ADMIN_KEY", "") or "")
    return os.environ.get("CONVEX_ADMIN_KEY", "").strip()


class PlainFormatter(logging.Formatter):
    """``time level logger: message`` (and the traceback), the admin key blanked."""

    def __init__(self) -> None:
        super().__init__("{asctime} {levelname} {name}: {message}", style="{")

    def format(self, record: logging.LogRecord) -> str:
        return redact_admin_key(super().format(record), _admin_key())


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, and
    ``exception`` (the formatted traceback) when there is one; the admin key blanked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        key = _admin_key()
        # Blanked before encoding: JSON escapes could otherwise hide the key from the search.
        entry = {name: redact_admin_key(v, key) if isinstance(v, str) else v for name, v in entry.items()}
        # ensure_ascii: a line stays one line and plain ASCII whatever a client put in a path.
        return json.dumps(entry, ensure_ascii=True)
