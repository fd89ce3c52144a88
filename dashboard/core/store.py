"""The one store object of this process.

Views call ``get_store()`` and use the returned object through ``storeclient.interface.Store``. It is
built on first use from settings (Convex when ``CONVEX_URL`` is set, otherwise the SQLite file) and
shared by every thread: both stores are safe to share, and building one per request would throw away
the HTTP connection pool and the capability probe.

Tests swap it with ``use_store(store)`` (a context manager) or ``set_store(store)``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from storeclient.interface import Store

from .metrics import instrument_store

_lock = threading.Lock()
_store: Store | None = None
#: Whether ``_store`` was built here (then ``reset_store`` closes it) or handed in by a test.
_built_here = False

#: Settings that decide which store is built; changing one (override_settings) drops the current one.
STORE_SETTINGS = frozenset(
    {
        "STORE_BACKEND",
        "CONVEX_URL",
        "CONVEX_ADMIN_KEY",
        "CONVEX_STORAGE_FUNCTION",
        "CONVEX_TIMEOUT",
        "MASTRA_SQLITE_PATH",
    }
)


def get_store() -> Store:
    """The process-wide store, built on first call."""
    store = _store
    if store is None:
        with _lock:
            if _store is None:
                _set(build_store(), built_here=True)
            store = _store
    assert store is not None
    return store


def current_store() -> Store | None:
    """The store in use, or ``None`` before the first ``get_store`` (never builds one)."""
    return _store


def build_store() -> Store:
    """A new store from settings. Only ``get_store`` and management commands call this."""
    if settings.STORE_BACKEND == "convex":
        from storeclient.convex import ConvexStore

        return ConvexStore(
            settings.CONVEX_URL,
            settings.CONVEX_ADMIN_KEY,
            storage_function=settings.CONVEX_STORAGE_FUNCTION,
            timeout=settings.CONVEX_TIMEOUT,
        )
    from storeclient.sqlite import SQLiteStore

    settings.MASTRA_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(settings.MASTRA_SQLITE_PATH)


#: Who may see where the store lives (the Convex host, the SQLite path): the admin role's permission.
#: Everyone else is told only the kind of store; the host is half of what it takes to read the data.
SEE_STORE_LOCATION = "accounts.manage_users"


def may_see_store_location(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(SEE_STORE_LOCATION))


def store_kind(store: Store | None) -> str:
    """ "Convex" or "embedded SQLite": the store named without its host or path."""
    from storeclient.convex import ConvexStore
    from storeclient.sqlite import SQLiteStore

    if isinstance(store, ConvexStore):
        return "Convex"
    if isinstance(store, SQLiteStore):
        return "embedded SQLite"
    # No store yet (building it failed), or one handed in by a test or a shell (a wrapper): the
    # settings say what lies underneath.
    return "Convex" if settings.STORE_BACKEND == "convex" else "embedded SQLite"


def without_location(text: str, store: Store | None) -> str:
    """``text`` (a health detail, an error) with the store's host, URL and path left out; those of
    the settings when there is no store (building it failed)."""
    url = getattr(store, "deployment_url", "") if store is not None else settings.CONVEX_URL
    path = getattr(store, "path", "") if store is not None else str(settings.MASTRA_SQLITE_PATH)
    places = [url, urlsplit(url).netloc if url else "", path, os.path.abspath(path) if path else ""]
    for place in sorted(filter(None, set(places)), key=len, reverse=True):
        text = text.replace(place, f"the {store_kind(store)} store")
    return text


def public_storage_handler(store: Store) -> str | None:
    """The path of Mastra's storage handler when this Convex deployment runs it for callers without
    the key (probed at most every ten minutes per process; a probe without an answer warns of
    nothing), else ``None``. Only admins are told (``may_see_store_location``)."""
    from storeclient.convex import ConvexStore

    if isinstance(store, ConvexStore) and store.handler_is_public() is True:
        return store.handler.function_path
    return None


def set_store(store: Store | None) -> Store | None:
    """Replace the process-wide store (``None``: rebuild from settings on next use); returns the
    previous one, which the caller owns (nothing is closed here)."""
    with _lock:
        previous = _store
        _set(store)
    return previous


def reset_store() -> None:
    """Rebuild from settings on next use, closing the current store if it was built from settings."""
    with _lock:
        previous, owned = _store, _built_here
        _set(None)
    if previous is not None and owned:
        previous.close()


@contextmanager
def use_store(store: Store) -> Iterator[Store]:
    """Serve ``store`` to every view for the duration of the block (tests)."""
    with _lock:
        previous = (_store, _built_here)
        _set(store)
    try:
        yield store
    finally:
        with _lock:
            _set(previous[0], built_here=previous[1])


def _set(store: Store | None, *, built_here: bool = False) -> None:
    global _store, _built_here
    if store is not None:
        instrument_store(store)  # every store the views use is counted (metrics.py)
    _store, _built_here = store, built_here


@receiver(setting_changed)
def _drop_store_on_settings_change(*, setting: str, **kwargs: Any) -> None:
    if setting in STORE_SETTINGS:
        reset_store()
