"""Threads: the list of all threads and one thread's messages.

Store calls per request: the list makes one (``thread_feed``); a thread page two
(``get_thread_by_id`` + ``message_feed``); "load older" (an htmx request for the next page) one.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard.core.paging import CursorPager
from dashboard.core.routing import path_if_routed
from dashboard.core.store import get_store
from dashboard.core.store_errors import SWAP_ERROR_HEADER, is_partial_request
from dashboard.working_memory.rules import working_memory_view
from storeclient.models import Feed, Message

from .forms import MessagePageForm, ThreadListForm
from .presenters import chronological, present_messages, split_metadata, thread_title

THREADS_PER_PAGE = 25
MESSAGES_PER_PAGE = 40


@require_GET
@vary_on_headers("HX-Request")
def thread_list(request: HttpRequest) -> HttpResponse:
    form = ThreadListForm(request.GET)
    template = "threads/list.html"
    if is_partial_request(request):
        # The filter form and the pager both target the table; the form stays as the user typed it.
        template += "#thread-table"
    if not form.is_valid():
        response = render(request, template, {"form": form, "feed": None}, status=400)
        response[SWAP_ERROR_HEADER] = "true"  # show the explanation in place of the table
        return response
    filters = form.filters()
    feed = get_store().memory.thread_feed(
        resource_id=filters["resource"] or None,
        title_contains=filters["q"] or None,
        cursor=form.cleaned_data["cursor"] or None,
        limit=THREADS_PER_PAGE,
    )
    pager = CursorPager.build(request.path, filters, form.cleaned_data, feed.next_cursor)
    context = {
        "form": form,
        "feed": feed,
        "pager": pager,
        "filtered": any(filters.values()),
        "first_page": not form.cleaned_data["cursor"],
    }
    return render(request, template, context)


@require_GET
@vary_on_headers("HX-Request")
def thread_detail(request: HttpRequest, thread_id: str) -> HttpResponse:
    form = MessagePageForm(request.GET)
    # A mangled cursor is not worth an error page: show the newest messages instead.
    cursor = (form.cleaned_data["cursor"] or None) if form.is_valid() else None
    store = get_store()
    if is_partial_request(request):
        # "Load older": only the next page of messages, inserted above the ones on screen.
        feed = store.memory.message_feed(thread_id, cursor=cursor, limit=MESSAGES_PER_PAGE)
        context = _message_page(thread_id, cursor, feed)
        return render(request, "threads/detail.html#message-page", context)

    thread = store.memory.get_thread_by_id(thread_id)
    if thread is None:
        return render(
            request,
            "404.html",
            {
                "not_found_title": "Thread not found",
                "not_found_message": f"There is no thread with the id “{thread_id}”. It may have been deleted.",
                "back_url": reverse("threads:list"),
                "back_label": "All threads",
            },
            status=404,
        )
    feed = store.memory.message_feed(thread_id, cursor=cursor, limit=MESSAGES_PER_PAGE)
    detail_url = reverse("threads:detail", args=[thread.id])
    context = {
        "thread": thread,
        "title": thread_title(thread.title),
        "metadata": split_metadata(thread.metadata),
        "working_memory": working_memory_view(thread.working_memory) if thread.working_memory else None,
        "memory_editor_url": path_if_routed(detail_url + "memory/"),
        "resource_url": _resource_url(thread.resource_id),
        "newest_url": detail_url if cursor else None,
        **_message_page(thread.id, cursor, feed),
    }
    return render(request, "threads/detail.html", context)


def _message_page(thread_id: str, cursor: str | None, feed: Feed[Message]) -> dict[str, object]:
    detail_url = reverse("threads:detail", args=[thread_id])
    return {
        "thread_id": thread_id,
        "message_feed": feed,
        "thread_messages": present_messages(
            chronological(feed.items), page_url=_page_url(detail_url, cursor)
        ),
        "older_url": _page_url(detail_url, feed.next_cursor) if feed.next_cursor else None,
    }


def _page_url(detail_url: str, cursor: str | None) -> str:
    return f"{detail_url}?{urlencode({'cursor': cursor})}" if cursor else detail_url


def _resource_url(resource_id: str) -> str | None:
    try:
        return reverse("resources:detail", args=[resource_id]) if resource_id else None
    except NoReverseMatch:  # an id the URL pattern cannot carry (one with a "/")
        return None


@require_GET
def message_raw(request: HttpRequest, thread_id: str, message_id: str) -> HttpResponse:
    """One message as stored, as JSON (the raw toggle of a message too big to embed in the page)."""
    found = [m for m in get_store().memory.list_messages_by_id([message_id]) if m.thread_id == thread_id]
    if not found:
        return JsonResponse({"error": "No such message in this thread."}, status=404)
    return JsonResponse(
        found[0].to_record(), json_dumps_params={"indent": 2, "ensure_ascii": False, "default": str}
    )
