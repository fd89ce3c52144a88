"""Scorers: an overview card per scorer, and one scorer's chart, statistics, scores and drill-down.

Store calls: the overview makes ``1 + 2 × scorers shown`` (ids, then a bounded series and the latest
score per card; cards are paged); the scorer page makes 3 (series, exact buckets, one feed page;
when nothing matches the filters, series, feed and one more feed call to tell an empty range from
an unknown scorer), and 1 for a table page; the score panel makes 1; an export reads feed pages
of 500 until the end.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from dashboard.core.paging import CursorPager
from dashboard.core.rendering import render_untrusted_markdown
from dashboard.core.store import get_store
from dashboard.core.store_errors import is_partial_request
from dashboard.core.templatetags.ui import optional_url
from storeclient.codec import to_iso
from storeclient.models import Score, ScoreSeries

from . import charts, stats
from .forms import (
    DEFAULT_PERIOD,
    ENTITY_TYPES,
    ORDERS,
    PERIODS,
    RANGES,
    OverviewForm,
    ScoreFilterForm,
    ScoreQuery,
)

#: Points fetched for the scorer page's order statistics and histogram; beyond it the store
#: returns an evenly spread sample (counts, means, minima and maxima come exact from score_buckets).
SERIES_MAX_POINTS = 5_000
#: Points per overview card (two periods' worth).
OVERVIEW_MAX_POINTS = 2_000
OVERVIEW_PAGE_SIZE = 12
FEED_PAGE_SIZE = 25
EXPORT_PAGE_SIZE = 500
HISTOGRAM_BINS = 10

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

BUCKET_NAMES = {stats.HOUR: "hour", stats.DAY: "day", stats.WEEK: "week"}


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def now() -> datetime:
    """The page's "now" (tests replace it)."""
    return timezone.now()


