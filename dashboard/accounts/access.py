"""A signed-in user's roles and permissions, read in one query per request.

Django's ``ModelBackend`` answers ``has_perm`` from two queries (the user's own permissions, then
their groups'), and the header lists the user's roles from a third; every page and htmx partial
asks (the navigation hides areas by permission). ``AccessMiddleware`` reads all three at once and
leaves the answers where ``ModelBackend`` looks first (the ``_user_perm_cache``,
``_group_perm_cache`` and ``_perm_cache`` attributes it keeps on the user object for the
request), so every ``has_perm`` after it, in views, tags and context processors, costs no query.
tests/dashboard/test_access_once.py checks the answers against ``ModelBackend``'s own.

The user object lives for one request: a role or permission changed in between is seen by the next
request, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Value
from django.http import HttpRequest, HttpResponse

from .roles import ROLES

_ACCESS_ATTRIBUTE = "_dashboard_access"


@dataclass(frozen=True)
class Access:
    #: Names of the user's groups (their roles, and any other group an admin made), sorted.
    groups: tuple[str, ...]
    #: ``"app_label.codename"`` of every permission the user holds through a group or directly.
    permissions: frozenset[str]

    @property
    def roles(self) -> list[str]:
        """The user's roles in ``ROLES`` order (weakest first), then any other group."""
        known = [role for role in ROLES if role in self.groups]
        return known + [name for name in self.groups if name not in ROLES]


def load_access(user: Any) -> Access:
    """The user's groups and permissions (one query), cached on the user object for the request."""
    cached: Access | None = getattr(user, _ACCESS_ATTRIBUTE, None)
    if cached is not None:
        return cached
    # One UNION: (group name, app label, codename) for each group's permission (a group without
    # permissions gives one row of NULLs), and ("", app label, codename) for the user's own.
    through_groups = Group.objects.filter(user=user).order_by().values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"
    )
    own = Permission.objects.filter(user=user).order_by().values_list(
        Value("", output_field=CharField()), "content_type__app_label", "codename"
    )
    groups: set[str] = set()
    group_perms: set[str] = set()
    user_perms: set[str] = set()
    for group, app_label, codename in through_groups.union(own, all=True):
        if group:
            groups.add(group)
        if codename is not None:
            (group_perms if group else user_perms).add(f"{app_label}.{codename}")
    access = Access(groups=tuple(sorted(groups)), permissions=frozenset(group_perms | user_perms))
    setattr(user, _ACCESS_ATTRIBUTE, access)
    if user.is_active and not user.is_superuser:
        # What ModelBackend would cache after its own two queries (a superuser's "all permissions"
        # is left to it: has_perm answers True for them without asking).
        user._user_perm_cache = user_perms
        user._group_perm_cache = group_perms
        user._perm_cache = group_perms | user_perms
    return access


def roles_of(user: Any) -> list[str]:
    """The header's "your roles" line: the signed-in user's role names (empty for anonymous)."""
    if not getattr(user, "is_authenticated", False) or not user.pk:
        return []
    return load_access(user).roles


class AccessMiddleware:
    """Reads a signed-in user's roles and permissions once, before the view (see the module
    docstring). Must follow the authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.pk:
            load_access(user)
        return self.get_response(request)
