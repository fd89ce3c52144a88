"""How a ``StoreError`` is shown to a person: a panel that says what failed and what to check.

``StoreErrorMiddleware`` (in settings) turns any ``StoreError`` a view lets escape into that panel:
the whole page for a normal request, only the panel for an htmx request. A view that wants the panel
inside its own layout catches the error and puts ``describe_store_error(exc)`` in its context as
``store_error``, then includes ``core/store_error.html#store-error-panel``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.log_format import redact_admin_key
from storeclient.errors import (
    AuthError,
    BackendUnavailable,
    ConflictError,
    InvalidRequest,
    LimitError,
    NotDeployedError,
    StorageError,
    StoreError,
)

from .htmx import SWAP_ERROR_HEADER, is_partial_request, vary_on_htmx
from .store import SEE_STORE_LOCATION, current_store, without_location

logger = logging.getLogger("dashboard.store")


@dataclass(frozen=True)
class StoreErrorInfo:
    kind: str
    title: str
    message: str
    checks: tuple[str, ...]
    detail: str | None
    status: int


def describe_store_error(exc: StoreError) -> StoreErrorInfo:
    """Title, status and the things an operator should check, for one error."""
    convex = _on_convex()
    message = redact(exc.message)
    detail = redact(exc.detail) if exc.detail else None
    if isinstance(exc, AuthError):
        return StoreErrorInfo(
            "auth",
            "The store refused our credentials",
            message,
            (
                "CONVEX_ADMIN_KEY: it must be a deploy key or admin key of this deployment "
                "(Convex dashboard → Settings → Deploy keys), not revoked and copied whole.",
                "CONVEX_URL: the key only works for the deployment it was made for.",
            ),
            detail,
            502,
        )
    if isinstance(exc, NotDeployedError):
        return StoreErrorInfo(
            "not-deployed",
            "The storage function is not deployed",
            message,
            (
                f"Deploy convex/mastra/storage.ts to this deployment (npx convex deploy); "
                f"the dashboard called {exc.function_path}.",
                "CONVEX_STORAGE_FUNCTION, if your deployment exports the handler under another path.",
            ),
            detail,
            502,
        )
    if isinstance(exc, LimitError):
        return StoreErrorInfo(
            "limit",
            "The store refused a read that was too large",
            message,
            (
                "Convex caps one call at 16 MiB read and 32,000 documents scanned, and the standard "
                "handler reads whole tables for some lists. Narrow the filter or open a smaller page.",
                "Deploying the dashboard module (convex/mastra/dashboard.ts) lets lists read only one "
                "page at a time.",
            ),
            detail,
            502,
        )
    if isinstance(exc, BackendUnavailable):
        checks = (
            (
                "CONVEX_URL: the deployment URL (https://<name>.convex.cloud) and that this server can "
                "reach it (DNS, proxy, firewall).",
                "Whether the Convex deployment is up; this page works again by itself once it is.",
            )
            if convex
            else (
                "MASTRA_SQLITE_PATH: the file exists, is a SQLite database and is readable and writable "
                "by this process.",
                "Whether another process holds a long write lock on the file.",
            )
        )
        return StoreErrorInfo("unavailable", "The store is not reachable", message, checks, detail, 503)
    if isinstance(exc, ConflictError):
        return StoreErrorInfo(
            "conflict",
            "Someone else changed this record",
            message,
            ("Reload the page to see the current version, then apply your change again.",),
            detail,
            409,
        )
    if isinstance(exc, InvalidRequest):
        return StoreErrorInfo(
            "invalid", "The request was not valid", message, ("The link or form values.",), detail, 400
        )
    if isinstance(exc, StorageError):
        code = f" (code {exc.code})" if exc.code else ""
        return StoreErrorInfo(
            "storage",
            "The storage handler reported an error",
            message + code,
            (
                "The deployment's function logs (Convex dashboard → Logs) for the full error.",
                "CONVEX_STORAGE_FUNCTION: it must name Mastra's storage handler (default "
                "mastra/storage:handle).",
            )
            if convex
            else ("The SQLite file's schema: it should be the layout written by @mastra/libsql.",),
            detail,
            502,
        )
    return StoreErrorInfo("store", "The store failed", message, (), detail, 502)


def _on_convex() -> bool:
    """Whether the store that failed is a Convex deployment: the store in use decides (a test or a
    shell may hand the dashboard a store other than the configured one); the settings otherwise."""
    from storeclient.convex import ConvexStore

    store = current_store()
    if store is not None:
        return isinstance(store, ConvexStore)
    return bool(settings.STORE_BACKEND == "convex")


def render_store_error(request: HttpRequest, exc: StoreError) -> HttpResponse:
    """The error panel as a response: the full page, or only the panel for an htmx partial request."""
    info = describe_store_error(exc)
    user = getattr(request, "user", None)
    if user is None or not user.has_perm(SEE_STORE_LOCATION):
        # Where the store lives is for admins (a Convex URL is enough to call a public handler).
        store = current_store()
        info = replace(
            info,
            message=without_location(info.message, store),
            detail=without_location(info.detail, store) if info.detail else None,
        )
    logger.warning(
        "Store error (%s) on %s %s: %s%s",
        type(exc).__name__,
        request.method,
        request.path,
        info.message,
        f" [{info.detail}]" if info.detail else "",
    )
    template = (
        "core/store_error.html#store-error-panel" if is_partial_request(request) else "core/store_error.html"
    )
    # Every variable the panel reads is given: a missing one is logged by django.template with the
    # exception being handled attached, and that exception may quote what a store said.
    context = {"store_error": info, "store_error_id": "store-error"}
    response = render(request, template, context, status=info.status)
    response[SWAP_ERROR_HEADER] = "true"
    return vary_on_htmx(response)


def redact(text: str) -> str:
    """Defence in depth: storeclient never quotes the admin key, but nothing we render may hold it."""
    return redact_admin_key(text, settings.CONVEX_ADMIN_KEY)
