"""Sign-ins, sign-outs and failed sign-ins in the audit log (Django's auth signals, and the two
refusals that never reach ``authenticate``: the rate limiter's and single sign-on's).

No password is ever recorded, and neither is a name typed at the login form that is not an account:
people type their password into the username box one field too early, and the audit log is read by
every admin. The address is recorded so repeated failures can be traced.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from dashboard.audit.models import Action, Outcome, TargetType, record_event

from .addresses import client_ip

#: What the log says for a typed name that is no account (the name itself is not kept).
UNKNOWN_ACCOUNT = "(no such account)"


def record_sign_in(request: HttpRequest, user: Any, via: str) -> None:
    """Called by the two views a person signs in through (the password form and single sign-on),
    not from ``user_logged_in``: code that logs a user in for them (tests, support tools) is not a
    sign-in through the dashboard."""
    record_event(
        user,
        Action.SIGN_IN,
        TargetType.USER,
        user.get_username(),
        detail=f"{via} · from {client_ip(request)}",
    )


@receiver(user_logged_out)
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or user is None:
        return
    record_event(
        user, Action.SIGN_OUT, TargetType.USER, user.get_username(), detail=f"from {client_ip(request)}"
    )


@receiver(user_login_failed)
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None:
        return
    record_failed_sign_in(request, str(credentials.get("username") or ""), "wrong username or password")


def record_failed_sign_in(request: HttpRequest, typed_name: str, reason: str) -> None:
    """A sign-in that did not happen. ``typed_name`` is kept only when it is an account's name."""
    username = typed_name if typed_name and _is_account(typed_name) else UNKNOWN_ACCOUNT
    record_event(
        None,
        Action.SIGN_IN_FAILED,
        TargetType.USER if username != UNKNOWN_ACCOUNT else "",
        username if username != UNKNOWN_ACCOUNT else "",
        username=username,
        outcome=Outcome.FAILED,
        detail=f"{reason} · from {client_ip(request)}",
    )


def _is_account(name: str) -> bool:
    model = get_user_model()
    return bool(model._default_manager.filter(**{model.USERNAME_FIELD: name[:150]}).exists())
