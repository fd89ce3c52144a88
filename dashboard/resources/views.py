"""Resources (the users agents remember): the list, and one resource with its working memory,
metadata and threads.

Store calls per request: the list makes one (``resource_feed``); a resource page two
(``get_resource_by_id`` + ``thread_feed``); paging its threads (htmx) one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard.core.paging import CursorForm, CursorPager
from dashboard.core.routing import path_if_routed
from dashboard.core.store import get_store
from dashboard.core.store_errors import SWAP_ERROR_HEADER, is_partial_request
from dashboard.working_memory.rules import working_memory_kind, working_memory_view
from storeclient.models import Feed, Resource, Thread

RESOURCES_PER_PAGE = 25
THREADS_PER_PAGE = 25
PREVIEW_CHARS = 140


@dataclass(frozen=True)
class ResourceRow:
    resource: Resource
    memory_kind: str
    preview: str


@require_GET
@vary_on_headers("HX-Request")
def resource_list(request: HttpRequest) -> HttpResponse:
    form = CursorForm(request.GET)
    template = "resources/list.html"
    if is_partial_request(request):
        template += "#resource-table"
    if not form.is_valid():
        response = render(request, template, {"form": form, "feed": None}, status=400)
        response[SWAP_ERROR_HEADER] = "true"
        return response
    feed = get_store().memory.resource_feed(
        cursor=form.cleaned_data["cursor"] or None, limit=RESOURCES_PER_PAGE
    )
    rows = [
        ResourceRow(r, working_memory_kind(r.working_memory), _preview(r.working_memory)) for r in feed.items
    ]
    context = {
        "form": form,
        "feed": feed,
        "rows": rows,
        "pager": CursorPager.build(request.path, {}, form.cleaned_data, feed.next_cursor),
        "first_page": not form.cleaned_data["cursor"],
    }
    return render(request, template, context)


@require_GET
@vary_on_headers("HX-Request")
def resource_detail(request: HttpRequest, resource_id: str) -> HttpResponse:
    form = CursorForm(request.GET)
    # A mangled page link is not worth an error page: show the first page of threads instead.
    state = form.cleaned_data if form.is_valid() else {"cursor": "", "back": []}
    cursor = state["cursor"] or None
    store = get_store()
    if is_partial_request(request):
        threads = store.memory.thread_feed(resource_id=resource_id, cursor=cursor, limit=THREADS_PER_PAGE)
        context = _threads_context(request, resource_id, state, threads)
        return render(request, "resources/detail.html#resource-threads", context)

    resource = store.memory.get_resource_by_id(resource_id)
    threads = store.memory.thread_feed(resource_id=resource_id, cursor=cursor, limit=THREADS_PER_PAGE)
    # Mastra writes a resource row only for resource-scoped working memory; threads can name a
    # resource that has none. Such a resource still gets a page (its threads); an id nothing
    # mentions is not found.
    if resource is None and not threads.items and cursor is None:
        return render(
            request,
            "404.html",
            {
                "not_found_title": "Resource not found",
                "not_found_message": f"No resource and no thread has the resource id “{resource_id}”.",
                "back_url": reverse("resources:list"),
                "back_label": "All resources",
            },
            status=404,
        )
    detail_url = reverse("resources:detail", args=[resource_id])
    context = {
        "resource_id": resource_id,
        "resource": resource,
        "working_memory": working_memory_view(resource.working_memory) if resource else None,
        "memory_editor_url": path_if_routed(detail_url + "memory/"),
        **_threads_context(request, resource_id, state, threads),
    }
    return render(request, "resources/detail.html", context)


def _threads_context(
    request: HttpRequest, resource_id: str, state: Mapping[str, Any], threads: Feed[Thread]
) -> dict[str, object]:
    return {
        "resource_id": resource_id,
        "feed": threads,
        "pager": CursorPager.build(request.path, {}, state, threads.next_cursor),
        "first_page": not state["cursor"],
        "table_id": "resource-threads",
        "hide_resource": True,
    }


def _preview(text: str | None) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"
