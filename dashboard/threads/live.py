"""What is new since a reader opened a thread or the thread list ("3 new messages — show").

The pages carry a small region (``#thread-news``) that static/js/poll.js fetches every
``NEWS_POLL_MS`` while the tab is visible (and practically never while it is hidden) from the URL in
its ``data-poll-url``, which says what the reader already has. The answer comes from the Mastra
store, not the dashboard's index, so a new message is announced within one poll however far the
indexer is behind, and an idle poll stays O(1): it reads the newest message (or thread) only and
compares it with what the reader has; the page behind it is read only when that changed.

When nothing new arrived for ``NEWS_IDLE_SECONDS`` the region comes back without ``data-poll``, as
/activity/ does, and says how to look again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from dashboard.core.filter_prefix import IdPrefixField
from storeclient.interface import Store
from storeclient.models import Message, Thread

NEWS_POLL_MS = 3_000
#: While the tab is hidden: long enough to be a pause (coming back polls at once).
NEWS_HIDDEN_POLL_MS = 3_600_000
NEWS_IDLE_SECONDS = 600
#: The most new messages (threads) counted and shown in place; beyond it the notice says "40+"
#: and "show" reloads the page.
NEWS_LIMIT = 40


class NewsForm(forms.Form):
    """What the reader has: ``after`` (the newest message id, or the top thread's id) and its time,
    how many new ones the last poll counted, and since when nothing new arrived (to stop polling
    after a long idle)."""

    after = forms.CharField(required=False, max_length=1_000)
    after_at = forms.DateTimeField(required=False)
    quiet_since = forms.DateTimeField(required=False)
    count = forms.IntegerField(required=False, min_value=0, max_value=NEWS_LIMIT)
    #: Threads: only those created after this count as new.
    since = forms.DateTimeField(required=False)
    #: Append the new messages now (the reader pressed "show").
    show = forms.BooleanField(required=False)
    # The thread list's filters, so the count is of the threads the list would show.
    resource = IdPrefixField(label="Resource id")
    thread = IdPrefixField(label="Thread id")
    q = forms.CharField(required=False, max_length=200)

    def baseline(self) -> Baseline:
        data = self.cleaned_data
        now = timezone.now()
        quiet_since = data["quiet_since"]
        return Baseline(
            after=data["after"],
            after_at=data["after_at"],
            # One in the future (a hand-made link) cannot keep a page polling for ever.
            quiet_since=quiet_since if quiet_since and quiet_since <= now else now,
            count=data["count"] or 0,
            since=data["since"],
            show=data["show"],
            filters={name: data[name] for name in ("resource", "thread", "q") if data[name]},
        )


@dataclass(frozen=True)
class Baseline:
    """What the reader's page shows, as the last poll left it."""

    #: The newest message's id (the top thread's), "" when the page showed none.
    after: str
    after_at: datetime | None
    quiet_since: datetime
    #: New records the previous poll counted (the thread list: still new while the top stays).
    count: int = 0
    since: datetime | None = None
    show: bool = False
    filters: dict[str, str] = field(default_factory=dict)

    def is_newer(self, record_id: str, record_at: datetime) -> bool:
        if record_id == self.after:
            return False
        return self.after_at is None or record_at >= self.after_at


@dataclass(frozen=True)
class News:
    """What is new since the baseline, and the baseline of the next poll."""

    #: New records, at most ``NEWS_LIMIT``.
    count: int
    #: More than ``NEWS_LIMIT`` are new: "show" reloads the page instead of appending.
    more: bool
    next: Baseline
    #: The new messages (only when asked to show them), oldest first.
    messages: list[Message] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """Polling goes on: something is new, or the quiet has not lasted ``NEWS_IDLE_SECONDS``."""
        quiet = timezone.now() - self.next.quiet_since
        return self.count > 0 or quiet < timedelta(seconds=NEWS_IDLE_SECONDS)

    def poll_url(self, base_url: str) -> str:
        """The address the region polls: what the reader has, so the answer is only what is new."""
        query = {
            **self.next.filters,
            "after": self.next.after,
            "after_at": self.next.after_at.isoformat() if self.next.after_at else "",
            "quiet_since": self.next.quiet_since.isoformat(),
            "count": str(self.count) if self.count else "",
            "since": self.next.since.isoformat() if self.next.since else "",
        }
        return f"{base_url}?{urlencode({k: v for k, v in query.items() if v})}"

    def show_url(self, base_url: str) -> str:
        return self.poll_url(base_url) + "&show=1"


def new_messages(store: Store, thread_id: str, baseline: Baseline) -> News:
    """Messages written to ``thread_id`` after the reader's newest, read from the store."""
    newest = store.memory.message_feed(thread_id, limit=1).items
    if not newest or not baseline.is_newer(newest[0].id, newest[0].created_at):
        return News(0, False, replace(baseline, count=0))
    feed = store.memory.message_feed(thread_id, limit=NEWS_LIMIT)
    fresh: list[Message] = []
    for message in feed.items:
        if not baseline.is_newer(message.id, message.created_at):
            break
        fresh.append(message)
    more = len(fresh) == len(feed.items) and feed.next_cursor is not None
    if baseline.show and fresh and not more:
        # Shown: the next poll counts from the newest of them, and the quiet starts over.
        shown = replace(baseline, after=fresh[0].id, after_at=fresh[0].created_at, quiet_since=timezone.now())
        return News(0, False, replace(shown, count=0, show=False), list(reversed(fresh)))
    return News(len(fresh), more, replace(baseline, count=len(fresh), quiet_since=timezone.now()))


def new_threads(store: Store, baseline: Baseline) -> News:
    """Threads created after ``since`` that the list (with its filters) would show first.

    ``after``/``after_at`` are the top thread and its ``updatedAt`` as last seen: while the top of
    the list has not moved nothing was written, and the poll reads that one thread only."""
    filters = {
        "resource_prefix": baseline.filters.get("resource") or None,
        "id_prefix": baseline.filters.get("thread") or None,
        "title_contains": baseline.filters.get("q") or None,
    }
    top = store.memory.thread_feed(limit=1, **filters).items
    if not top or (top[0].id == baseline.after and top[0].updated_at == baseline.after_at):
        return News(baseline.count, False, baseline)
    feed = store.memory.thread_feed(limit=NEWS_LIMIT, **filters)
    fresh = [t for t in feed.items if baseline.since is None or t.created_at > baseline.since]
    more = len(fresh) == len(feed.items) and feed.next_cursor is not None
    moved = replace(baseline, after=top[0].id, after_at=top[0].updated_at, count=len(fresh))
    if len(fresh) != baseline.count:
        moved = replace(moved, quiet_since=timezone.now())
    return News(len(fresh), more, moved)


def start_of_thread(messages: Sequence[Message]) -> News:
    """The region on a thread page showing ``messages`` (newest first): nothing new yet."""
    newest = messages[0] if messages else None
    return News(
        0,
        False,
        Baseline(newest.id if newest else "", newest.created_at if newest else None, timezone.now()),
    )


def start_of_list(threads: Sequence[Thread], filters: dict[str, str]) -> News:
    """The region on the thread list's first page (``threads``, newest-updated first): threads
    created after the newest one shown are new (any thread when none is shown)."""
    top = threads[0] if threads else None
    since = max((t.created_at for t in threads), default=datetime(1970, 1, 1, tzinfo=UTC))
    return News(
        0,
        False,
        Baseline(
            top.id if top else "",
            top.updated_at if top else None,
            timezone.now(),
            since=since,
            filters={k: v for k, v in filters.items() if v},
        ),
    )


def region(news: News, base_url: str) -> dict[str, object]:
    """What the ``thread-news`` partials need."""
    return {
        "news": news,
        "news_poll_url": news.poll_url(base_url),
        "news_show_url": news.show_url(base_url),
        "news_reload_url": f"{base_url}?{urlencode(news.next.filters)}" if news.next.filters else base_url,
        "news_poll_ms": NEWS_POLL_MS,
        "news_hidden_poll_ms": NEWS_HIDDEN_POLL_MS,
        "news_idle_minutes": NEWS_IDLE_SECONDS // 60,
    }
