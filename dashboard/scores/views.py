"""Scorers: an overview card per scorer, and one scorer's chart, statistics, scores and drill-down.

Store calls: the overview makes ``1 + 2 × scorers shown`` (ids, then a bounded series and the latest
score per card; cards are paged); the scorer page makes 3 (series, exact buckets, one feed page;
when nothing matches the filters, series, feed and one more feed call to tell an empty range from
an unknown scorer), and 1 for a table page; the score panel makes 1; an export reads feed pages
of 500 until the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from dashboard.audit.models import Action, TargetType, record_event
from dashboard.core.csv_export import csv_lines
from dashboard.core.htmx import HtmxHttpRequest, partial_target, read_query, template_for, vary_on_htmx
from dashboard.core.pages import not_found
from dashboard.core.paging import DEFAULT_PAGE_SIZE, Pager
from dashboard.core.rendering import render_untrusted_markdown
from dashboard.core.store import get_store
from storeclient.models import Score

from . import cards
from .cards import scorer_card, scorer_info, scorer_label
from .forms import (
    DEFAULT_PERIOD,
    ENTITY_TYPES,
    ORDERS,
    PERIODS,
    RANGES,
    DirectionForm,
    OverviewForm,
    ScoreFilterForm,
    ScoreQuery,
)
from .indexed import scorer_page
from .models import MAX_SCORER_ID, Direction, direction_for, directions_for, set_direction
from .presenting import entity_label, run_url, score_problem, thread_url

OVERVIEW_PAGE_SIZE = 12
#: Rows of the score table unless the address asks for another size.
FEED_PAGE_SIZE = DEFAULT_PAGE_SIZE
EXPORT_PAGE_SIZE = 500

#: The columns of both exports, in order. Never reorder: people script against them.
EXPORT_COLUMNS = (
    "id",
    "createdAt",
    "scorerId",
    "score",
    "source",
    "entityType",
    "entityId",
    "runId",
    "threadId",
    "resourceId",
    "traceId",
    "spanId",
    "reason",
)


@dataclass
class ScoreRow:
    score: Score
    problem: str | None
    reason: SafeString
    entity: str
    detail_url: str
    thread_url: str
    run_url: str


def score_rows(scores: Sequence[Score], scorer_id: str) -> list[ScoreRow]:
    return [
        ScoreRow(
            score=s,
            problem=score_problem(s),
            reason=render_untrusted_markdown(s.reason),
            entity=entity_label(s),
            detail_url=reverse("scores:score", args=[scorer_id, s.id]),
            thread_url=thread_url(s),
            run_url=run_url(s),
        )
        for s in scores
    ]


# --- overview ---------------------------------------------------------------------------------------


def _overview_url(period: str, page: int) -> str:
    params = {"period": period} if period != DEFAULT_PERIOD else {}
    if page > 1:
        params["page"] = str(page)
    return reverse("scores:overview") + ("?" + urlencode(params) if params else "")


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    form = OverviewForm(request.GET)
    # The overview has one link per period and page: an odd value shows the default rather than
    # an error (full_clean keeps the valid values in cleaned_data).
    form.is_valid()
    period = form.cleaned_data.get("period") or DEFAULT_PERIOD
    moment = timezone.now()
    scorer_ids = get_store().scores.scorer_ids()
    page = Paginator(scorer_ids, OVERVIEW_PAGE_SIZE).get_page(form.cleaned_data.get("page") or 1)
    directions = directions_for(page.object_list)
    scorer_cards = [
        scorer_card(scorer_id, moment, period, directions[scorer_id]) for scorer_id in page.object_list
    ]
    context = {
        "form": form,
        "period": period,
        "period_label": PERIODS[period][0],
        "periods": [(key, label, _overview_url(key, 1)) for key, (label, _) in PERIODS.items()],
        "pager": Pager.for_page(
            page,
            lambda number: _overview_url(period, number),
            f"Page {page.number} of {page.paginator.num_pages}" if page.has_other_pages() else "",
        ),
        "cards": scorer_cards,
        "page": page,
        "scorer_count": len(scorer_ids),
        "sampled_cards": [c for c in scorer_cards if c.series.sampled],
        "max_points": cards.OVERVIEW_MAX_POINTS,
    }
    return vary_on_htmx(
        render(request, template_for(request, "scores/overview.html", "scorer-cards"), context)
    )


# --- one scorer -----------------------------------------------------------------------------------


def _order_tabs(base: str, query: ScoreQuery, direction: Direction) -> list[tuple[str, str, str]]:
    """``(order, label, url)`` per table order; the order that puts the worst scores first (by the
    scorer's direction) says so."""
    worst = "highest" if direction == Direction.LOWER else "lowest"
    return [
        (key, f"{label} (worst)" if key == worst else label, base + query.querystring(order=key))
        for key, label in ORDERS.items()
    ]


def _detail_context(scorer_id: str, form: ScoreFilterForm, query: ScoreQuery) -> dict[str, Any]:
    base = reverse("scores:scorer", args=[scorer_id])
    direction = direction_for(scorer_id)
    return {
        "direction": direction,
        "worst_order": "highest" if direction == Direction.LOWER else "lowest",
        "scorer_id": scorer_id,
        "scorer_label": scorer_label(scorer_id),
        "form": form,
        "query": query,
        "base_url": base,
        "ranges": [(key, label) for key, (label, _) in RANGES.items()],
        "orders": list(ORDERS.items()),
        "entity_types": ENTITY_TYPES,
        "tab_urls": _order_tabs(base, query, direction),
        "direction_url": reverse("scores:direction", args=[scorer_id]),
        # The table's sortable headers: the orders the store can give (newest, lowest, highest).
        "order_urls": {key: base + query.querystring(order=key) for key in ORDERS},
        "export_csv": reverse("scores:export_csv", args=[scorer_id]) + query.querystring(),
        "export_json": reverse("scores:export_json", args=[scorer_id]) + query.querystring(),
    }


def _feed(scorer_id: str, query: ScoreQuery, moment: datetime, *, cursor: str | None, limit: int) -> Any:
    return get_store().scores.score_feed(
        scorer_id,
        **query.store_filters(moment),
        lowest_first=query.lowest_first,
        highest_first=query.highest_first,
        cursor=cursor,
        limit=limit,
    )


@require_GET
def scorer(request: HtmxHttpRequest, scorer_id: str) -> HttpResponse:
    form = read_query(request, ScoreFilterForm)
    query = ScoreQuery.from_form(form)
    moment = timezone.now()
    context = _detail_context(scorer_id, form, query)
    target = partial_target(request)

    def table_context() -> dict[str, Any]:
        feed = _feed(scorer_id, query, moment, cursor=query.cursor or None, limit=query.per_page)
        return {
            "rows": score_rows(feed.items, scorer_id),
            "feed": feed,
            "pager": Pager.for_cursor(
                context["base_url"], query.params(), query.table_state, feed.next_cursor
            ),
        }

    # Paging or switching the table's order only needs the table.
    if target == "score-table":
        context |= table_context()
        return vary_on_htmx(render(request, "scores/scorer.html#score-table", context), target=True)

    page = scorer_page(scorer_id, query, moment)
    context |= table_context()
    rows: list[ScoreRow] = context["rows"]
    sample_score = rows[0].score if rows else None
    status = 200
    if page is None:
        # Nothing in range: an empty state if the scorer has scores elsewhere, else a 404.
        probe = get_store().scores.score_feed(scorer_id, limit=1).items if query.narrowed else []
        if not probe:
            status = 404
        sample_score = probe[0] if probe else sample_score
        context["latest_score"] = probe[0] if probe else None
    info = scorer_info(sample_score)
    context |= {
        "may_set_direction": may_set_direction(request.user) and len(scorer_id) <= MAX_SCORER_ID,
        "page": page,
        "scorer_name": info.get("name", scorer_label(scorer_id)),
        "scorer_description": info.get("description", ""),
        "unknown_scorer": status == 404,
        "all_time_url": context["base_url"] + ScoreQuery(range="all").querystring(),
    }
    if page is not None:
        context |= page.chart_context()
    if target is None:
        return vary_on_htmx(render(request, "scores/scorer.html", context, status=status), target=True)
    response = render(request, "scores/scorer.html#scorer-results", context, status=status)
    # The filter form sends every field, empty ones too; push the tidy address of the same view.
    return vary_on_htmx(push_url(response, context["base_url"] + query.querystring()), target=True)


# --- a scorer's direction ------------------------------------------------------------------------


def may_set_direction(user: Any) -> bool:
    """Admins set scorer directions (the same permission as user management)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("accounts.manage_users"))


@require_POST
def set_scorer_direction(request: HttpRequest, scorer_id: str) -> HttpResponse:
    """Store whether higher or lower is better for this scorer (admins; audited), then go back to
    the scorer page."""
    if not may_set_direction(request.user):
        raise PermissionDenied("Only admins set a scorer's direction.")
    form = DirectionForm(request.POST)
    if not form.is_valid() or len(scorer_id) > MAX_SCORER_ID:
        return HttpResponseBadRequest(
            "Choose “higher” or “lower” is better (scorer ids over "
            f"{MAX_SCORER_ID} characters cannot have a setting).",
            content_type="text/plain; charset=utf-8",
        )
    set_direction(request.user, scorer_id, Direction(form.cleaned_data["direction"]))
    return redirect(reverse("scores:scorer", args=[scorer_id]))


# --- one score --------------------------------------------------------------------------------------

#: Prompt fields of a score, in the order a scorer runs them.
PROMPTS = (
    ("preprocessPrompt", "Preprocess"),
    ("extractPrompt", "Extract"),
    ("analyzePrompt", "Analyze"),
    ("generateScorePrompt", "Generate score"),
    ("generateReasonPrompt", "Generate reason"),
    ("reasonPrompt", "Reason"),
)
#: JSON fields shown as trees, in reading order.
JSON_SECTIONS = (
    ("input", "Input"),
    ("output", "Output"),
    ("preprocessStepResult", "Preprocess step result"),
    ("analyzeStepResult", "Analyze step result"),
    ("extractStepResult", "Extract step result"),
    ("metadata", "Metadata"),
    ("requestContext", "Request context"),
    ("additionalContext", "Additional context"),
    ("entity", "Entity"),
)
IDS = (
    ("runId", "Run"),
    ("traceId", "Trace"),
    ("spanId", "Span"),
    ("threadId", "Thread"),
    ("resourceId", "Resource"),
    ("entityType", "Entity type"),
    ("entityId", "Entity"),
)


@require_GET
def score_detail(request: HttpRequest, scorer_id: str, score_id: str) -> HttpResponse:
    score = get_store().scores.get_score_by_id(score_id)
    if score is None or score.scorer_id != scorer_id:
        return not_found(
            request,
            "Score not found",
            f"The scorer “{scorer_label(scorer_id)}” has no score with the id “{score_id}”. It may have been deleted.",
            reverse("scores:scorer", args=[scorer_id]),
            "This scorer's scores",
        )
    record = score.to_record()
    info = scorer_info(score)
    context = {
        "scorer_id": scorer_id,
        "scorer_name": info.get("name", scorer_label(scorer_id)),
        "score": score,
        "score_problem": score_problem(score),
        "reason": render_untrusted_markdown(score.reason),
        "thread_url": thread_url(score),
        "run_url": run_url(score),
        "prompts": [(label, record[key]) for key, label in PROMPTS if record.get(key)],
        "sections": [(label, record[key]) for key, label in JSON_SECTIONS if key in record],
        "ids": [(label, record[key]) for key, label in IDS if record.get(key)],
        "scorer_url": reverse("scores:scorer", args=[scorer_id]),
    }
    return vary_on_htmx(
        render(request, template_for(request, "scores/score.html", "score-panel"), context), target=True
    )


# --- export ------------------------------------------------------------------------------------------


def _export_rows(scorer_id: str, query: ScoreQuery, moment: datetime) -> Iterator[tuple[Any, ...]]:
    # The store reads only the exported columns, and its first chunk before the response starts,
    # so a store error still gets the error page; a failure later can only cut the download short
    # (the client sees it incomplete).
    return get_store().scores.score_rows(
        scorer_id,
        EXPORT_COLUMNS,
        **query.store_filters(moment),
        lowest_first=query.lowest_first,
        highest_first=query.highest_first,
        chunk=EXPORT_PAGE_SIZE,
    )


def _filename(scorer_id: str, query: ScoreQuery, extension: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", scorer_id).strip("-.") or "scores"
    suffix = f"-{query.order}" if query.order != "newest" else ""
    return f"{safe}-{query.range}{suffix}.{extension}"


@require_GET
def export(request: HttpRequest, scorer_id: str, fmt: str) -> StreamingHttpResponse:
    """Every score under the page's filters, in the table's order, as CSV or JSON (streamed)."""
    query = ScoreQuery.from_form(read_query(request, ScoreFilterForm))
    rows = _export_rows(scorer_id, query, timezone.now())
    record_event(
        request.user,
        Action.EXPORT_SCORES,
        TargetType.SCORER,
        scorer_id,
        detail=f"{fmt.upper()} · {request.GET.urlencode() or 'no filters'}",
    )
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(EXPORT_COLUMNS, rows), content_type="text/csv; charset=utf-8"
        )
    else:

        def chunks() -> Iterator[str]:
            yield "["
            for i, row in enumerate(rows):
                record = dict(zip(EXPORT_COLUMNS, row, strict=True))
                yield ("," if i else "") + "\n" + json.dumps(record, ensure_ascii=False)
            yield "\n]\n"

        response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(scorer_id, query, fmt)}"'
    response["Cache-Control"] = "no-store"
    return response
