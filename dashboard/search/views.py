"""Search across every conversation, from the dashboard's own index (never the Mastra store).

One view serves three things: the /search/ page, its results as you type (the ``search-results``
partial) and the header box's quick results (the ``quick-results`` partial, for an htmx request
that swaps ``#header-search-results``). A search made while no indexer runs first indexes for up to
``SEARCH_CATCH_UP_SECONDS``; the page then says how far behind the index is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from dashboard.core.htmx import partial_target, read_query, template_for, vary_on_htmx
from dashboard.core.pages import url_or_empty
from dashboard.core.paging import Pager

from . import backends
from .forms import KIND_LABELS, SearchForm
from .freshness import catch_up_if_idle
from .models import IndexedMessage, IndexedResource, IndexedThread
from .query import SearchQuery, parse
from .snippets import snippet

logger = logging.getLogger(__name__)

MESSAGES_PER_PAGE = 30
QUICK_RESULTS = 6
SIDE_RESULTS = 5
HEADER_TARGET = "header-search-results"


@dataclass
class Hit:
    message: IndexedMessage
    snippet: SafeString
    url: str

    @property
    def kinds(self) -> list[str]:
        return [KIND_LABELS.get(kind, kind) for kind in self.message.kinds.split()]


@dataclass
class ThreadGroup:
    thread_id: str
    title: str
    resource_id: str
    agent: str
    url: str
    hits: list[Hit] = field(default_factory=list)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = read_query(request, SearchForm)
    query = parse(form.cleaned_data["q"])
    quick = partial_target(request) == HEADER_TARGET
    freshness = catch_up_if_idle()
    context: dict[str, object] = {
        "form": form,
        "query": query,
        "text": form.cleaned_data["q"],
        "freshness": freshness,
        "kinds": KIND_LABELS,
    }
    if not query.is_empty:
        filters = form.message_filters()
        cursor = form.cleaned_data["cursor"]
        page = backends.search_messages(
            query,
            filters,
            order=form.sort_order,
            cursor=cursor,
            limit=QUICK_RESULTS if quick else MESSAGES_PER_PAGE,
        )
        groups = _groups(page.ids, query)
        context["groups"] = groups
        context["hit_count"] = sum(len(g.hits) for g in groups)
        context["pager"] = Pager.for_cursor(
            request.path, form.filters(), form.cleaned_data, None if quick else page.next_cursor
        )
        context["all_results_url"] = f"{request.path}?{urlencode({'q': form.cleaned_data['q']})}"
        if not cursor and not quick and not filters.only_messages:
            context["thread_matches"] = _thread_matches(query, filters)
            context["memory_matches"] = _memory_matches(query, filters)
    if quick:
        response = render(request, "search/search.html#quick-results", context)
        return vary_on_htmx(response, target=True)
    return vary_on_htmx(
        render(request, template_for(request, "search/search.html", "search-results"), context), target=True
    )


def _groups(ids: list[int], query: SearchQuery) -> list[ThreadGroup]:
    rows = IndexedMessage.objects.in_bulk(ids)
    threads = {
        t.thread_id: t
        for t in IndexedThread.objects.filter(thread_id__in={r.thread_id for r in rows.values()})
    }
    pattern = query.highlighter()
    groups: dict[str, ThreadGroup] = {}
    for pk in ids:
        message = rows.get(pk)
        if message is None:
            continue
        group = groups.get(message.thread_id)
        if group is None:
            thread = threads.get(message.thread_id)
            group = groups[message.thread_id] = ThreadGroup(
                thread_id=message.thread_id,
                title=(thread.title if thread else "").strip() or "(untitled)",
                resource_id=message.resource_id,
                agent=message.agent,
                url=url_or_empty("threads:detail", message.thread_id),
            )
        group.hits.append(
            Hit(message, snippet(message.body, pattern), message_url(group.url, message.message_id))
        )
    return list(groups.values())


def message_url(thread_url: str, message_id: str) -> str:
    """The thread page opened at one message, however deep (the thread view reads ``at``)."""
    if not thread_url:
        return ""
    return f"{thread_url}?{urlencode({'at': message_id})}#msg-{quote(message_id, safe='')}"


@dataclass
class SideMatch:
    label: str
    detail: SafeString
    url: str
    updated_at: datetime | None


def _thread_matches(query: SearchQuery, filters: backends.MessageFilters) -> list[SideMatch]:
    ids = backends.search_titles(query, filters, limit=SIDE_RESULTS)
    rows = IndexedThread.objects.in_bulk(ids)
    pattern = query.highlighter()
    return [
        SideMatch(
            rows[pk].resource_id,
            snippet(rows[pk].title, pattern),
            url_or_empty("threads:detail", rows[pk].thread_id),
            rows[pk].updated_at,
        )
        for pk in ids
        if pk in rows
    ]


def _memory_matches(query: SearchQuery, filters: backends.MessageFilters) -> list[SideMatch]:
    ids = backends.search_working_memory(query, filters, limit=SIDE_RESULTS)
    rows = IndexedResource.objects.in_bulk(ids)
    pattern = query.highlighter()
    return [
        SideMatch(
            rows[pk].resource_id,
            snippet(rows[pk].working_memory, pattern),
            url_or_empty("resources:detail", rows[pk].resource_id),
            rows[pk].updated_at,
        )
        for pk in ids
        if pk in rows
    ]
