from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from .store import get_store, may_see_store_location, store_kind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    #: Shown only to users with this permission (``None``: every signed-in user).
    permission: str | None = None


#: The dashboard's areas in menu order: label, URL name, the permission needed to see it.
AREAS: tuple[tuple[str, str, str | None], ...] = (
    ("Overview", "core:overview", None),
    ("Threads", "threads:list", None),
    ("Resources", "resources:list", None),
    ("Workflows", "workflows:runs", None),
    ("Scores", "scores:overview", None),
    ("Tools", "tools:overview", None),
    ("Activity", "activity:activity", None),
    ("Vectors", "vectors:indexes", None),
    ("Audit", "audit:log", "accounts.view_audit"),
    ("Users", "accounts:users", "accounts.manage_users"),
)


def nav_items() -> tuple[NavItem, ...]:
    # Reversed on first use rather than at import (the URLconf may not be loaded yet then), once per
    # mounted prefix (SCRIPT_NAME) and URLconf, not on every page.
    return _nav_items_for(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=8)
def _nav_items_for(script_prefix: str, urlconf: str) -> tuple[NavItem, ...]:
    return tuple(
        NavItem(label, reverse(name, urlconf=urlconf), permission) for label, name, permission in AREAS
    )


def dashboard(request: HttpRequest) -> dict[str, Any]:
    """Navigation, the active area and where the data lives (the host or path for admins only), for
    base.html (the user's roles come from dashboard.accounts.context_processors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = [item for item in nav_items() if _allowed(user, item)]
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
        "store_description": _describe_store() if may_see_store_location(user) else _store_kind(),
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


def _store_kind() -> str:
    try:
        return store_kind(get_store())
    except Exception:  # the footer must never take a page down with it
        logger.exception("Could not build the store")
        return "store not available"
