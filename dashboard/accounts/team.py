"""Changes to the team's accounts, each recorded in the audit log: the one place the dashboard's user
pages and the Django admin make them, so neither can change a user without a trace.

Admins never choose or see anyone's password: a new user, or one who forgot theirs, gets a link to
set it (Django's password-reset token, valid ``PASSWORD_RESET_TIMEOUT`` seconds, void once used or
once the password changes), which the admin passes on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dashboard.audit.models import Action, TargetType, record_event

from .roles import role_of, set_role


class RefusedChange(Exception):
    """A change an admin may not make (to themselves, usually); ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def create_user(acting: AbstractBaseUser, username: str, email: str, role: str) -> Any:
    """A new account with ``role`` and no password yet (see ``password_link``)."""
    user = get_user_model()._default_manager.create_user(username=username, email=email)  # type: ignore[attr-defined]
    user.set_unusable_password()
    user.save(update_fields=["password"])
    set_role(user, role)
    record_creation(acting, user, role)
    return user


def change_role(acting: AbstractBaseUser, user: Any, role: str) -> bool:
    """Make ``role`` the user's role; ``False`` when it already was."""
    before = role_of(user) or "none"
    if before == role:
        return False
    if user.pk == acting.pk and role != "admin":
        raise RefusedChange("You cannot take the admin role from yourself: ask another admin.")
    set_role(user, role)
    record_event(
        acting,
        Action.USER_ROLE,
        TargetType.USER,
        user.get_username(),
        before=before,
        after=role,
        detail=f"{before} → {role}",
    )
    return True


def set_active(acting: AbstractBaseUser, user: Any, active: bool) -> bool:
    """(De)activate an account; ``False`` when it already was. A deactivated user is signed out
    everywhere at once: their sessions stop authenticating (ModelBackend refuses inactive users)."""
    if bool(user.is_active) == active:
        return False
    if user.pk == acting.pk and not active:
        raise RefusedChange("You cannot deactivate yourself: ask another admin.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_activation(acting, user)
    return True


def record_activation(acting: AbstractBaseUser, user: Any) -> None:
    """Record that ``user`` was just (de)activated (by ``set_active``, or by the Django admin's form)."""
    action = Action.USER_ACTIVATE if user.is_active else Action.USER_DEACTIVATE
    record_event(acting, action, TargetType.USER, user.get_username())


def record_creation(acting: AbstractBaseUser, user: Any, role: str, how: str = "") -> None:
    detail = f"role {role}" + (f" ({how})" if how else "")
    record_event(acting, Action.USER_CREATE, TargetType.USER, user.get_username(), after=role, detail=detail)


def record_deletion(acting: AbstractBaseUser, user: Any) -> None:
    record_event(
        acting, Action.USER_DELETE, TargetType.USER, user.get_username(), before=role_of(user) or "none"
    )


def password_link(acting: AbstractBaseUser, user: Any, request: HttpRequest) -> str:
    """A one-time link for ``user`` to set a password, to pass on to them (the token is not logged)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    record_event(
        acting,
        Action.USER_PASSWORD_RESET,
        TargetType.USER,
        user.get_username(),
        detail=f"link to set a password made (valid {days} day{'s' if days != 1 else ''}, once)",
    )
    return request.build_absolute_uri(reverse("accounts:password_set", args=[uid, token]))


def record_password_set(user: Any) -> None:
    record_event(
        user, Action.USER_PASSWORD_SET, TargetType.USER, user.get_username(), detail="through a link"
    )
