from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from storeclient.errors import StoreError
from storeclient.interface import Store
from storeclient.models import StoreHealth

from .metrics import exposition, may_read_metrics
from .overview_counts import REFRESH_PERMISSION, CountsSource, OverviewCounts, invalidate_counts
from .store import get_store, may_see_store_location, public_storage_handler, store_kind, without_location
from .store_calls import Outcome, run_concurrently
from .store_errors import StoreErrorInfo, describe_store_error, redact

logger = logging.getLogger(__name__)

OVERVIEW_COUNT_CAP = 10_000
OVERVIEW_RECENT = 8
#: The overview's parts that show stored data; each fails on its own (a panel in its place).
OVERVIEW_DATA_PARTS = ("counts", "threads", "runs")


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    try:
        store = get_store()
    except StoreError as exc:
        return _whole_page_error(request, exc, None)
    may_see_location = may_see_store_location(request.user)
    counts_source = CountsSource.of(store, OVERVIEW_COUNT_CAP)
    cached_counts = counts_source.cached()
    # Independent store calls, run at once (on Convex each is a round trip or more).
    calls: dict[str, Callable[[], object]] = {
        "threads": lambda: store.memory.thread_feed(limit=OVERVIEW_RECENT).items,
        "runs": lambda: store.workflows.run_feed(limit=OVERVIEW_RECENT).items,
        "health": store.health,
    }
    if cached_counts is None:
        # The index is read here, on the request's thread (it is a database query); the store
        # counts the rest with the other calls.
        indexed = counts_source.from_index()
        calls["counts"] = lambda: counts_source.count(indexed)
    if may_see_location:
        calls["public_storage_handler"] = lambda: public_storage_handler(store)
    parts = run_concurrently(calls)
    if cached_counts is not None:
        parts["counts"] = Outcome(value=cached_counts)
    if all(parts[name].failed for name in OVERVIEW_DATA_PARTS):
        # Nothing the store could give: the page (navigation, what to check) with one panel and the
        # error's status, rather than three panels saying the same thing.
        return _whole_page_error(request, parts["counts"].error, store)

    context: dict[str, object] = {}
    for name in OVERVIEW_DATA_PARTS:
        error = parts[name].error
        if error is not None:
            context[f"{name}_error"] = _part_error(request, error, store, name)
    if not parts["counts"].failed:
        counted: OverviewCounts = parts["counts"].value
        if cached_counts is None:
            counts_source.keep(counted)
        context["counts_from_index"] = counted.from_index
        context["counts"] = counted.counts
        context["counts_as_of"] = counted.as_of
        context["may_refresh_counts"] = counted.as_of is not None and request.user.has_perm(
            REFRESH_PERMISSION
        )
    context["threads"] = parts["threads"].value or []
    context["runs"] = parts["runs"].value or []
    health = parts["health"].value if not parts["health"].failed else _unknown_health(parts["health"], store)
    if may_see_location:
        context["public_storage_handler"] = parts["public_storage_handler"].value
    else:
        health = replace(health, backend=store_kind(store), detail=without_location(health.detail, store))
    context["health"] = health
    return render(request, "core/overview.html", context)


@require_POST
def refresh_counts(request: HttpRequest) -> HttpResponse:
    """Count again now instead of when the cached counts expire (editors and admins)."""
    if not request.user.has_perm(REFRESH_PERMISSION):
        raise PermissionDenied("counting again needs the editor or admin role")
    invalidate_counts()
    return redirect("core:overview")


def _error_for_user(request: HttpRequest, exc: StoreError, store: Store | None) -> StoreErrorInfo:
    error = describe_store_error(exc)
    if may_see_store_location(request.user):
        return error
    return replace(
        error,
        message=without_location(error.message, store),
        detail=without_location(error.detail, store) if error.detail else error.detail,
    )


def _whole_page_error(request: HttpRequest, exc: StoreError | None, store: Store | None) -> HttpResponse:
    assert exc is not None
    error = _error_for_user(request, exc, store)
    logger.warning("Overview: store error (%s): %s", type(exc).__name__, error.message)
    return render(request, "core/overview.html", {"store_error": error}, status=error.status)


def _part_error(request: HttpRequest, exc: StoreError, store: Store, part: str) -> StoreErrorInfo:
    error = _error_for_user(request, exc, store)
    logger.warning("Overview: store error in its %s (%s): %s", part, type(exc).__name__, error.message)
    return error


def _unknown_health(outcome: Outcome, store: Store) -> StoreHealth:
    # health() reports problems rather than raising; should it raise anyway, say so.
    message = outcome.error.message if outcome.error else ""
    return StoreHealth(ok=False, backend=store.describe(), mode="", detail=message)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: 200 while the process serves requests. ``?ready=1`` adds readiness: the store reads
    real Mastra rows with our credentials (a SQLite file's tables, a Convex thread load), else 503, so
    a file damaged under a running process takes the instance out of rotation instead of serving
    502s. Public, so it says nothing about the data or the error."""
    if not request.GET.get("ready"):
        return JsonResponse({"status": "ok"})
    try:
        health = get_store().health()
        ready, detail = health.ok, health.detail
    except Exception as exc:  # health() should never raise; readiness must answer regardless
        ready, detail = False, f"{type(exc).__name__}: {exc}"
    if not ready:
        logger.warning("Readiness check failed: %s", redact(detail))
        return JsonResponse({"status": "not ready"}, status=503)
    return JsonResponse({"status": "ready"})


# Not login-required by the middleware: a scraper has no session, only the token. Without either,
# an anonymous visitor is sent to sign in like on any page, and a signed-in non-admin is refused.
@login_not_required
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (dashboard/core/metrics.py), for admins and for ``METRICS_TOKEN``."""
    if not may_read_metrics(request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("the metrics need the admin role or the metrics token")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
