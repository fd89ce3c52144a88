"""/tools/ and a tool's page: tool-call statistics from the dashboard's index (DESIGN 5b).

Both pages read only the index (``dashboard.search`` models, aggregated in ``stats.py``), never the
Mastra store, and say how current the index is. Drill-downs are /search/ links, so the matching
messages are listed the way search lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboard.core.htmx import read_query
from dashboard.core.pages import not_found, url_or_empty
from dashboard.search.freshness import Freshness
from dashboard.search.indexer import status
from dashboard.search.query import words_of

from . import stats
from .forms import ToolFilterForm
from .freshness import message_link

#: Words of an error message put into its drill-down search (enough to pick it out).
ERROR_SEARCH_WORDS = 6
_PLACEHOLDERS = {"id", "n", "hex", "uuid"}


def search_url(tool: str, params: dict[str, str], *, words: str = "", errors_only: bool = False) -> str:
    """The /search/ page listing the messages behind a figure. Search needs words: the tool's name
    is always in the message's searchable text, so it is the words when no others are given."""
    quoted = '"' + tool.replace('"', " ") + '"'
    query = {
        "q": f"{quoted} {words}".strip(),
        "tool": tool,
        **{k: v for k, v in params.items() if v},
    }
    if errors_only:
        query["errors_only"] = "1"
    return f"{reverse('search:search')}?{urlencode(query)}"


def _day_params(params: dict[str, str], day: date) -> dict[str, str]:
    return {**params, "since": day.isoformat(), "until": day.isoformat()}


def _error_words(message: str) -> str:
    if message == stats.NO_ERROR_TEXT:
        return ""
    return " ".join([w for w in words_of(message) if w not in _PLACEHOLDERS][:ERROR_SEARCH_WORDS])


@dataclass
class DayRow:
    day: stats.Day
    #: Share of the busiest day, for the bar (0-100).
    width: int
    calls_url: str
    failures_url: str


def _day_rows(days: list[stats.Day], tool: str, params: dict[str, str]) -> list[DayRow]:
    busiest = max((d.calls for d in days), default=0)
    return [
        DayRow(
            day,
            round(100 * day.calls / busiest) if busiest else 0,
            search_url(tool, _day_params(params, day.day)) if tool else "",
            search_url(tool, _day_params(params, day.day), errors_only=True) if tool else "",
        )
        for day in days
    ]


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    form = read_query(request, ToolFilterForm)
    filters = form.tool_filters()
    params = form.search_params()
    summaries = stats.tool_summaries(filters)
    errors = stats.top_errors(filters)
    context = {
        "form": form,
        "freshness": Freshness(status()),
        "agents": stats.agents(),
        "rows": [
            {
                "summary": s,
                "url": _tool_url(s.tool_name, form),
                "calls_url": search_url(s.tool_name, params),
                "failures_url": search_url(s.tool_name, params, errors_only=True),
            }
            for s in summaries
        ],
        "days": _day_rows(stats.per_day(filters), "", params),
        "errors": [
            {
                "group": group,
                "tools": group.tools.most_common(3),
                "url": search_url(
                    group.tools.most_common(1)[0][0],
                    params,
                    words=_error_words(group.message),
                    errors_only=True,
                ),
            }
            for group in errors
        ],
    }
    return render(request, "tools/overview.html", context)


@require_GET
def tool(request: HttpRequest, tool_name: str) -> HttpResponse:
    form = read_query(request, ToolFilterForm)
    if "\x00" in tool_name:
        # The index never holds a NUL (PostgreSQL refuses them in text): no such tool, and no query.
        return not_found(
            request,
            "No such tool",
            "No tool call in the index has that name.",
            reverse("tools:overview"),
            "Tools",
        )
    filters = form.tool_filters(tool_name)
    params = form.search_params()
    summary = next(iter(stats.tool_summaries(filters, limit=1)), None)
    keys, sampled = stats.argument_keys(filters)
    failing = [
        {
            "call": call,
            "url": _thread_message_url(call.thread_id, call.message_id),
        }
        for call in stats.failing_calls(filters)
    ]
    context = {
        "form": form,
        "tool_name": tool_name,
        "summary": summary,
        "freshness": Freshness(status()),
        "agents": stats.agents(),
        "days": _day_rows(stats.per_day(filters), tool_name, params),
        "keys": keys,
        "sampled": sampled,
        "sample_limit": stats.ARGUMENT_SAMPLE,
        "errors": [
            {
                "group": group,
                "url": search_url(tool_name, params, words=_error_words(group.message), errors_only=True),
            }
            for group in stats.top_errors(filters)
        ],
        "failing": failing,
        "calls_url": search_url(tool_name, params),
        "failures_url": search_url(tool_name, params, errors_only=True),
    }
    status_code = 200 if summary is not None or form.has_filters else 404
    return render(request, "tools/tool.html", context, status=status_code)


def _tool_url(name: str, form: ToolFilterForm) -> str:
    url = url_or_empty("tools:tool", name)
    query = urlencode({k: v for k, v in form.query_params().items() if v})
    return f"{url}?{query}" if url and query else url


def _thread_message_url(thread_id: str, message_id: str) -> str:
    return message_link(url_or_empty("threads:detail", thread_id), message_id)
