"""Links to pages other apps may or may not provide yet."""

from __future__ import annotations

from django.urls import Resolver404, resolve


def path_if_routed(path: str) -> str | None:
    """``path`` if some view answers it, else ``None`` (e.g. an editor another app adds later)."""
    try:
        resolve(path)
    except Resolver404:
        return None
    return path
