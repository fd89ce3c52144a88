"""The incremental indexer: the Mastra store's change feeds into the dashboard's own index.

One poll, under a lease (one worker at a time, across processes and hosts):

1. ``thread_changes``: thread titles, resources and agents; a thread seen before whose ``updatedAt``
   moved is queued for reconciliation (an edit or a deleted message changes nothing else a feed sees);
2. ``resource_changes``: working memory;
3. ``message_changes``: every message, in write order;
4. reconciliation, bounded per poll: a queued thread's newest messages are read again and re-indexed
   where their content hash changed (and, when that read covers the whole thread, messages gone
   from it are dropped);
5. a sweep, bounded and only every ``SWEEP_EVERY`` seconds: which indexed threads still exist
   (``existing_thread_ids``); the deleted ones leave the index.

Each page is written in one transaction together with its feed's cursor, and that transaction
commits only while this worker still holds the lease (a fenced update of the state row): a worker
that dies or stalls resumes exactly after its last committed page, with no gap and no duplicate, and
a worker whose lease was taken over cannot overwrite its successor's progress. Writes are upserts
keyed on the store's ids and skipped when the content hash is unchanged, so a page read twice
changes nothing. The Mastra store is only read.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from storeclient.errors import StoreError
from storeclient.interface import Store
from storeclient.models import Message, Resource, Thread

from . import tool_days
from .documents import agent_of, message_document, storable, working_memory_text
from .models import (
    MAX_ID_CHARS,
    IndexedMessage,
    IndexedResource,
    IndexedThread,
    IndexerState,
    ToolCall,
)

logger = logging.getLogger(__name__)

STATE_NAME = "main"
#: A worker renews its lease before every page; one that has not for this long is presumed gone.
LEASE = timedelta(seconds=30)
MESSAGE_PAGE = 500
THREAD_PAGE = 200
RESOURCE_PAGE = 200
#: Threads re-read per poll, and how many of each thread's newest messages: an edit further back
#: than that is picked up by `manage.py index --rebuild`.
RECONCILE_THREADS_PER_POLL = 20
RECONCILE_MESSAGES = 200
#: The deletion sweep: threads checked per call (the store's limit) and calls per sweep, at most
#: every SWEEP_EVERY seconds (an idle poll otherwise reads O(1) records).
SWEEP_BATCH = 1_000
SWEEP_CALLS = 5
SWEEP_EVERY = 10.0


class ExtraFeed(Protocol):
    """A feed another app indexes under the same lease and poll (``dashboard.aggregates``)."""

    def page(self, indexer: Indexer) -> bool:
        """Read and write one page (in a transaction that calls ``indexer.fence()``); True while
        more is ready."""
        ...

    def reset(self) -> None:
        """Forget everything (inside the index's reset transaction)."""
        ...


#: Registered by their apps' ``ready()``; drained after the message feed, reset with the index.
EXTRA_FEEDS: list[ExtraFeed] = []


class LeaseLost(Exception):
    """Another worker took the lease over while this one was writing: its page is rolled back."""


@dataclass(frozen=True)
class PollResult:
    #: False when another worker holds the lease (this one did nothing).
    worked: bool
    #: Messages written (new or changed) by this poll.
    messages: int = 0
    #: Every feed was drained: the index held everything the store had when the poll started.
    drained: bool = False
    error: str = ""


@dataclass(frozen=True)
class IndexStatus:
    messages_indexed: int
    records_skipped: int
    last_poll_at: datetime | None
    synced_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    worker_running: bool
    #: What the store's feeds miss ("" when they are exact).
    feed_note: str = ""

    @property
    def failing(self) -> bool:
        """The last error came after the last time the index caught up."""
        return self.last_error_at is not None and (
            self.synced_at is None or self.last_error_at > self.synced_at
        )

    @property
    def seconds_behind(self) -> float | None:
        """How long ago the index last held everything in the store (``None``: never built)."""
        if self.synced_at is None:
            return None
        return max(0.0, (timezone.now() - self.synced_at).total_seconds())


def status() -> IndexStatus:
    state = IndexerState.objects.filter(name=STATE_NAME).first()
    if state is None:
        return IndexStatus(0, 0, None, None, "", None, worker_running=False)
    return IndexStatus(
        messages_indexed=state.messages_indexed,
        records_skipped=state.records_skipped,
        last_poll_at=state.last_poll_at,
        synced_at=state.synced_at,
        last_error=state.last_error,
        last_error_at=state.last_error_at,
        worker_running=bool(
            state.lease_holder and state.lease_expires_at and state.lease_expires_at > timezone.now()
        ),
        feed_note=state.feed_note,
    )


def store_identity(store: Store) -> str:
    """Which store a cursor belongs to (never a secret: a URL or a path)."""
    return str(getattr(store, "deployment_url", "") or getattr(store, "path", "") or type(store).__name__)


class Indexer:
    def __init__(self, store: Store, *, holder: str | None = None) -> None:
        self.store = store
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._last_sweep = 0.0
        #: Messages written by the poll under way.
        self._written = 0

    # --- the lease --------------------------------------------------------------------------------

    def acquire(self) -> bool:
        """Take or renew the lease; False while another worker's lease runs."""
        IndexerState.objects.get_or_create(name=STATE_NAME)
        now = timezone.now()
        taken = (
            IndexerState.objects.filter(name=STATE_NAME)
            .filter(
                Q(lease_holder=self.holder) | Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
            )
            .update(lease_holder=self.holder, lease_expires_at=now + LEASE)
        )
        return taken == 1

    def release(self) -> None:
        IndexerState.objects.filter(name=STATE_NAME, lease_holder=self.holder).update(
            lease_holder="", lease_expires_at=None
        )

    def _commit_state(self, **fields: Any) -> None:
        """Write state fields inside the page's transaction, only while the lease is ours."""
        fields.setdefault("lease_expires_at", timezone.now() + LEASE)
        if not IndexerState.objects.filter(name=STATE_NAME, lease_holder=self.holder).update(**fields):
            raise LeaseLost

    def fence(self) -> None:
        """For an extra feed's page transaction: commits only while this worker holds the lease."""
        self._commit_state()

    def _state(self) -> IndexerState:
        return IndexerState.objects.get(name=STATE_NAME)

    # --- polling ----------------------------------------------------------------------------------

    def poll(self, *, budget: float | None = None, sweep: bool | None = None) -> PollResult:
        """One round over every feed, until each is drained or ``budget`` seconds are spent."""
        if not self.acquire():
            return PollResult(worked=False)
        started_at = timezone.now()
        deadline = None if budget is None else time.monotonic() + budget
        self._written = 0
        try:
            self._check_store()
            drained = self._drain(self._thread_page, deadline)
            drained = self._drain(self._resource_page, deadline) and drained
            drained = self._drain(self._message_page, deadline) and drained
            for feed in EXTRA_FEEDS:
                drained = self._drain(partial(feed.page, self), deadline) and drained
            self._written += self._reconcile(deadline)
            due = time.monotonic() - self._last_sweep >= SWEEP_EVERY
            if sweep or (sweep is None and due):
                self._sweep()
                self._last_sweep = time.monotonic()
        except LeaseLost:
            logger.warning("Indexer %s lost its lease; another worker carries on.", self.holder)
            return PollResult(worked=False, messages=self._written)
        except StoreError as exc:
            message = f"{type(exc).__name__}: {exc}"
            logger.warning("Indexer: the store failed: %s", message)
            IndexerState.objects.filter(name=STATE_NAME).update(
                last_error=message[:2_000], last_error_at=timezone.now(), last_poll_at=timezone.now()
            )
            return PollResult(worked=True, messages=self._written, error=message)
        fields: dict[str, Any] = {"last_poll_at": timezone.now()}
        if drained:
            fields["synced_at"] = started_at
        with transaction.atomic():
            self._commit_state(**fields)
        return PollResult(worked=True, messages=self._written, drained=drained)

    def follow(self, interval: float, stop: threading.Event | None = None) -> None:
        """Poll until ``stop`` is set: again at once while a feed has more, else after ``interval``."""
        stop = stop or threading.Event()
        try:
            while not stop.is_set():
                try:
                    result = self.poll()
                except Exception:  # the worker outlives a bad record or a database hiccup
                    logger.exception("Indexer poll failed")
                    result = PollResult(worked=True)
                stop.wait(0 if result.worked and result.messages and not result.drained else interval)
        finally:
            self.release()

    def catch_up(self, budget: float) -> PollResult:
        """Index for up to ``budget`` seconds when no worker runs (a search's first step)."""
        result = self.poll(budget=budget, sweep=False)
        if result.worked:
            self.release()
        return result

    def rebuild(self) -> PollResult:
        """Empty the index and its cursors, then build it again from the first record."""
        if not self.acquire():
            return PollResult(worked=False)
        self._reset()
        result = PollResult(worked=True)
        total = 0
        while True:
            result = self.poll(sweep=False)
            total += result.messages
            if not result.worked or result.error or result.drained:
                break
        return PollResult(result.worked, total, result.drained, result.error)

    # --- one feed at a time -------------------------------------------------------------------------

    def _pages(self, deadline: float | None) -> Iterable[int]:
        page = 0
        while deadline is None or time.monotonic() < deadline or page == 0:
            yield page
            page += 1

    def _drain(self, read_page: Callable[[], bool], deadline: float | None) -> bool:
        """Read pages until the feed has no more (True) or the deadline passes (False)."""
        return any(not read_page() for _ in self._pages(deadline))

    def _check_store(self) -> None:
        identity = store_identity(self.store)
        state = self._state()
        if state.store_identity == identity:
            return
        if state.store_identity:
            logger.warning("Indexer: the store changed; rebuilding the index from the first record.")
        self._reset()
        with transaction.atomic():
            self._commit_state(store_identity=identity)

    def _reset(self) -> None:
        with transaction.atomic():
            self._commit_state(
                message_cursor="",
                thread_cursor="",
                resource_cursor="",
                sweep_after=0,
                messages_indexed=0,
                records_skipped=0,
                synced_at=None,
            )
            ToolCall.objects.all().delete()
            tool_days.clear()
            IndexedMessage.objects.all().delete()
            IndexedThread.objects.all().delete()
            IndexedResource.objects.all().delete()
            for feed in EXTRA_FEEDS:
                feed.reset()

    def _thread_page(self) -> bool:
        state = self._state()
        page = self.store.memory.thread_changes(state.thread_cursor or None, limit=THREAD_PAGE)
        with transaction.atomic():
            skipped = self._write_threads(page.items)
            self._commit_state(thread_cursor=page.cursor, records_skipped=state.records_skipped + skipped)
        return page.has_more

    def _resource_page(self) -> bool:
        state = self._state()
        page = self.store.memory.resource_changes(state.resource_cursor or None, limit=RESOURCE_PAGE)
        with transaction.atomic():
            skipped = self._write_resources(page.items)
            self._commit_state(resource_cursor=page.cursor, records_skipped=state.records_skipped + skipped)
        return page.has_more

    def _message_page(self) -> bool:
        state = self._state()
        page = self.store.memory.message_changes(state.message_cursor or None, limit=MESSAGE_PAGE)
        threads = self._threads_of(page.items)
        with transaction.atomic():
            written, added, skipped = self._write_messages(page.items, threads)
            self._commit_state(
                message_cursor=page.cursor,
                messages_indexed=state.messages_indexed + added,
                records_skipped=state.records_skipped + skipped,
                feed_note=(page.note or "The store can only approximate its change feed.")
                if page.limited
                else "",
            )
        self._written += written
        return page.has_more

    # --- writing ------------------------------------------------------------------------------------

    def _write_threads(self, threads: Sequence[Thread]) -> int:
        valid = [t for t in threads if _valid_id(t.id)]
        known = {t.thread_id: t for t in IndexedThread.objects.filter(thread_id__in=[t.id for t in valid])}
        adapt = connection.ops.adapt_datetimefield_value
        new: dict[str, tuple[Any, ...]] = {}
        for thread in valid:
            row = known.get(thread.id)
            agent, title, resource = (
                storable(agent_of(thread)),
                storable(thread.title or ""),
                thread.resource_id,
            )
            resource = resource if _valid_id(resource or "") else ""
            if row is None:
                new[thread.id] = (
                    thread.id,
                    thread.id.lower(),
                    resource or "",
                    (resource or "").lower(),
                    title,
                    agent,
                    adapt(thread.created_at),
                    adapt(thread.updated_at),
                    False,
                )
                continue
            moved = row.updated_at is None or thread.updated_at > row.updated_at
            if not moved and (row.title, row.agent, row.resource_id) == (title, agent, resource or ""):
                continue  # the feed's overlap: seen already
            if (row.agent, row.resource_id) != (agent, resource or ""):
                IndexedMessage.objects.filter(thread_id=thread.id).update(
                    agent=agent, resource_id=resource or "", resource_id_lower=(resource or "").lower()
                )
                tool_days.update_calls(
                    ToolCall.objects.filter(thread_id=thread.id), agent=agent, resource_id=resource or ""
                )
            row.title, row.agent = title, agent
            row.resource_id, row.resource_id_lower = resource or "", (resource or "").lower()
            if moved:
                row.updated_at, row.needs_reconcile = thread.updated_at, True
            row.save()
        _upsert(IndexedThread, THREAD_COLUMNS, list(new.values()))
        return len(threads) - len(valid)

    def _write_resources(self, resources: Sequence[Resource]) -> int:
        valid = [r for r in resources if _valid_id(r.id)]
        adapt = connection.ops.adapt_datetimefield_value
        rows = [
            (r.id, r.id.lower(), storable(working_memory_text(r)), adapt(r.updated_at))
            for r in {r.id: r for r in valid}.values()
        ]
        _upsert(IndexedResource, RESOURCE_COLUMNS, rows, conflict="resource_id")
        return len(resources) - len(valid)

    def _threads_of(self, messages: Sequence[Message]) -> dict[str, IndexedThread]:
        """The index's rows for these messages' threads; one the thread feed has not brought yet
        (written a moment ago) is read from the store now."""
        ids = {m.thread_id for m in messages if _valid_id(m.thread_id)}
        rows = {t.thread_id: t for t in IndexedThread.objects.filter(thread_id__in=ids)}
        missing = ids - rows.keys()
        if missing:
            fetched = []
            for thread_id in sorted(missing):
                thread = self.store.memory.get_thread_by_id(thread_id)
                if thread is not None:
                    fetched.append(thread)
            with transaction.atomic():
                self._write_threads(fetched)
            rows.update({t.thread_id: t for t in IndexedThread.objects.filter(thread_id__in=missing)})
        return rows

    def _write_messages(
        self, messages: Sequence[Message], threads: dict[str, IndexedThread]
    ) -> tuple[int, int, int]:
        """Upsert ``messages`` whose indexed form changed: (written, of which new, skipped)."""
        latest: dict[str, Message] = {}
        skipped = 0
        for message in messages:
            if _valid_id(message.id) and _valid_id(message.thread_id):
                latest[message.id] = message
            else:
                skipped += 1
        existing = dict(
            IndexedMessage.objects.filter(message_id__in=latest.keys()).values_list(
                "message_id", "content_hash"
            )
        )
        adapt = connection.ops.adapt_datetimefield_value
        rows: list[tuple[Any, ...]] = []
        calls: list[tuple[Any, ...]] = []
        written: list[str] = []
        for message in latest.values():
            thread = threads.get(message.thread_id)
            agent = thread.agent if thread else ""
            document = message_document(message, agent=agent)
            if existing.get(message.id) == document.content_hash:
                continue
            resource = message.resource_id if _valid_id(message.resource_id or "") else None
            resource = resource or (thread.resource_id if thread else "")
            created_at = adapt(message.created_at)
            written.append(message.id)
            rows.append(
                (
                    message.id,
                    message.id.lower(),
                    message.thread_id,
                    message.thread_id.lower(),
                    resource,
                    resource.lower(),
                    storable(message.role)[:40],
                    agent,
                    created_at,
                    _spaced(document.kinds),
                    _spaced(document.tool_names),
                    document.has_error,
                    document.body,
                    document.content_hash,
                )
            )
            calls += [
                (
                    message.id,
                    message.thread_id,
                    resource,
                    agent,
                    call.tool_name,
                    call.call_id,
                    call.state,
                    call.is_error,
                    call.error_text,
                    call.args_json,
                    created_at,
                )
                for call in document.tool_calls
            ]
        if not rows:
            return 0, 0, skipped
        _upsert(IndexedMessage, MESSAGE_COLUMNS, rows, conflict="message_id")
        replaced = [message_id for message_id in written if message_id in existing]
        if replaced:
            tool_days.delete_calls(ToolCall.objects.filter(message_id__in=replaced))
        _upsert(ToolCall, TOOL_CALL_COLUMNS, calls)
        if calls:
            tool_days.add_calls(ToolCall.objects.filter(message_id__in=written))
        return len(rows), len(rows) - len(replaced), skipped

    # --- edits and deletions ---------------------------------------------------------------------------

    def _reconcile(self, deadline: float | None) -> int:
        written = 0
        queued = list(
            IndexedThread.objects.filter(needs_reconcile=True).order_by("updated_at")[
                :RECONCILE_THREADS_PER_POLL
            ]
        )
        for thread in queued:
            if deadline is not None and time.monotonic() >= deadline:
                break
            feed = self.store.memory.message_feed(thread.thread_id, limit=RECONCILE_MESSAGES)
            with transaction.atomic():
                count, added, _ = self._write_messages(feed.items, {thread.thread_id: thread})
                removed = 0
                if feed.next_cursor is None:
                    # The whole thread was read: what the index has beyond it was deleted.
                    gone = IndexedMessage.objects.filter(thread_id=thread.thread_id).exclude(
                        message_id__in=[m.id for m in feed.items]
                    )
                    gone_ids = list(gone.values_list("message_id", flat=True))
                    if gone_ids:
                        tool_days.delete_calls(ToolCall.objects.filter(message_id__in=gone_ids))
                        removed = IndexedMessage.objects.filter(message_id__in=gone_ids).delete()[0]
                # Still queued if the thread moved again meanwhile (the feed bumps updated_at).
                IndexedThread.objects.filter(pk=thread.pk, updated_at=thread.updated_at).update(
                    needs_reconcile=False
                )
                state = self._state()
                self._commit_state(messages_indexed=max(0, state.messages_indexed + added - removed))
            written += count
        return written

    def _sweep(self) -> None:
        """Drop indexed threads the store no longer has, a bounded batch at a time."""
        state = self._state()
        after = state.sweep_after
        for _ in range(SWEEP_CALLS):
            batch = list(
                IndexedThread.objects.filter(id__gt=after)
                .order_by("id")
                .values_list("id", "thread_id")[:SWEEP_BATCH]
            )
            if not batch:
                after = 0
                break
            existing = self.store.memory.existing_thread_ids([thread_id for _, thread_id in batch])
            gone = [thread_id for _, thread_id in batch if thread_id not in existing]
            after = batch[-1][0] if len(batch) == SWEEP_BATCH else 0
            with transaction.atomic():
                removed = 0
                if gone:
                    tool_days.delete_calls(ToolCall.objects.filter(thread_id__in=gone))
                    removed = IndexedMessage.objects.filter(thread_id__in=gone).delete()[0]
                    IndexedThread.objects.filter(thread_id__in=gone).delete()
                state = self._state()
                self._commit_state(
                    sweep_after=after, messages_indexed=max(0, state.messages_indexed - removed)
                )
            if after == 0:
                break


#: The columns the indexer writes, in the order of its row tuples (the first is the conflict key).
MESSAGE_COLUMNS = (
    "message_id",
    "message_id_lower",
    "thread_id",
    "thread_id_lower",
    "resource_id",
    "resource_id_lower",
    "role",
    "agent",
    "created_at",
    "kinds",
    "tool_names",
    "has_error",
    "body",
    "content_hash",
)
TOOL_CALL_COLUMNS = (
    "message_id",
    "thread_id",
    "resource_id",
    "agent",
    "tool_name",
    "call_id",
    "state",
    "is_error",
    "error_text",
    "args_json",
    "created_at",
)
THREAD_COLUMNS = (
    "thread_id",
    "thread_id_lower",
    "resource_id",
    "resource_id_lower",
    "title",
    "agent",
    "created_at",
    "updated_at",
    "needs_reconcile",
)
RESOURCE_COLUMNS = ("resource_id", "resource_id_lower", "working_memory", "updated_at")


def _upsert(
    model: type[Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]], *, conflict: str = ""
) -> None:
    """Insert ``rows`` in one ``executemany`` (the ORM's per-field work costs more than the database's
    at 1M messages); with ``conflict``, a row whose key exists replaces the stored one. Both engines
    take ``ON CONFLICT ... DO UPDATE SET col = excluded.col``."""
    if not rows:
        return
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if conflict:
        updates = ", ".join(f"{column} = excluded.{column}" for column in columns if column != conflict)
        sql += f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    with connection.cursor() as db:
        db.executemany(sql, rows)


def _valid_id(value: str) -> bool:
    """An id the index can key on exactly: within the length limit and storable unchanged."""
    return bool(value) and len(value) <= MAX_ID_CHARS and storable(value) == value


def _spaced(words: Sequence[str]) -> str:
    return " " + " ".join(w.replace(" ", "_") for w in words) + " " if words else " "
