from __future__ import annotations

import logging
from dataclasses import replace

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from storeclient.errors import StoreError
from storeclient.interface import Store

from .metrics import exposition, may_read_metrics
from .store import get_store, may_see_store_location, public_storage_handler, store_kind, without_location
from .store_errors import describe_store_error, redact

logger = logging.getLogger(__name__)

OVERVIEW_COUNT_CAP = 10_000
OVERVIEW_RECENT = 8


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    store: Store | None = None
    try:
        store = get_store()
        context["counts"] = store.counts(cap=OVERVIEW_COUNT_CAP)
        context["threads"] = store.memory.thread_feed(limit=OVERVIEW_RECENT).items
        context["runs"] = store.workflows.run_feed(limit=OVERVIEW_RECENT).items
    except StoreError as exc:
        # Keep the page (navigation, what to check) rather than the bare panel; no health call
        # either: against an unreachable backend it would only wait out another timeout.
        error = describe_store_error(exc)
        logger.warning("Overview: store error (%s): %s", type(exc).__name__, error.message)
        if not may_see_store_location(request.user):
            error = replace(
                error,
                message=without_location(error.message, store),
                detail=without_location(error.detail, store) if error.detail else error.detail,
            )
        return render(request, "core/overview.html", {"store_error": error}, status=error.status)
    health = store.health()
    if may_see_store_location(request.user):
        context["public_storage_handler"] = public_storage_handler(store)
    else:
        health = replace(health, backend=store_kind(store), detail=without_location(health.detail, store))
    context["health"] = health
    return render(request, "core/overview.html", context)


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
