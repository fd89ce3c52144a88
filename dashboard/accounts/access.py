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

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
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
    groups: set[str] = set()
    group_perms: set[str] = set()
    user_perms: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(), [user.pk, user.pk])
        rows = cursor.fetchall()
    for group, app_label, codename in rows:
        if group is not None:
            groups.add(group)
        if codename is not None:
            (user_perms if group is None else group_perms).add(f"{app_label}.{codename}")
    access = Access(groups=tuple(sorted(groups)), permissions=frozenset(group_perms | user_perms))
    setattr(user, _ACCESS_ATTRIBUTE, access)
    if user.is_active and not user.is_superuser:
        # What ModelBackend would cache after its own two queries (a superuser's "all permissions"
        # is left to it: has_perm answers True for them without asking).
        user._user_perm_cache = user_perms
        user._group_perm_cache = group_perms
        user._perm_cache = group_perms | user_perms
    return access


@functools.cache
def _access_sql() -> str:
    """(group name, app label, codename) for each of the user's groups' permissions (a group without
    any gives one row with NULLs), and (NULL, app label, codename) for each of their own; table and
    column names from the models, so a swapped table name cannot drift. Raw SQL: building the same
    UNION through the ORM cost more than the two queries it replaces."""
    user_groups = User.groups.through._meta
    group_permissions = Group.permissions.through._meta
    user_permissions = User.user_permissions.through._meta
    tables = {
        "user_groups": user_groups.db_table,
        "group": Group._meta.db_table,
        "group_permissions": group_permissions.db_table,
        "user_permissions": user_permissions.db_table,
        "permission": Permission._meta.db_table,
        "content_type": ContentType._meta.db_table,
    }
    q = {name: connection.ops.quote_name(table) for name, table in tables.items()}
    column = {
        "ug_user": user_groups.get_field("user").column,
        "ug_group": user_groups.get_field("group").column,
        "gp_group": group_permissions.get_field("group").column,
        "gp_permission": group_permissions.get_field("permission").column,
        "up_user": user_permissions.get_field("user").column,
        "up_permission": user_permissions.get_field("permission").column,
        "p_content_type": Permission._meta.get_field("content_type").column,
        "g_id": Group._meta.pk.column,
        "p_id": Permission._meta.pk.column,
        "ct_id": ContentType._meta.pk.column,
    }
    return (
        f"SELECT g.name, ct.app_label, p.codename FROM {q['user_groups']} ug"
        f" JOIN {q['group']} g ON g.{column['g_id']} = ug.{column['ug_group']}"
        f" LEFT JOIN {q['group_permissions']} gp ON gp.{column['gp_group']} = g.{column['g_id']}"
        f" LEFT JOIN {q['permission']} p ON p.{column['p_id']} = gp.{column['gp_permission']}"
        f" LEFT JOIN {q['content_type']} ct ON ct.{column['ct_id']} = p.{column['p_content_type']}"
        f" WHERE ug.{column['ug_user']} = %s"
        " UNION ALL"
        f" SELECT NULL, ct.app_label, p.codename FROM {q['user_permissions']} up"
        f" JOIN {q['permission']} p ON p.{column['p_id']} = up.{column['up_permission']}"
        f" JOIN {q['content_type']} ct ON ct.{column['ct_id']} = p.{column['p_content_type']}"
        f" WHERE up.{column['up_user']} = %s"
    )


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
