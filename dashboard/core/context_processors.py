from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from .store import get_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    #: Shown only to users with this permission (``None``: every signed-in user).
    permission: str | None = None


#: Every area of the dashboard, by its path (DESIGN §6). An area appears in the navigation once its
#: app is installed and routes that path, so the menu grows as areas land without touching this file.
AREAS: tuple[tuple[str, str, str | None], ...] = (
    ("Overview", "/", None),
    ("Threads", "/threads/", None),
    ("Resources", "/resources/", None),
    ("Workflows", "/workflows/", None),
    ("Scores", "/scores/", None),
    ("Audit", "/audit/", "accounts.view_audit"),
    ("Users", "/admin/", "accounts.manage_users"),
)


@cache
def routed_areas(urlconf: str | None = None) -> tuple[NavItem, ...]:
    items = []
    for label, path, permission in AREAS:
        try:
            match = resolve(path, urlconf)
        except Resolver404:
            continue
        # Link through the route's name when it has one, so a mounted prefix is honoured.
        try:
            url = reverse(match.view_name, urlconf, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            url = path
        items.append(NavItem(label, url, permission))
    return tuple(items)


@receiver(setting_changed)
def _forget_routes(*, setting: str, **kwargs: Any) -> None:
    if setting in ("ROOT_URLCONF", "INSTALLED_APPS"):
        routed_areas.cache_clear()


def dashboard(request: HttpRequest) -> dict[str, Any]:
    """Navigation, the active area and where the data lives, for base.html."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = [item for item in routed_areas(getattr(request, "urlconf", None)) if _allowed(user, item)]
    active = max(
        (
            item
            for item in nav
            if request.path == item.url or (item.url != "/" and request.path.startswith(item.url))
        ),
        key=lambda item: len(item.url),
        default=None,
    )
    return {
        "nav_items": nav,
        "nav_active": active,
        #: Area URLs by lower-case label ({{ nav_urls.threads }}), for links to areas that may not exist yet.
        "nav_urls": {item.label.lower(): item.url for item in nav},
        "user_roles": [group.name for group in user.groups.all()] if user.pk else [],
        "store_description": _describe_store(),
    }


def _allowed(user: Any, item: NavItem) -> bool:
    return item.permission is None or bool(user.has_perm(item.permission))


#: (store, its description): describe() may query (the SQLite store checks its indexes), and the
#: footer is on every page, so it is asked once per store object.
_description: tuple[object, str] | None = None


def _describe_store() -> str:
    global _description
    try:
        store = get_store()
        cached = _description
        if cached is None or cached[0] is not store:
            cached = _description = (store, store.describe())
        return cached[1]
    except Exception:  # the footer must never take a page down with it
        logger.exception("Could not describe the store")
        return "store not available"
