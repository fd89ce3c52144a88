from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .access import roles_of


def roles(request: HttpRequest) -> dict[str, Any]:
    """``user_roles``: the signed-in user's role names, for the header's user menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_roles": roles_of(user)}