def _vary(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


# --- one score, as pages show it ------------------------------------------------------------------


def scorer_info(score: Score | None) -> dict[str, str]:
    """Name and description from the score's ``scorer`` object, when it has them."""
    scorer = score.get("scorer") if score else None
    if not isinstance(scorer, dict):
        return {}
    return {k: v for k in ("name", "description") if isinstance(v := scorer.get(k), str) and v}


def output_message_id(score: Score) -> str | None:
    """The id of the first message in an agent score's output (a list of Mastra messages)."""
    output = score.get("output")
    messages = output if isinstance(output, list) else [output]
    for message in messages:
        if isinstance(message, dict) and isinstance(message.get("id"), str) and message.get("role"):
            return str(message["id"])
    return None


def thread_url(score: Score) -> str:
    """The thread the scored output belongs to, at the message when the output names one; "" while
    the threads area does not route it."""
    if not score.thread_id:
        return ""
    url = optional_url("threads:detail", score.thread_id)
    message_id = output_message_id(score)
    if url and message_id:
        url += "#msg-" + message_id
    return url


def run_url(score: Score) -> str:
    """The workflow run a WORKFLOW score was given for; "" when unknown or not routed."""
    if score.entity_type != "WORKFLOW" or not score.entity_id or not score.run_id:
        return ""
    return optional_url("workflows:run", score.entity_id, score.run_id)


def entity_label(score: Score) -> str:
    entity = score.get("entity")
    name = entity.get("name") if isinstance(entity, dict) else None
    return str(name or score.entity_id or "")


@dataclass
class ScoreRow:
    score: Score
    reason: SafeString
    entity: str
    detail_url: str
    thread_url: str
    run_url: str


def score_rows(scores: Sequence[Score], scorer_id: str) -> list[ScoreRow]:
    return [
        ScoreRow(
            score=s,
            reason=render_untrusted_markdown(s.reason),
            entity=entity_label(s),
            detail_url=reverse("scores:score", args=[scorer_id, s.id]),
            thread_url=thread_url(s),
            run_url=run_url(s),
        )
        for s in scores
    ]


# --- overview ---------------------------------------------------------------------------------------


@dataclass
class ScorerCard:
    scorer_id: str
    url: str
    name: str
    description: str
    latest: datetime | None
    count: int
    count_estimated: bool
    summary: stats.Summary
    change: stats.Change
    sparkline: charts.Sparkline
    series: ScoreSeries


def scorer_card(scorer_id: str, moment: datetime, period_key: str) -> ScorerCard:
    store = get_store()
    period = PERIODS[period_key][1]
    series = store.scores.score_series(
        scorer_id, from_date=moment - 2 * period, to_date=moment, max_points=OVERVIEW_MAX_POINTS
    )
    latest = store.scores.score_feed(scorer_id, limit=1).items
    current, _ = stats.split_periods(series.points, moment, period)
    count = len(current)
    if series.sampled and series.points:
        # The sample is spread evenly over the scores in time order, so the share of it falling in
        # this period is the share of all scores that do (to within one sampling step).
        count = round(series.total * len(current) / len(series.points))
    size = stats.bucket_size_for(period)
    in_period = [p for p in series.points if p.created_at > moment - period]
    trend = stats.fill_buckets(stats.bucket_points(in_period, size), moment - period, moment, size)
    info = scorer_info(latest[0] if latest else None)
    return ScorerCard(
        scorer_id=scorer_id,
        url=reverse("scores:scorer", args=[scorer_id]) + ScoreQuery(range=period_key).querystring(),
        name=info.get("name", scorer_id),
        description=info.get("description", ""),
        latest=latest[0].created_at if latest else None,
        count=count,
        count_estimated=series.sampled,
        summary=stats.summarize(current),
        change=stats.mean_change(series.points, moment, period),
        sparkline=charts.sparkline(
            trend, label=f"Mean score per {BUCKET_NAMES[size]}, last {PERIODS[period_key][0]}"
        ),
        series=series,
    )


def _overview_url(period: str, page: int) -> str:
    params = {"period": period} if period != DEFAULT_PERIOD else {}
    if page > 1:
        params["page"] = str(page)
    return reverse("scores:overview") + ("?" + urlencode(params) if params else "")


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    form = OverviewForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    period = data.get("period") or DEFAULT_PERIOD
    moment = now()
    scorer_ids = get_store().scores.scorer_ids()
    page = Paginator(scorer_ids, OVERVIEW_PAGE_SIZE).get_page(data.get("page") or 1)
    cards = [scorer_card(scorer_id, moment, period) for scorer_id in page.object_list]
    context = {
        "form": form,
        "period": period,
        "period_label": PERIODS[period][0],
        "periods": [(key, label, _overview_url(key, 1)) for key, (label, _) in PERIODS.items()],
        "previous_url": _overview_url(period, page.previous_page_number()) if page.has_previous() else "",
        "next_url": _overview_url(period, page.next_page_number()) if page.has_next() else "",
        "cards": cards,
        "page": page,
        "scorer_count": len(scorer_ids),
        "sampled_cards": [c for c in cards if c.series.sampled],
        "max_points": OVERVIEW_MAX_POINTS,
    }
    template = "scores/overview.html"
    if is_partial_request(request):
        template += "#scorer-cards"
    return _vary(render(request, template, context))


# --- one scorer -----------------------------------------------------------------------------------


@dataclass
class ScorerPage:
    """Everything the scorer page shows, built with at most four store calls."""

    series: ScoreSeries
    summary: stats.Summary
    bucket_seconds: int
    buckets: list[stats.Bucket]
    bins: list[stats.Bin]
    capped: bool
    notes: list[str] = field(default_factory=list)


def chart_span(query: ScoreQuery, series: ScoreSeries, moment: datetime) -> tuple[datetime, datetime] | None:
    """The time span the chart covers: the chosen range, or the scores' own span where the range is
    open (all time, a custom range with one end)."""
    start, end = query.bounds(moment)
    first = series.points[0].created_at if series.points else None
    last = series.points[-1].created_at if series.points else None
    start = start or first
    end = end or last
    if start is None or end is None:
        return None
    return start, max(start, end)


def build_scorer_page(scorer_id: str, query: ScoreQuery, moment: datetime) -> ScorerPage | None:
    store = get_store()
    filters = query.store_filters(moment)
    series = store.scores.score_series(scorer_id, **filters, max_points=SERIES_MAX_POINTS)
    span = chart_span(query, series, moment)
    if span is None or not series.points:
        return None
    size = stats.bucket_size_for(span[1] - span[0])
    origin = stats.bucket_origin(size)
    aggregated = store.scores.score_buckets(scorer_id, **filters, bucket_seconds=size, origin=origin)
    exact = stats.combine(aggregated.buckets)
    sample = stats.summarize(p.score for p in series.points)
    summary = stats.Summary(
        count=exact.count,
        mean=exact.mean,
        median=sample.median,
        p10=sample.p10,
        p90=sample.p90,
        min=exact.min,
        max=exact.max,
        stddev=sample.stddev,
    )
    return ScorerPage(
        series=series,
        summary=summary,
        bucket_seconds=size,
        buckets=stats.fill_buckets(aggregated.buckets, span[0], span[1], size, origin),
        bins=stats.histogram([p.score for p in series.points], HISTOGRAM_BINS),
        capped=aggregated.capped or series.total_at_least,
    )


def _detail_context(scorer_id: str, form: ScoreFilterForm, query: ScoreQuery) -> dict[str, Any]:
    base = reverse("scores:scorer", args=[scorer_id])
    return {
        "scorer_id": scorer_id,
        "form": form,
        "query": query,
        "base_url": base,
        "ranges": [(key, label) for key, (label, _) in RANGES.items()],
        "orders": list(ORDERS.items()),
        "entity_types": ENTITY_TYPES,
        "tab_urls": [(key, label, base + query.querystring(order=key)) for key, label in ORDERS.items()],
        "export_csv": reverse("scores:export_csv", args=[scorer_id]) + query.querystring(),
        "export_json": reverse("scores:export_json", args=[scorer_id]) + query.querystring(),
    }


def _feed(scorer_id: str, query: ScoreQuery, moment: datetime, *, cursor: str | None, limit: int) -> Any:
    return get_store().scores.score_feed(
        scorer_id, **query.store_filters(moment), lowest_first=query.lowest_first, cursor=cursor, limit=limit
    )


@require_GET
def scorer(request: HtmxHttpRequest, scorer_id: str) -> HttpResponse:
    form = ScoreFilterForm(request.GET)
    query = ScoreQuery.from_form(form)
    moment = now()
    context = _detail_context(scorer_id, form, query)
    partial = is_partial_request(request)

    def table_context() -> dict[str, Any]:
        feed = _feed(scorer_id, query, moment, cursor=query.cursor or None, limit=FEED_PAGE_SIZE)
        return {
            "rows": score_rows(feed.items, scorer_id),
            "feed": feed,
            "pager": CursorPager.build(
                context["base_url"], query.params(), query.table_state, feed.next_cursor
            ),
        }

    # Paging or switching the table's order only needs the table.
    if partial and request.htmx.target == "score-table":
        context |= table_context()
        return _vary(render(request, "scores/scorer.html#score-table", context))

    page = build_scorer_page(scorer_id, query, moment)
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
        "page": page,
        "scorer_name": info.get("name", scorer_id),
        "scorer_description": info.get("description", ""),
        "unknown_scorer": status == 404,
        "all_time_url": context["base_url"] + ScoreQuery(range="all").querystring(),
    }
    if page is not None:
        context |= {
            "bucket_name": BUCKET_NAMES.get(page.bucket_seconds, "bucket"),
            "timeseries": (timeseries := charts.timeseries_data(page.buckets, page.bucket_seconds)),
            "timeseries_json": json.dumps(timeseries),
            "histogram_json": json.dumps(charts.histogram_data(page.bins)),
            "histogram_rows": [(charts.bin_label(b), b.count) for b in page.bins],
            "timeseries_rows": [
                (charts.bucket_label(b, page.bucket_seconds), b) for b in page.buckets if b.count
            ],
        }
    template = "scores/scorer.html"
    if not partial:
        return _vary(render(request, template, context, status=status))
    response = render(request, template + "#scorer-results", context, status=status)
    # The filter form sends every field, empty ones too; push the tidy address of the same view.
    return _vary(push_url(response, context["base_url"] + query.querystring()))


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
        raise Http404("No such score for this scorer.")
    record = score.to_record()
    info = scorer_info(score)
    context = {
        "scorer_id": scorer_id,
        "scorer_name": info.get("name", scorer_id),
        "score": score,
        "reason": render_untrusted_markdown(score.reason),
        "thread_url": thread_url(score),
        "run_url": run_url(score),
        "prompts": [(label, record[key]) for key, label in PROMPTS if record.get(key)],
        "sections": [(label, record[key]) for key, label in JSON_SECTIONS if key in record],
        "ids": [(label, record[key]) for key, label in IDS if record.get(key)],
        "scorer_url": reverse("scores:scorer", args=[scorer_id]),
    }
    template = "scores/score.html"
    if is_partial_request(request):
        template += "#score-panel"
    return _vary(render(request, template, context))


