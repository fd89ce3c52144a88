"""Failed sign-ins are counted and, past a limit, refused before the password is even checked.

Two counters, each a fixed window that starts at the first failure:

* per username and client address: ``LOGIN_FAILURES_PER_USER_IP`` (5) in ``LOGIN_FAILURE_WINDOW``
  (15 minutes) — guessing one teammate's password;
* per client address: ``LOGIN_FAILURES_PER_IP`` (50) in the same window — trying many usernames.

The counters live in the ``shared`` cache (a table in the dashboard's own database, created by a
migration), so every gunicorn worker and every host behind the proxy sees the same counts. Keys hold
a hash of the username, never the name itself. A successful sign-in clears that user's counter for
that address; the per-address counter runs out on its own.

Failures are counted from Django's ``user_login_failed`` signal, so every way of calling
``authenticate()`` with a request counts, not only our form.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.dispatch import receiver
from django.http import HttpRequest

security_log = logging.getLogger("dashboard.security")

CACHE_ALIAS = "shared"
#: Seconds since the epoch (a name of its own so tests can move time).
clock = time.time


@dataclass(frozen=True)
class Limits:
    per_user_ip: int
    per_ip: int
    window: int


def limits() -> Limits:
    return Limits(
        per_user_ip=getattr(settings, "LOGIN_FAILURES_PER_USER_IP", 5),
        per_ip=getattr(settings, "LOGIN_FAILURES_PER_IP", 50),
        window=getattr(settings, "LOGIN_FAILURE_WINDOW", 15 * 60),
    )


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``NUM_PROXIES`` trusted proxies the entry
    they appended to ``X-Forwarded-For`` (counted from the right: entries further left are whatever
    the client sent and cannot be trusted)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = getattr(settings, "NUM_PROXIES", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        # Not what the configured proxies send: fall back to the peer rather than trust a guess.
        return remote
    return forwarded[-proxies][:64]


def _cache() -> BaseCache:
    return caches[CACHE_ALIAS]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _keys(username: str, ip: str) -> tuple[str, str]:
    name = username.strip().casefold()
    return f"login-fail:user-ip:{_digest(name + '\0' + ip)}", f"login-fail:ip:{_digest(ip)}"


def _read(key: str, now: float) -> tuple[int, float]:
    """(failures, window end) for ``key``; (0, 0) when there is no open window."""
    value = _cache().get(key)
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return 0, 0.0
    count, until = int(value[0]), float(value[1])
    return (count, until) if until > now else (0, 0.0)


def _bump(key: str, now: float, window: int) -> int:
    count, until = _read(key, now)
    if not count:
        until = now + window
    count += 1
    # Stored with its own end time and an explicit timeout: cache.incr() would reset the expiry on
    # some backends (the database cache re-sets with the default timeout).
    _cache().set(key, (count, until), timeout=max(1, math.ceil(until - now)))
    return count


def retry_after(request: HttpRequest, username: str) -> int:
    """Seconds until this username may try again from this address; 0 when not blocked."""
    now = clock()
    rules = limits()
    user_key, ip_key = _keys(username, client_ip(request))
    waits = []
    for key, limit in ((user_key, rules.per_user_ip), (ip_key, rules.per_ip)):
        count, until = _read(key, now)
        if count >= limit:
            waits.append(math.ceil(until - now))
    return max(waits, default=0)


def record_failure(request: HttpRequest, username: str) -> None:
    now = clock()
    rules = limits()
    ip = client_ip(request)
    user_key, ip_key = _keys(username, ip)
    failures = _bump(user_key, now, rules.window)
    from_ip = _bump(ip_key, now, rules.window)
    security_log.warning(
        "authn_login_fail user=%s ip=%s failures=%d/%d from_ip=%d/%d",
        _shown_name(username),
        ip,
        failures,
        rules.per_user_ip,
        from_ip,
        rules.per_ip,
    )
    if failures == rules.per_user_ip or from_ip == rules.per_ip:
        security_log.warning(
            "authn_login_lock user=%s ip=%s for=%ds", _shown_name(username), ip, rules.window
        )


def clear_user(request: HttpRequest, username: str) -> None:
    user_key, _ = _keys(username, client_ip(request))
    _cache().delete(user_key)


def _shown_name(username: str) -> str:
    # A username field sometimes receives a password typed one box too early: log a bounded,
    # printable prefix only.
    cleaned = "".join(ch for ch in username if ch.isprintable())[:64]
    return repr(cleaned)


@receiver(user_login_failed)
def _count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None:
        return
    username = str(credentials.get("username") or "")
    record_failure(request, username)


@receiver(user_logged_in)
def _forget_failures(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    clear_user(request, user.get_username())
    security_log.info("authn_login_success user=%r ip=%s", user.get_username(), client_ip(request))
