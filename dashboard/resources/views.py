"""Resources (the users agents remember): the list, and one resource with its working memory,
metadata and threads.

Store calls per request: the list makes one (``resource_feed``); a resource page two
(``get_resource_by_id`` + ``thread_feed``); paging its threads (htmx) one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboard.core.htmx import (
    is_partial_request,
    page_link_checked,
    read_query,
    template_for,
    vary_on_htmx,
)
from dashboard.core.pages import not_found, url_or_empty
from dashboard.core.paging import CursorForm, Pager
from dashboard.core.store import get_store
from dashboard.working_memory.rules import working_memory_kind, working_memory_view
from storeclient.models import Feed, Resource, Thread

from .forms import ResourceListForm

RESOURCES_PER_PAGE = 25
THREADS_PER_PAGE = 25
PREVIEW_CHARS = 140


@dataclass(frozen=True)
class ResourceRow:
    resource: Resource
    memory_kind: str
    preview: str


@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    form = read_query(request, ResourceListForm)
    filters = form.filters()
    with page_link_checked(request):
        feed = get_store().memory.resource_feed(
            id_prefix=filters["q"] or None,
            cursor=form.cleaned_data["cursor"] or None,
            limit=RESOURCES_PER_PAGE,
        )
    rows = [
        ResourceRow(r, working_memory_kind(r.working_memory), _preview(r.working_memory)) for r in feed.items
    ]
    context = {
        "form": form,
        "feed": feed,
        "rows": rows,
        "pager": Pager.for_cursor(request.path, filters, form.cleaned_data, feed.next_cursor),
        "first_page": not form.cleaned_data["cursor"],
        "filtered": bool(filters["q"]),
    }
    return vary_on_htmx(
        render(request, template_for(request, "resources/list.html", "resource-table"), context)
    )


@require_GET
def resource_detail(request: HttpRequest, resource_id: str) -> HttpResponse:
    form = read_query(request, CursorForm)
    cursor = form.cleaned_data["cursor"] or None
    store = get_store()
    with page_link_checked(request):
        threads = store.memory.thread_feed(resource_id=resource_id, cursor=cursor, limit=THREADS_PER_PAGE)
    context = _threads_context(request, resource_id, form, threads)
    if is_partial_request(request):
        # Paging its threads: only the table.
        return vary_on_htmx(render(request, "resources/detail.html#resource-threads", context))

    resource = store.memory.get_resource_by_id(resource_id)
    # Mastra writes a resource row only for resource-scoped working memory; threads can name a
    # resource that has none. Such a resource still gets a page (its threads); an id nothing
    # mentions is not found.
    if resource is None and not threads.items and cursor is None:
        return not_found(
            request,
            "Resource not found",
            f"No resource and no thread has the resource id “{resource_id}”.",
            reverse("resources:list"),
            "All resources",
        )
    context |= {
        "resource": resource,
        "working_memory": working_memory_view(resource.working_memory) if resource else None,
        "memory_editor_url": url_or_empty("memory:resource", resource_id),
    }
    return vary_on_htmx(render(request, "resources/detail.html", context))


def _threads_context(
    request: HttpRequest, resource_id: str, form: CursorForm, threads: Feed[Thread]
) -> dict[str, object]:
    return {
        "resource_id": resource_id,
        "feed": threads,
        "pager": Pager.for_cursor(request.path, {}, form.cleaned_data, threads.next_cursor),
        "first_page": not form.cleaned_data["cursor"],
        "table_id": "resource-threads",
        "hide_resource": True,
    }


def _preview(text: str | None) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"