# --- export ------------------------------------------------------------------------------------------

#: Spreadsheet apps run a cell starting with these as a formula; stored text is untrusted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_row(score: Score) -> dict[str, Any]:
    record = score.to_record()
    row: dict[str, Any] = {column: record.get(column) for column in EXPORT_COLUMNS}
    row["createdAt"] = to_iso(score.created_at)
    row["score"] = score.score if math.isfinite(score.score) else None
    return row


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if not isinstance(value, str | int | float):
        return json.dumps(value, ensure_ascii=False)
    return value


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def _export_rows(scorer_id: str, query: ScoreQuery, moment: datetime) -> Iterator[dict[str, Any]]:
    # The first page is read before the response starts, so a store error still gets the error
    # page; a failure later can only cut the download short (the client sees it incomplete).
    feed = _feed(scorer_id, query, moment, cursor=None, limit=EXPORT_PAGE_SIZE)

    def rows() -> Iterator[dict[str, Any]]:
        page = feed
        while True:
            for score in page.items:
                yield export_row(score)
            if not page.next_cursor:
                return
            page = _feed(scorer_id, query, moment, cursor=page.next_cursor, limit=EXPORT_PAGE_SIZE)

    return rows()


def _filename(scorer_id: str, query: ScoreQuery, extension: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", scorer_id).strip("-.") or "scores"
    suffix = "-lowest" if query.lowest_first else ""
    return f"{safe}-{query.range}{suffix}.{extension}"


@require_GET
def export(request: HttpRequest, scorer_id: str, fmt: str) -> StreamingHttpResponse:
    """Every score under the page's filters, in the table's order, as CSV or JSON (streamed)."""
    form = ScoreFilterForm(request.GET)
    query = ScoreQuery.from_form(form)
    rows = _export_rows(scorer_id, query, now())
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(EXPORT_COLUMNS)
            for row in rows:
                yield writer.writerow([_csv_cell(row[c]) for c in EXPORT_COLUMNS])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:

        def chunks() -> Iterator[str]:
            yield "["
            for i, row in enumerate(rows):
                yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
            yield "\n]\n"

        response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(scorer_id, query, fmt)}"'
    response["Cache-Control"] = "no-store"
    return response
