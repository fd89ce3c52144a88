"""Sign-in attempts are reserved before the password is checked, so a limit holds however many
requests race for it.

Two counters, each in a window that starts at the first attempt:

* per username and client address: ``LOGIN_FAILURES_PER_USER_IP`` (5) in ``LOGIN_FAILURE_WINDOW``
  (15 minutes) — guessing one teammate's password. Past it, that username is paused from that
  address until the window ends; other addresses and other usernames are not affected.
* per client address: ``LOGIN_FAILURES_PER_IP`` (50) in the same window — trying many usernames.
  Past it, the address is slowed down, not locked out: each further attempt has to wait a little
  longer than the one before (``LOGIN_SLOWDOWN_STEP`` seconds more each time, at most
  ``LOGIN_SLOWDOWN_MAX``). A whole office behind one NAT or proxy address can still sign in while
  someone there sprays passwords; the spraying just gets slow.

Each attempt is taken with one conditional ``UPDATE`` on a small table in the dashboard's own
database (SQLite or PostgreSQL): a statement either takes an attempt that is still free or changes
nothing, so of 20 concurrent wrong passwords exactly 5 are checked. (The database cache's ``incr``
is a read followed by a write, and would let them all through.) Every gunicorn worker and every
host behind the proxy shares the table. Keys hold a hash of the username, never the name itself.

A successful sign-in clears that user's counter for that address and gives the address its attempt
back, so only failures count. Attempts made through ``authenticate()`` elsewhere (not our form) are
counted from Django's ``user_login_failed`` signal after the fact.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest

from .addresses import client_ip
from .models import SignInCounter
from .request_log import ALREADY_LOGGED

security_log = logging.getLogger("dashboard.security")

#: Seconds since the epoch (a name of its own so tests can move time).
clock = time.time
#: Where the form leaves this request's reservation for the signal receivers.
_RESERVATION_ATTR = "_signin_reservation"


@dataclass(frozen=True)
class Limits:
    per_user_ip: int
    per_ip: int
    window: int
    slowdown_step: int
    slowdown_max: int


def limits() -> Limits:
    return Limits(
        per_user_ip=getattr(settings, "LOGIN_FAILURES_PER_USER_IP", 5),
        per_ip=getattr(settings, "LOGIN_FAILURES_PER_IP", 50),
        window=getattr(settings, "LOGIN_FAILURE_WINDOW", 15 * 60),
        slowdown_step=getattr(settings, "LOGIN_SLOWDOWN_STEP", 1),
        slowdown_max=getattr(settings, "LOGIN_SLOWDOWN_MAX", 60),
    )


@dataclass(frozen=True)
class Reservation:
    """An attempt this request may make: the password may be checked once."""

    user_key: str
    ip_key: str
    #: This attempt's number for the username at this address, and for the address.
    attempt: int
    from_ip: int


@dataclass(frozen=True)
class Refused:
    """No attempt left: ``scope`` says which limit, ``seconds`` how long until the next one."""

    scope: Literal["account", "address"]
    seconds: int


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _keys(username: str, ip: str) -> tuple[str, str]:
    name = username.strip().casefold()
    return f"user-ip:{_digest(name + '\0' + ip)}", f"ip:{_digest(ip)}"


def _table() -> str:
    return connection.ops.quote_name(SignInCounter._meta.db_table)


def _ensure_row(key: str, now: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table()} (counter_key, attempts, window_ends, next_at) VALUES (%s, 0, 0, 0) "
            "ON CONFLICT (counter_key) DO NOTHING",
            [key],
        )
        if cursor.rowcount == 1:
            # A new key is the moment to drop the ones whose windows are over, so the table stays
            # as small as the number of recent attempts.
            cursor.execute(
                f"DELETE FROM {_table()} WHERE window_ends < %s AND next_at < %s AND counter_key <> %s",
                [now, now, key],
            )


def _take_user_attempt(key: str, now: float, rules: Limits) -> int | None:
    """This attempt's number in the window, or None when the limit is used up."""
    _ensure_row(key, now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET "
            "attempts = CASE WHEN window_ends > %(now)s THEN attempts + 1 ELSE 1 END, "
            "window_ends = CASE WHEN window_ends > %(now)s THEN window_ends ELSE %(ends)s END "
            "WHERE counter_key = %(key)s AND (window_ends <= %(now)s OR attempts < %(limit)s) "
            "RETURNING attempts",
            {"now": now, "ends": now + rules.window, "key": key, "limit": rules.per_user_ip},
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _take_address_attempt(key: str, now: float, rules: Limits) -> int | None:
    """This attempt's number from the address, or None while the address must still wait.

    From the allowance on, every attempt puts the earliest time of the next one a step further out.
    """
    _ensure_row(key, now)
    # Every expression in SET reads the row as it was before this statement.
    count = "(CASE WHEN window_ends > %(now)s THEN attempts + 1 ELSE 1 END)"
    delay = f"(({count} - %(allowance)s + 1) * %(step)s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET "
            f"next_at = CASE WHEN {count} >= %(allowance)s "
            f"THEN %(now)s + CASE WHEN {delay} > %(cap)s THEN %(cap)s ELSE {delay} END ELSE 0 END, "
            f"attempts = {count}, "
            "window_ends = CASE WHEN window_ends > %(now)s THEN window_ends ELSE %(ends)s END "
            "WHERE counter_key = %(key)s AND (window_ends <= %(now)s OR next_at <= %(now)s) "
            "RETURNING attempts",
            {
                "now": now,
                "ends": now + rules.window,
                "key": key,
                "allowance": rules.per_ip,
                "step": rules.slowdown_step,
                "cap": rules.slowdown_max,
            },
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _give_back(key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET attempts = attempts - 1 WHERE counter_key = %s AND attempts > 0", [key]
        )


def _seconds_until(key: str, field: Literal["window_ends", "next_at"], now: float) -> int:
    until = SignInCounter.objects.filter(counter_key=key).values_list(field, flat=True).first() or now
    return max(1, math.ceil(until - now))


def reserve(request: HttpRequest, username: str) -> Reservation | Refused:
    """Take one attempt for ``username`` from this request's address, before its password is
    checked; the failure and success receivers below settle it."""
    now = clock()
    rules = limits()
    ip = client_ip(request)
    user_key, ip_key = _keys(username, ip)
    refused: Refused | None = None
    attempt = _take_user_attempt(user_key, now, rules)
    if attempt is None:
        refused = Refused("account", _seconds_until(user_key, "window_ends", now))
    else:
        from_ip = _take_address_attempt(ip_key, now, rules)
        if from_ip is None:
            _give_back(user_key)
            refused = Refused("address", _seconds_until(ip_key, "next_at", now))
    if refused is not None:
        return refused
    assert attempt is not None and from_ip is not None
    reservation = Reservation(user_key, ip_key, attempt, from_ip)
    setattr(request, _RESERVATION_ATTR, reservation)
    return reservation


def log_refusal(request: HttpRequest, username: str, refused: Refused) -> None:
    """The one log line of a sign-in the limits refused (answered 429)."""
    security_log.warning(
        "authn_login_refused status=429 user=%s ip=%s limit=%s retry_after=%ds",
        _shown_name(username),
        client_ip(request),
        refused.scope,
        refused.seconds,
    )
    # Django's own "Too Many Requests" line would repeat it.
    setattr(request, ALREADY_LOGGED, True)


def _record_failure(request: HttpRequest, username: str, reservation: Reservation) -> None:
    rules = limits()
    ip = client_ip(request)
    security_log.warning(
        "authn_login_fail user=%s ip=%s failures=%d/%d from_ip=%d/%d",
        _shown_name(username),
        ip,
        reservation.attempt,
        rules.per_user_ip,
        reservation.from_ip,
        rules.per_ip,
    )
    if reservation.attempt == rules.per_user_ip:
        security_log.warning(
            "authn_login_lock user=%s ip=%s for=%ds", _shown_name(username), ip, rules.window
        )
    if reservation.from_ip >= rules.per_ip:
        security_log.warning(
            "authn_login_slowdown ip=%s from_ip=%d/%d", ip, reservation.from_ip, rules.per_ip
        )


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
    reservation = getattr(request, _RESERVATION_ATTR, None)
    if reservation is None:
        # authenticate() called without our form: the password is checked already, count it now.
        taken = reserve(request, username)
        if isinstance(taken, Refused):
            return
        reservation = taken
    delattr(request, _RESERVATION_ATTR)
    _record_failure(request, username, reservation)


@receiver(user_logged_in)
def _forget_failures(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    user_key, ip_key = _keys(user.get_username(), client_ip(request))
    SignInCounter.objects.filter(counter_key=user_key).delete()
    reservation = getattr(request, _RESERVATION_ATTR, None)
    if reservation is not None:
        # Only failures count against the address.
        _give_back(reservation.ip_key)
        delattr(request, _RESERVATION_ATTR)
    security_log.info("authn_login_success user=%r ip=%s", user.get_username(), client_ip(request))
