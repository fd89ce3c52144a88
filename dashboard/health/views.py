"""What needs a human: the overview's "Needs attention" lanes (everyone signed in; loaded into the
overview by htmx) and ``/health/`` (editors and admins: every check in full, with the store's mode,
capabilities and limits).

Store calls: the lanes make at most ``9 + checks.MAX_SCORERS`` (a feed page per run status and one
each of resources and threads, scorer ids, one bucket query per scorer); ``/health/`` the same with
larger pages, plus the store's own health check.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.core.htmx import template_for, vary_on_htmx
from dashboard.core.store import (
    get_store,
    may_see_store_location,
    public_storage_handler,
    store_kind,
    without_location,
)

from .checks import CONVEX_DOCUMENT_BYTES, HANDLER_ROW_CAP, MAX_SCORERS, Survey, run_checks

#: Records per feed the overview's lanes read, and examples each lane shows.
LANE_SCAN = 100
LANE_EXAMPLES = 3
#: The same for /health/.
HEALTH_SCAN = 500
HEALTH_EXAMPLES = 10

#: Who may open /health/: editors and admins (the permission both roles hold).
SEE_HEALTH = "accounts.edit_working_memory"


def may_see_health(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(SEE_HEALTH))


@require_GET
def attention(request: HttpRequest) -> HttpResponse:
    store = get_store()
    checks = run_checks(Survey(store, timezone.now(), scan=LANE_SCAN, examples=LANE_EXAMPLES))
    context = {
        "lanes": [check for check in checks if check.found],
        "public_storage_handler": public_storage_handler(store)
        if may_see_store_location(request.user)
        else None,
        "may_see_health": may_see_health(request.user),
    }
    template = template_for(request, "health/attention.html", "attention-lanes")
    return vary_on_htmx(render(request, template, context))


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    if not may_see_health(request.user):
        raise PermissionDenied("Data health is for editors and admins.")
    store = get_store()
    checks = run_checks(Survey(store, timezone.now(), scan=HEALTH_SCAN, examples=HEALTH_EXAMPLES))
    store_health = store.health()
    admin = may_see_store_location(request.user)
    if not admin:
        store_health = replace(
            store_health, backend=store_kind(store), detail=without_location(store_health.detail, store)
        )
    standard_handler = store_health.mode == "standard handler"
    context = {
        "checks": checks,
        "store_health": store_health,
        "public_storage_handler": public_storage_handler(store) if admin else None,
        "limits": {
            "document_bytes": store.max_document_bytes,
            "reference_bytes": CONVEX_DOCUMENT_BYTES,
            "row_cap": HANDLER_ROW_CAP if standard_handler else None,
        },
        "scan": HEALTH_SCAN,
        "max_scorers": MAX_SCORERS,
        "thresholds": {
            "stuck_minutes": settings.ATTENTION_RUN_STUCK_MINUTES,
            "suspended_hours": settings.ATTENTION_SUSPENDED_HOURS,
            "score_drop": settings.ATTENTION_SCORE_DROP,
            "document_share": settings.ATTENTION_DOCUMENT_SHARE,
        },
    }
    return render(request, "health/health.html", context)
