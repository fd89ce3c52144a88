"""Threads, messages and resources through Mastra's storage handler (the same requests as
``@mastra/convex``'s TypeScript ``ConvexStore``).

The Mastra API methods always speak the standard handler, as Mastra does. The dashboard additions
(feeds and conflict-safe working-memory saves) go through the dashboard's Convex module when it is
deployed (``module.py``): each call asks once which path serves it and takes only that one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from ..changes import DEFAULT_SETTLE_SECONDS, check_window_sides
from ..codec import now, safely_parse_json, sortable_iso, to_iso, without_none
from ..errors import (
    ConflictError,
    InvalidRequest,
    LimitError,
    MalformedRecordError,
    NotFoundError,
    StorageError,
)
from ..models import (
    ChangePage,
    Feed,
    MemoryVersion,
    Message,
    MessageList,
    MessageWindow,
    PerPage,
    Resource,
    Thread,
    ThreadList,
)
from ..prefix import Prefix
from ..records import (
    message_from_record,
    message_to_row,
    resource_from_record,
    resource_to_record,
    thread_from_record,
    thread_to_record,
)
from ..semantics import (
    check_metadata_filter,
    check_page,
    check_thread_ids,
    date_bound,
    decode_cursor,
    encode_cursor,
    metadata_matches,
    paginate,
)
from .changes import ConvexChanges
from .handler import MESSAGES, RESOURCES, THREADS, StorageHandler
from .module import DashboardModule, HandlerStart, ModuleUnavailable, feed_kind, handler_feed
from .storage_api import ConvexMessageEdits

CAPPED_NOTE = (
    "Mastra's standard Convex handler returns at most the oldest 10,000 rows of a list, so newer rows "
    "are missing here. Deploy the dashboard's Convex module (convex/mastra/dashboard.ts) to see them all."
)


class _Row(NamedTuple):
    """A message row with just what filtering and sorting need; decoded only if it is returned."""

    id: str
    created_at: str  # canonical ISO text: sorts and compares like the instant it names
    resource_id: str | None
    doc: dict[str, Any]

    @staticmethod
    def of(doc: dict[str, Any]) -> _Row:
        return _Row(str(doc["id"]), sortable_iso(doc.get("createdAt")), doc.get("resourceId"), doc)


def _in_order(rows: list[_Row], order_by: str, direction: str) -> list[_Row]:
    """``listMessages``' order. Messages have no ``updatedAt``: Mastra sorts by
    ``new Date(m.updatedAt)``, NaN for every message, so each comparison is a tie and its stable
    sort keeps the read order, oldest first (the ``by_thread_created`` index), whatever the
    direction. Ordering by ``updatedAt`` is therefore oldest first here too."""
    if order_by == "updatedAt":
        return sorted(rows, key=lambda m: m.created_at)
    return sorted(rows, key=lambda m: m.created_at, reverse=direction.upper() == "DESC")


#: A title search reads at most this many threads per module call, and this many for one page.
TITLE_WINDOW = 250
TITLE_SCAN_BUDGET = 2_500


def _title_search_note(scanned: int) -> str:
    return (
        f"The title search looked through {scanned:,} threads, most recently updated first, without "
        "filling this page; load more to keep searching older threads."
    )


def _prefix_search_note(scanned: int) -> str:
    return (
        f"The id search looked through {scanned:,} records without filling this page; load more to "
        "keep searching."
    )


def _version_arg(expected: MemoryVersion | None) -> dict[str, str] | None:
    return (
        None if expected is None else {"updatedAt": expected.updated_at, "contentHash": expected.content_hash}
    )


def _stripped(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class ConvexMemory(ConvexMessageEdits):
    def __init__(
        self,
        handler: StorageHandler,
        module: DashboardModule,
        *,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    ) -> None:
        self._h = handler
        self._m = module
        self._changes = ConvexChanges(handler, module, settle_seconds=settle_seconds)

    # --- threads ----------------------------------------------------------------------------

    def get_thread_by_id(self, thread_id: str, *, resource_id: str | None = None) -> Thread | None:
        row = self._h.load(THREADS, {"id": thread_id})
        if row is None:
            return None
        thread = thread_from_record(row)
        if resource_id is not None and thread.resource_id != resource_id:
            return None
        return thread

    def _all_threads(self, resource_id: str | None) -> tuple[list[Thread], bool]:
        rows, capped = self._h.query(THREADS, {"resourceId": resource_id} if resource_id else None)
        return [thread_from_record(r) for r in rows], capped

    def list_threads(
        self,
        *,
        resource_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        page: int = 0,
        per_page: PerPage = 100,
        order_by: str = "createdAt",
        direction: str = "DESC",
    ) -> ThreadList:
        check_page(page, per_page, what="list_threads")
        check_metadata_filter(metadata)
        rows, capped = self._h.query(THREADS, {"resourceId": resource_id} if resource_id else None)
        if metadata:
            rows = [r for r in rows if metadata_matches(safely_parse_json(r.get("metadata")), metadata)]
        # Sort the raw rows and decode only the page. Python's sort is stable like JS's: ties keep
        # the handler's index order.
        field = "updatedAt" if order_by == "updatedAt" else "createdAt"
        rows.sort(key=lambda r: sortable_iso(r.get(field)), reverse=direction.upper() == "DESC")
        selected, total, has_more = paginate(rows, page, per_page)
        return ThreadList(
            threads=[thread_from_record(r) for r in selected],
            total=total,
            page=page,
            per_page=per_page,
            has_more=has_more,
            capped=capped,
        )

    def save_thread(self, thread: Thread) -> Thread:
        self._h.insert(THREADS, thread_to_record(thread))
        return thread

    def save_threads(self, threads: Sequence[Thread]) -> list[Thread]:
        # save_thread's own write for each: the same semantics, whatever the handler's version.
        return [self.save_thread(thread) for thread in threads]

    def update_thread(
        self, thread_id: str, *, title: str | None = None, metadata: Mapping[str, Any] | None = None
    ) -> Thread:
        current = self.get_thread_by_id(thread_id)
        if current is None:
            raise NotFoundError(
                f"Thread {thread_id} not found; nothing was updated.", kind="thread", record_id=thread_id
            )
        # Handlers before 1.5.3 drop the title field when it is omitted, which breaks the required
        # column: always send one.
        new_title = title if title is not None else current.title
        stamp = to_iso(now())
        if self._h.supports("updateThread"):
            result = self._h.op(
                {
                    "op": "updateThread",
                    "tableName": THREADS,
                    "id": thread_id,
                    "title": new_title,
                    "metadata": dict(metadata or {}),
                    "updatedAt": stamp,
                }
            )
            if not isinstance(result, dict):
                raise NotFoundError(
                    f"Thread {thread_id} not found; nothing was updated.", kind="thread", record_id=thread_id
                )
            return thread_from_record({k: v for k, v in result.items() if not k.startswith("_")})
        merged = {**(current.metadata if isinstance(current.metadata, dict) else {}), **(metadata or {})}
        self._h.insert(THREADS, {"id": thread_id, "title": new_title, "metadata": merged, "updatedAt": stamp})
        updated = self.get_thread_by_id(thread_id)
        assert updated is not None
        return updated

    def delete_thread(self, thread_id: str) -> None:
        # The handler returns at most 10,000 rows per query, so keep going until the thread is empty.
        while True:
            rows, _ = self._h.query(MESSAGES, {"thread_id": thread_id})
            if not rows:
                break
            self._h.delete_many(MESSAGES, [str(r["id"]) for r in rows])
        self._h.delete_many(THREADS, [thread_id])

    # --- messages ---------------------------------------------------------------------------

    def _thread_rows(self, thread_id: str) -> tuple[list[_Row], bool]:
        try:
            rows, capped = self._h.query(MESSAGES, {"thread_id": thread_id})
        except LimitError as exc:
            raise LimitError(
                f"Thread {thread_id} is too large for Mastra's standard Convex handler, which reads all of a "
                "thread's messages in one call: this one goes over Convex's 16 MiB read limit. Deploy the "
                "dashboard's Convex module (copy convex/mastra/dashboard.ts next to convex/mastra/storage.ts "
                f"and run `npx convex deploy`) to page through it. ({exc.message})",
                detail=exc.detail,
            ) from exc
        return [_Row.of(r) for r in rows], capped

    def list_messages(
        self,
        thread_id: str | Sequence[str],
        *,
        resource_id: str | None = None,
        include: Sequence[Mapping[str, Any]] | None = None,
        date_from: datetime | str | None = None,
        date_to: datetime | str | None = None,
        start_exclusive: bool = False,
        end_exclusive: bool = False,
        page: int = 0,
        per_page: PerPage = 40,
        order_by: str = "createdAt",
        direction: str = "ASC",
    ) -> MessageList:
        thread_ids = check_thread_ids(thread_id)
        check_page(page, per_page, what="list_messages")
        # `False == 0` in Python, so "per_page 0" (nothing but includes) must be spelled out.
        zero_page = per_page is not False and per_page == 0
        if zero_page and not include:
            return MessageList(messages=[], total=0, page=page, per_page=per_page, has_more=False)

        loaded: dict[str, list[_Row]] = {}
        capped = False
        for tid in thread_ids:
            loaded[tid], was_capped = self._thread_rows(tid)
            capped = capped or was_capped

        start = date_bound(date_from) if date_from is not None else None
        end = date_bound(date_to) if date_to is not None else None

        def in_range(m: _Row) -> bool:
            if resource_id is not None and m.resource_id != resource_id:
                return False
            if start is not None and (m.created_at <= start if start_exclusive else m.created_at < start):
                return False
            return not (end is not None and (m.created_at >= end if end_exclusive else m.created_at > end))

        primary = _in_order(
            [m for tid in thread_ids for m in loaded[tid] if in_range(m)], order_by, direction
        )
        total = len(primary)

        if zero_page:
            # Mastra's fast path: only the included messages and their context, total 0.
            selected: list[_Row] = []
            total = 0
        else:
            selected, total, has_more = paginate(primary, page, per_page)
        if include:
            extra = self._included(include, loaded, resource_id)
            by_id = {m.id: m for m in selected}
            for m in extra:
                by_id.setdefault(m.id, m)
            selected = _in_order(list(by_id.values()), order_by, direction)
            primary_ids = {m.id for m in primary}
            has_more = (
                not zero_page
                and per_page is not False
                and len({m.id for m in selected} & primary_ids) < total
            )
        elif zero_page:
            has_more = False
        return MessageList(
            messages=[message_from_record(r.doc) for r in selected],
            total=total,
            page=page,
            per_page=per_page,
            has_more=has_more,
            capped=capped,
        )

    def _included(
        self, include: Sequence[Mapping[str, Any]], loaded: dict[str, list[_Row]], resource_id: str | None
    ) -> list[_Row]:
        out: list[_Row] = []
        for item in include:
            target_id = item.get("id")
            if not target_id:
                continue
            target_thread = item.get("threadId")
            if target_thread is not None:
                if target_thread not in loaded:
                    loaded[target_thread], _ = self._thread_rows(target_thread)
                if not any(m.id == target_id for m in loaded[target_thread]):
                    # Mastra (and both TS stores) take the context from the message's own thread, so
                    # an include naming another thread is no reason to drop the message.
                    target_thread = None
            if target_thread is None:
                target_thread = next(
                    (tid for tid, ms in loaded.items() if any(m.id == target_id for m in ms)), None
                )
            if target_thread is None:
                row = self._h.load(MESSAGES, {"id": target_id})
                if row is None:
                    continue
                target_thread = str(row.get("thread_id"))
            if target_thread not in loaded:
                loaded[target_thread], _ = self._thread_rows(target_thread)
            thread_msgs = sorted(loaded[target_thread], key=lambda m: m.created_at)
            if resource_id is not None:
                thread_msgs = [m for m in thread_msgs if m.resource_id == resource_id]
            index = next((i for i, m in enumerate(thread_msgs) if m.id == target_id), None)
            if index is None:
                continue
            before = int(item.get("withPreviousMessages") or 0)
            after = int(item.get("withNextMessages") or 0)
            out.extend(thread_msgs[max(0, index - before) : index + after + 1])
        return out

    def list_messages_by_id(self, message_ids: Sequence[str]) -> list[Message]:
        if not message_ids:
            return []
        rows = self._h.load_many(MESSAGES, list(message_ids))
        return sorted((message_from_record(r) for r in rows), key=lambda m: m.created_at)

    def save_messages(self, messages: Sequence[Message]) -> list[Message]:
        if not messages:
            return []
        for m in messages:
            if not m.thread_id:
                raise InvalidRequest(f"Thread ID is required (message {m.id}); nothing was saved.")
            if not m.resource_id:
                raise InvalidRequest(f"Resource ID is required (message {m.id}); nothing was saved.")
        self._h.batch_insert(MESSAGES, [message_to_row(m) for m in messages])
        stamp = to_iso(now())
        for thread_id in dict.fromkeys(m.thread_id for m in messages):
            self._touch_thread(thread_id, stamp)
        return list(messages)

    def _touch_thread(self, thread_id: str, stamp: str) -> None:
        if self._h.supports("patch"):
            self._h.patch(THREADS, thread_id, {"updatedAt": stamp})
            return
        # Older handlers: insert is a patch-upsert, but only send it when the thread exists, or
        # it would create a thread without its required fields.
        if self._h.load(THREADS, {"id": thread_id}) is not None:
            self._h.insert(THREADS, {"id": thread_id, "updatedAt": stamp})

    # --- resources --------------------------------------------------------------------------

    def get_resource_by_id(self, resource_id: str) -> Resource | None:
        row = self._h.load(RESOURCES, {"id": resource_id})
        return resource_from_record(row) if row is not None else None

    def save_resource(self, resource: Resource) -> Resource:
        self._h.insert(RESOURCES, resource_to_record(resource))
        return resource

    def update_resource(
        self,
        resource_id: str,
        *,
        working_memory: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Resource:
        stamp = to_iso(now())
        if self._h.supports("updateResource"):
            args: dict[str, Any] = {
                "op": "updateResource",
                "tableName": RESOURCES,
                "resourceId": resource_id,
                "createdAt": stamp,
                "updatedAt": stamp,
            }
            if working_memory is not None:
                args["workingMemory"] = working_memory
            if metadata is not None:
                args["metadata"] = dict(metadata)
            result = self._h.op(args)
            if isinstance(result, dict):
                return resource_from_record({k: v for k, v in result.items() if not k.startswith("_")})
        else:
            current = self.get_resource_by_id(resource_id)
            record: dict[str, Any] = {"id": resource_id, "updatedAt": stamp}
            if current is None:
                record["createdAt"] = stamp
                record["metadata"] = dict(metadata or {})
            elif metadata is not None:
                old = current.metadata if isinstance(current.metadata, dict) else {}
                record["metadata"] = {**old, **metadata}
            if working_memory is not None:
                record["workingMemory"] = working_memory
            self._h.insert(RESOURCES, record)
        updated = self.get_resource_by_id(resource_id)
        if updated is None:
            raise StorageError(f"Resource {resource_id} was not saved.")
        return updated

    # --- dashboard additions ------------------------------------------------------------------

    def thread_feed(
        self,
        *,
        resource_id: str | None = None,
        title_contains: str | None = None,
        cursor: str | None = None,
        limit: int = 25,
        resource_prefix: str | None = None,
        id_prefix: str | None = None,
    ) -> Feed[Thread]:
        """With the module: most recently updated first (``by_updated``); one resource's threads
        newest created first (``by_resource`` has no time field); an id or resource prefix through
        the case variants' ranges of ``by_record_id`` / ``by_resource``. A title search scans at
        most ``TITLE_SCAN_BUDGET`` threads per page and says so in ``note`` when it stopped early.
        Without it: every thread (of the resource) through the handler, sorted here."""
        id_match = Prefix.of(id_prefix, what="thread id prefix")
        resource_match = Prefix.of(resource_prefix, what="resource id prefix")
        filters = without_none(
            {
                "resourceId": resource_id or None,
                "titleContains": title_contains or None,
                "resourcePrefix": resource_prefix or None,
                "idPrefix": id_prefix or None,
            }
        )
        windowed = bool(title_contains or id_match or resource_match)
        route = self._m.route_feed(
            "threads",
            filters,
            cursor,
            limit,
            decode=thread_from_record,
            window=TITLE_WINDOW if windowed else None,
            scan_budget=TITLE_SCAN_BUDGET if windowed else None,
            early_note=_title_search_note,
        )
        if isinstance(route, Feed):
            return route
        threads, capped = self._all_threads(resource_id)
        note = CAPPED_NOTE if capped else None
        if title_contains:
            needle = title_contains.casefold()
            threads = [t for t in threads if needle in t.title.casefold()]
            if capped:
                note = (
                    "The title search only looked at the oldest 10,000 threads, all that Mastra's standard "
                    "Convex handler returns. Deploy the dashboard's Convex module to search them all."
                )
        threads = [
            t
            for t in threads
            if (id_match is None or id_match.matches(t.id))
            and (resource_match is None or resource_match.matches(t.resource_id))
        ]
        if id_match is not None:
            threads.sort(key=lambda t: t.id, reverse=True)
        elif resource_match is not None:
            threads.sort(key=lambda t: (t.resource_id, t.updated_at, t.id), reverse=True)
        else:
            threads.sort(key=lambda t: (t.updated_at, t.id), reverse=True)
        return handler_feed(threads, route, limit, capped=capped, note=note)

    def message_feed(self, thread_id: str, *, cursor: str | None = None, limit: int = 40) -> Feed[Message]:
        """Newest first. A cursor from ``message_window`` also carries the place of a message
        (``_MessageAnchor``): the list is then the messages older than it, so it does not move
        when newer messages arrive, on either path."""
        anchor = _MessageAnchor.of_cursor(cursor)
        filters: dict[str, Any] = {"threadId": thread_id}
        if anchor is not None:
            filters["before"] = anchor.module_arg()
        route = self._m.route_feed("messages", filters, cursor, limit, decode=message_from_record)
        if isinstance(route, Feed):
            return _anchored(route, anchor)
        rows, capped = self._thread_rows(thread_id)
        rows.sort(key=lambda m: (m.created_at, m.id), reverse=True)
        note = CAPPED_NOTE if capped else None
        if anchor is not None:
            rows = [m for m in rows if (m.created_at, m.id) < anchor.key]
            # A module cursor that outlived the module lands at the same place: nothing restarted.
            route = HandlerStart(route.offset)
        # Sorted as raw rows; only the page is decoded.
        page = handler_feed(rows, route, limit, capped=capped, note=note)
        return _anchored(
            Feed(
                items=[message_from_record(r.doc) for r in page.items],
                next_cursor=page.next_cursor,
                capped=page.capped,
                note=page.note,
            ),
            anchor,
        )

    def message_window(
        self, thread_id: str, message_id: str, *, before: int = 20, after: int = 20
    ) -> MessageWindow:
        """With the module: ``messageWindow`` reads ``by_thread_created`` on both sides of the
        message, O(before + after). Without it: the whole thread through the handler (as
        ``listMessages`` with ``include`` does), capped at its oldest 10,000 messages."""
        check_window_sides(before, after)
        if self._m.available():
            try:
                reply = self._m.query(
                    "messageWindow",
                    {"threadId": thread_id, "messageId": message_id, "before": before, "after": after},
                )
            except ModuleUnavailable:
                pass
            else:
                return _module_window(reply)
        rows, _ = self._thread_rows(thread_id)
        rows.sort(key=lambda m: (m.created_at, m.id))
        index = next((i for i, m in enumerate(rows) if m.id == message_id), None)
        if index is None:
            return MessageWindow(items=[], found=False)
        low = max(0, index - before)
        shown = rows[low : index + after + 1]
        oldest = rows[low]
        anchor = _MessageAnchor(oldest.doc.get("createdAt"), None, (oldest.created_at, oldest.id))
        return MessageWindow(
            items=[message_from_record(r.doc) for r in reversed(shown)],
            found=True,
            older_cursor=anchor.start_cursor(thread_id, module=False) if low > 0 else None,
            newer=index + after + 1 < len(rows),
        )

    def resource_feed(
        self, *, cursor: str | None = None, limit: int = 25, id_prefix: str | None = None
    ) -> Feed[Resource]:
        prefix = Prefix.of(id_prefix, what="resource id prefix")
        route = self._m.route_feed(
            "resources",
            {"idPrefix": id_prefix} if prefix else {},
            cursor,
            limit,
            decode=resource_from_record,
            window=TITLE_WINDOW if prefix else None,
            scan_budget=TITLE_SCAN_BUDGET if prefix else None,
            early_note=_prefix_search_note,
        )
        if isinstance(route, Feed):
            return route
        rows, capped = self._h.query(RESOURCES)
        found = [resource_from_record(r) for r in rows if prefix is None or prefix.matches(r.get("id"))]
        if prefix is None:
            resources = sorted(found, key=lambda r: (r.updated_at, r.id), reverse=True)
        else:
            resources = sorted(found, key=lambda r: r.id, reverse=True)
        return handler_feed(resources, route, limit, capped=capped, note=CAPPED_NOTE if capped else None)

    # --- change feeds (see ``storeclient.convex.changes``) ------------------------------------

    def message_changes(self, cursor: str | None = None, *, limit: int = 500) -> ChangePage[Message]:
        return self._changes.message_changes(cursor, limit)

    def thread_changes(self, cursor: str | None = None, *, limit: int = 200) -> ChangePage[Thread]:
        return self._changes.thread_changes(cursor, limit)

    def resource_changes(self, cursor: str | None = None, *, limit: int = 200) -> ChangePage[Resource]:
        return self._changes.resource_changes(cursor, limit)

    def existing_thread_ids(self, thread_ids: Sequence[str]) -> set[str]:
        return self._changes.existing_thread_ids(thread_ids)

    def _module_save(
        self,
        function: str,
        target: dict[str, str],
        working_memory: str,
        expected: MemoryVersion | None,
        decode: Callable[[Mapping[str, Any]], Resource | Thread],
        what: str,
    ) -> Resource | Thread | None:
        """An atomic compare-and-set through the dashboard module; ``None`` when it is not deployed."""
        if not self._m.available():
            return None
        try:
            reply = self._m.mutation(
                function, {**target, "workingMemory": working_memory, "expected": _version_arg(expected)}
            )
        except ModuleUnavailable:
            return None
        return _saved(reply, decode, what, expected)

    def save_resource_working_memory(
        self, resource_id: str, working_memory: str, *, expected: MemoryVersion | None
    ) -> Resource:
        saved = self._module_save(
            "saveResourceWorkingMemory",
            {"resourceId": resource_id},
            working_memory,
            expected,
            resource_from_record,
            f"resource {resource_id}",
        )
        if saved is not None:
            assert isinstance(saved, Resource)
            return saved
        # Not atomic: Mastra's handler has no compare-and-set. Re-read right before writing to make
        # the window as small as it can be; StoreHealth.atomic_saves tells the page to say so.
        current = self.get_resource_by_id(resource_id)
        _check_version(
            current, current.working_memory if current else None, expected, f"resource {resource_id}"
        )
        return self.update_resource(resource_id, working_memory=working_memory)

    def save_thread_working_memory(
        self, thread_id: str, working_memory: str, *, expected: MemoryVersion | None
    ) -> Thread:
        try:
            saved = self._module_save(
                "saveThreadWorkingMemory",
                {"threadId": thread_id},
                working_memory,
                expected,
                thread_from_record,
                f"thread {thread_id}",
            )
        except NotFoundError:
            raise
        except StorageError as exc:
            # The module refuses malformed metadata with a plain error text; re-read the thread so
            # the caller gets the same error type as from the other paths, not a string to match.
            refused = self.get_thread_by_id(thread_id)
            if refused is not None and not isinstance(refused.metadata, dict):
                raise MalformedRecordError.metadata_not_an_object("thread", thread_id) from exc
            raise
        if saved is not None:
            assert isinstance(saved, Thread)
            return saved
        current = self.get_thread_by_id(thread_id)
        if current is None:
            raise NotFoundError(
                f"Thread {thread_id} not found; nothing was saved.", kind="thread", record_id=thread_id
            )
        _check_version(current, current.working_memory, expected, f"thread {thread_id}")
        if not isinstance(current.metadata, dict):
            # Merging into it would replace the stored text: refuse, as the module does.
            raise MalformedRecordError.metadata_not_an_object("thread", thread_id)
        return self.update_thread(thread_id, title=current.title, metadata={"workingMemory": working_memory})


@dataclass(frozen=True)
class _MessageAnchor:
    """Where "older than this message" starts, for both paths: the module orders a thread by
    ``(createdAt, _creationTime)``, the handler path by ``(canonical createdAt, id)``."""

    created_at: Any
    #: ``None`` when the anchor came from the handler path (which never sees ``_creationTime``).
    creation_time: float | None
    key: tuple[str, str]

    #: With no ``_creationTime``, the module keeps every message that shares the anchor's
    #: ``createdAt`` (one may show twice) rather than risk dropping one.
    _KEEP_TIES = 1e300

    def module_arg(self) -> dict[str, Any]:
        return {
            "createdAt": self.created_at,
            "creationTime": self._KEEP_TIES if self.creation_time is None else self.creation_time,
        }

    def state(self) -> dict[str, Any]:
        return {"c": self.created_at, "t": self.creation_time, "k": list(self.key)}

    def start_cursor(self, thread_id: str, *, module: bool) -> str:
        if module:
            kind = feed_kind("messages", {"threadId": thread_id, "before": self.module_arg()})
            return encode_cursor({"m": kind, "c": None, "s": 0, "a": self.state()})
        return encode_cursor({"o": 0, "a": self.state()})

    @staticmethod
    def of_cursor(cursor: str | None) -> _MessageAnchor | None:
        raw = decode_cursor(cursor).get("a") if cursor else None
        if raw is None:
            return None
        key = raw.get("k") if isinstance(raw, dict) else None
        creation = raw.get("t") if isinstance(raw, dict) else None
        if (
            not isinstance(key, list)
            or len(key) != 2
            or not all(isinstance(k, str) for k in key)
            or not (
                creation is None or (isinstance(creation, int | float) and not isinstance(creation, bool))
            )
        ):
            raise InvalidRequest("That page link is not valid (bad cursor); start from the first page.")
        assert isinstance(raw, dict)
        return _MessageAnchor(raw.get("c"), None if creation is None else float(creation), (key[0], key[1]))


def _anchored(feed: Feed[Message], anchor: _MessageAnchor | None) -> Feed[Message]:
    """The page with its next cursor still carrying the anchor (every page repeats the range)."""
    if anchor is None or feed.next_cursor is None:
        return feed
    state = {**decode_cursor(feed.next_cursor), "a": anchor.state()}
    return Feed(items=feed.items, next_cursor=encode_cursor(state), capped=feed.capped, note=feed.note)


def _module_window(reply: Mapping[str, Any]) -> MessageWindow:
    target = reply.get("target")
    if not reply.get("found") or not isinstance(target, dict):
        return MessageWindow(items=[], found=False)
    older = [d for d in reply.get("older") or [] if isinstance(d, dict)]
    newer = [d for d in reply.get("newer") or [] if isinstance(d, dict)]
    oldest_doc = older[-1] if older else target
    place = reply.get("oldest")
    creation = place.get("creationTime") if isinstance(place, dict) else None
    anchor = _MessageAnchor(
        oldest_doc.get("createdAt"),
        float(creation) if isinstance(creation, int | float) and not isinstance(creation, bool) else None,
        (sortable_iso(oldest_doc.get("createdAt")), str(oldest_doc.get("id"))),
    )
    return MessageWindow(
        items=[message_from_record(d) for d in [*reversed(newer), target, *older]],
        found=True,
        older_cursor=anchor.start_cursor(str(target.get("thread_id")), module=True)
        if reply.get("olderMore")
        else None,
        newer=bool(reply.get("newerMore")),
    )


def _saved(
    reply: Mapping[str, Any],
    decode: Callable[[Mapping[str, Any]], Resource | Thread],
    what: str,
    expected: MemoryVersion | None,
) -> Resource | Thread:
    """The module's save reply -> the saved record, or the error the interface promises."""
    if reply.get("ok") is True and isinstance(reply.get("doc"), dict):
        return decode(_stripped(reply["doc"]))
    if reply.get("conflict"):
        raw = reply.get("current")
        current = decode(_stripped(raw)) if isinstance(raw, dict) else None
        raise ConflictError(_conflict_message(what, expected), current=current)
    if reply.get("notFound"):
        name = what.split(" ", 1)[-1]
        raise NotFoundError(f"Thread {name} not found; nothing was saved.", kind="thread", record_id=name)
    raise StorageError(
        f"The working memory of {what} was not saved: {reply.get('error') or 'unknown error'}."
    )


def _conflict_message(what: str, expected: MemoryVersion | None) -> str:
    if expected is None:
        return f"The working memory of {what} was set by someone else meanwhile."
    return f"The working memory of {what} changed since you loaded it."


def _check_version(
    current: Resource | Thread | None, stored: str | None, expected: MemoryVersion | None, what: str
) -> None:
    if expected is None:
        if current is not None and stored:
            raise ConflictError(_conflict_message(what, expected), current=current)
        return
    if current is None or current.memory_version != expected:
        raise ConflictError(_conflict_message(what, expected), current=current)
