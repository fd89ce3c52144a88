"""Threads: the list of all threads and one thread's messages.

Store calls per request: the list makes one (``thread_feed``); a thread page three or four
(``get_thread_by_id`` + ``message_feed``, or ``message_window`` for a link to one message, ``?at=``,
+ its observational memory, and the resource's when the thread has none); "load older" (an htmx
request for the next page) one.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboard.core.htmx import (
    is_partial_request,
    page_link_checked,
    partial_target,
    read_query,
    template_for,
    vary_on_htmx,
)
from dashboard.core.list_totals import describe_total, store_totals
from dashboard.core.pages import not_found, url_or_empty
from dashboard.core.paging import Pager
from dashboard.core.store import get_store
from dashboard.core.templatetags.ui import bounded_json
from dashboard.observations.panel import observation_panel
from dashboard.working_memory.rules import working_memory_view
from storeclient.models import Feed, Message

from . import live
from .forms import MessagePageForm, ThreadListForm
from .presenters import chronological, present_messages, split_metadata, thread_title

MESSAGES_PER_PAGE = 40
#: The element a poll for what is new swaps (live.py).
NEWS_TARGET = "thread-news"
#: Messages shown on each side of the one a link opens the thread at.
MESSAGE_WINDOW = 20


@require_GET
def thread_list(request: HttpRequest) -> HttpResponse:
    if partial_target(request) == NEWS_TARGET:
        news = live.new_threads(get_store(), read_query(request, live.NewsForm).baseline())
        return _news(request, "threads/list.html#thread-news", news, reverse("threads:list"))
    form = read_query(request, ThreadListForm)
    filters = form.filters()
    with page_link_checked(request):
        feed = get_store().memory.thread_feed(
            resource_prefix=filters["resource"] or None,
            id_prefix=filters["thread"] or None,
            title_contains=filters["q"] or None,
            cursor=form.cleaned_data["cursor"] or None,
            limit=form.cleaned_data["per_page"],
        )
    filtered = any(filters.values())
    first_page = not form.cleaned_data["cursor"]
    context = {
        "form": form,
        "feed": feed,
        "grouped_by": form.grouped_by,
        "pager": Pager.for_cursor(request.path, filters, form.cleaned_data, feed.next_cursor),
        "filtered": filtered,
        "first_page": first_page,
        # Only the first page announces new threads: further pages are not where they appear.
        **(live.region(live.start_of_list(feed.items, filters), request.path) if first_page else {}),
        # Only the full page shows it (the header is outside the swapped table).
        "total": ""
        if filtered or is_partial_request(request)
        else describe_total(store_totals().get("threads"), "thread", "threads"),
    }
    # The filter form and the pager both target the table; the form stays as the user typed it.
    return vary_on_htmx(
        render(request, template_for(request, "threads/list.html", "thread-table"), context), target=True
    )


@require_GET
def thread_detail(request: HttpRequest, thread_id: str) -> HttpResponse:
    store = get_store()
    if partial_target(request) == NEWS_TARGET:
        news = live.new_messages(store, thread_id, read_query(request, live.NewsForm).baseline())
        detail_url = reverse("threads:detail", args=[thread_id])
        context = {"thread_id": thread_id, **(_shown_page(thread_id, news.messages) if news.messages else {})}
        return _news(request, "threads/detail.html#thread-news", news, detail_url, context)
    query = read_query(request, MessagePageForm).cleaned_data
    cursor = query["cursor"] or None
    if is_partial_request(request):
        # "Load older": only the next page of messages, inserted above the ones on screen.
        with page_link_checked(request):
            feed = store.memory.message_feed(thread_id, cursor=cursor, limit=MESSAGES_PER_PAGE)
        context = _message_page(thread_id, cursor, feed)
        return vary_on_htmx(render(request, "threads/detail.html#message-page", context), target=True)

    thread = store.memory.get_thread_by_id(thread_id)
    if thread is None:
        return not_found(
            request,
            "Thread not found",
            f"There is no thread with the id “{thread_id}”. It may have been deleted.",
            reverse("threads:list"),
            "All threads",
        )
    detail_url = reverse("threads:detail", args=[thread.id])
    at = "" if cursor else query["at"]
    at_missing = False
    newest_url = detail_url if cursor else None
    feed: Feed[Message] | None = None
    if at:
        # A link to one message (from search): that message with its neighbours, found by its own
        # position, so the link stays right however many messages arrive after it.
        window = store.memory.message_window(thread.id, at, before=MESSAGE_WINDOW, after=MESSAGE_WINDOW)
        if window.found:
            feed = Feed(items=window.items, next_cursor=window.older_cursor)
            newest_url = detail_url if window.newer else None
        else:
            at_missing = True
    if feed is None:
        with page_link_checked(request):
            feed = store.memory.message_feed(thread_id, cursor=cursor, limit=MESSAGES_PER_PAGE)
    om = observation_panel(store, thread.id, thread.resource_id) if cursor is None else None
    # Thread-scoped memory lives with the thread; resource-scoped memory is shown on the resource
    # page, and the thread page says it is there (one more call, only when the thread has none).
    resource_om = (
        store.observations.get_observational_memory(None, thread.resource_id)
        if cursor is None and om is None and thread.resource_id
        else None
    )
    context = {
        "om": om,
        "resource_om": resource_om,
        "thread": thread,
        "title": thread_title(thread.title),
        "metadata": split_metadata(thread.metadata),
        "working_memory": working_memory_view(thread.working_memory) if thread.working_memory else None,
        "memory_editor_url": url_or_empty("memory:thread", thread.id),
        "resource_url": url_or_empty("resources:detail", thread.resource_id) if thread.resource_id else "",
        "newest_url": newest_url,
        "at_missing": at_missing,
        # Only the newest messages announce newer ones (an older page or a window ends elsewhere).
        **(
            live.region(live.start_of_thread(feed.items), detail_url)
            if cursor is None and newest_url is None
            else {}
        ),
        **_message_page(thread.id, cursor, feed, at=at if not at_missing else ""),
    }
    return vary_on_htmx(render(request, "threads/detail.html", context), target=True)


def _message_page(
    thread_id: str, cursor: str | None, feed: Feed[Message], *, at: str = ""
) -> dict[str, object]:
    detail_url = reverse("threads:detail", args=[thread_id])
    page_url = f"{detail_url}?{urlencode({'at': at})}" if at else _page_url(detail_url, cursor)
    return {
        "thread_id": thread_id,
        "message_feed": feed,
        "thread_messages": present_messages(chronological(feed.items), page_url=page_url),
        "older_url": _page_url(detail_url, feed.next_cursor) if feed.next_cursor else None,
    }


def _shown_page(thread_id: str, messages: list[Message]) -> dict[str, object]:
    """New messages the reader asked to see, appended below the ones on screen."""
    detail_url = reverse("threads:detail", args=[thread_id])
    return {"new_messages": present_messages(messages, page_url=detail_url)}


def _news(
    request: HttpRequest,
    template: str,
    news: live.News,
    base_url: str,
    context: dict[str, object] | None = None,
) -> HttpResponse:
    context = {**(context or {}), **live.region(news, base_url)}
    return vary_on_htmx(render(request, template, context), target=True)


def _page_url(detail_url: str, cursor: str | None) -> str:
    return f"{detail_url}?{urlencode({'cursor': cursor})}" if cursor else detail_url


@require_GET
def message_raw(request: HttpRequest, thread_id: str, message_id: str) -> HttpResponse:
    """One message as stored, as JSON (the raw toggle of a message too big to embed in the page)."""
    found = [m for m in get_store().memory.list_messages_by_id([message_id]) if m.thread_id == thread_id]
    if not found:
        return JsonResponse({"error": "No such message in this thread."}, status=404)
    # bounded_json, not JsonResponse: an agent's tool result can nest deeper than json.dumps recurses.
    return HttpResponse(bounded_json(found[0].to_record()), content_type="application/json")
