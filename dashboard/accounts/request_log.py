"""One log line per refused request, without a traceback.

Django logs every 4xx through ``django.request`` (and a bad ``Host`` through
``django.security.DisallowedHost``) with the exception attached, so each 403 or 404 wrote some 18
lines of traceback to the production log. Those refusals are expected (a viewer opening the audit
log, a stale link, a failed CSRF check, a rate limit, a scanner's Host header): the line that
matters is who was refused what, and why. Server errors (5xx) keep their traceback.

Installed as a filter on the log handler (settings LOGGING), so it sees records from every
``django.*`` logger after propagation. Imports nothing of the apps: logging is configured before
they load.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.utils.functional import SimpleLazyObject, empty

_REFUSAL_LOGGERS = ("django.request", "django.security")
_FORBIDDEN = re.compile(r"Forbidden \((?P<reason>.+)\)")
#: Set on a request whose refusal a more specific line (authz_fail) has logged already.
ALREADY_LOGGED = "_refusal_logged"


def _user(request: Any) -> str:
    user = getattr(request, "user", None)
    # Never load the user just to log: a lazy user nobody looked at stays unknown.
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return "-"
    return str(user.get_username()) if user.is_authenticated else "-"


def _printable(text: str, limit: int) -> str:
    # Paths and Host headers are typed by the client: keep a line one line.
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:limit]


def _reason(record: logging.LogRecord, path: str) -> str:
    text = record.getMessage()
    if path and text.endswith(f": {path}"):
        text = text[: -len(path) - 2]
    if match := _FORBIDDEN.fullmatch(text):
        text = match["reason"]
    return _printable(text, 200)


class RefusalsOnOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if (
            getattr(record, "one_line", False)
            or not record.name.startswith(_REFUSAL_LOGGERS)
            or not isinstance(status, int)
            or not 400 <= status < 500
        ):
            return True
        request = getattr(record, "request", None)
        if getattr(request, ALREADY_LOGGED, False):
            return False
        path = str(getattr(request, "path", ""))
        from dashboard.accounts.addresses import client_ip

        reason = _reason(record, path).replace('"', "'")
        record.msg = 'refused status=%d method=%s path=%s user=%s ip=%s reason="%s"'
        record.args = (
            status,
            _printable(str(getattr(request, "method", "-")), 16),
            _printable(path, 300),
            _user(request),
            client_ip(request) if request is not None else "-",
            reason,
        )
        record.one_line = True
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
