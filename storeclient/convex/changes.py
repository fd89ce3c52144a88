"""The change feeds on Convex: through the dashboard module when it is deployed, else the best
bounded approximation Mastra's standard handler allows.

**With the module** (``mastra/dashboard:messageChanges`` and friends) every feed is exact and
O(page): messages in insertion order over ``by_creation_time``, threads and resources over
``by_updated``, all up to a settled time (``storeclient.changes``). Messages settle for at most
``MESSAGE_SETTLE_SECONDS``: Convex stamps ``_creationTime`` while a mutation runs and commits it
when it ends, and a mutation runs for about a second at most, so a short wait is enough there.

**Without it**, the handler cannot read ``by_creation_time`` or any index in order from a
position: ``queryTable`` returns the *oldest* 10,000 rows of a table, or of one thread. So:

* ``thread_changes`` / ``resource_changes`` read every row (up to that cap) and keep those after
  the cursor: exact below 10,000 rows, ``limited`` above;
* ``message_changes`` follows ``thread_changes``: for each thread whose ``updatedAt`` moved
  (every message save bumps it), every message of that thread, again. Nothing is missed that
  bumped its thread, but messages come again and each poll reads the whole thread table, so pages
  are ``limited`` and say so.

A cursor names the path that made it. When the module appears or goes away between polls, a
message cursor of the other path starts that feed again from the first message (with a note);
thread and resource cursors carry over, since both paths order them by ``updatedAt``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..changes import (
    change_cursor_feed,
    check_changes_limit,
    check_existence_ids,
    check_settle,
    decode_change_cursor,
    encode_change_cursor,
    foreign_cursor,
    settled_before,
)
from ..codec import sortable_iso, to_iso
from ..errors import InvalidRequest, LimitError
from ..models import ChangePage, Message, Resource, Score, Thread
from ..records import message_from_record, resource_from_record, score_from_record, thread_from_record
from .handler import MESSAGES, RESOURCES, SCORES, THREADS, StorageHandler
from .module import DashboardModule, ModuleUnavailable

MESSAGE_SETTLE_SECONDS = 2.0
#: Threads whose messages one handler-path poll reads (one ``queryTable`` each).
HANDLER_THREADS_PER_POLL = 50

MODULE_MESSAGES = "convex.message_changes"
HANDLER_MESSAGES = "convex-handler.message_changes"
MODULE_THREADS = "convex.thread_changes"
HANDLER_THREADS = "convex-handler.thread_changes"
MODULE_RESOURCES = "convex.resource_changes"
MODULE_SCORES = "convex.score_changes"
HANDLER_SCORES = "convex-handler.score_changes"

HANDLER_SCORES_NOTE = (
    "Mastra's standard Convex handler cannot list scores in write order, so this feed reads the oldest "
    "10,000 scores by createdAt and misses newer and back-dated ones. Deploy the dashboard's Convex module "
    "(convex/mastra/dashboard.ts) for an exact feed."
)
HANDLER_RESOURCES = "convex-handler.resource_changes"

_BROKEN = "That change-feed cursor is not valid; start that feed again from None."

HANDLER_MESSAGES_NOTE = (
    "Mastra's standard Convex handler cannot list messages in write order, so this feed brings every "
    "message of each thread whose updatedAt moved (messages come again) and reads every thread on each "
    "poll (at most the oldest 10,000). Deploy the dashboard's Convex module (convex/mastra/dashboard.ts) "
    "for an exact feed."
)
CAPPED_NOTE = (
    "Mastra's standard Convex handler returns at most the oldest 10,000 rows, so changes to newer rows "
    "are missing. Deploy the dashboard's Convex module (convex/mastra/dashboard.ts) to see them all."
)
RESTARTED_NOTE = (
    "The dashboard's Convex module was deployed or removed since the last poll, so this feed started "
    "again from the first message; messages already seen come again."
)


def _position(feed: str, cursor: str | None, size: int) -> list[Any]:
    position = decode_change_cursor(feed, cursor, size=size)
    if position is None:
        raise InvalidRequest(_BROKEN)
    return position


def _float_or_none(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequest(_BROKEN)
    return float(value)


class ConvexChanges:
    def __init__(self, handler: StorageHandler, module: DashboardModule, *, settle_seconds: float) -> None:
        self._h = handler
        self._m = module
        self.settle_seconds = check_settle(settle_seconds)

    def _module(self) -> bool:
        return self._m.available()

    # --- messages -------------------------------------------------------------------------------

    def message_changes(self, cursor: str | None, limit: int) -> ChangePage[Message]:
        check_changes_limit(limit)
        feed = change_cursor_feed(cursor)
        if feed not in (None, MODULE_MESSAGES, HANDLER_MESSAGES):
            raise foreign_cursor()
        if self._module():
            start = None
            if feed == MODULE_MESSAGES:
                start = _float_or_none(_position(MODULE_MESSAGES, cursor, 1)[0])
            try:
                page = self._module_messages(start, limit)
            except ModuleUnavailable:
                pass
            else:
                return _with_note(page, RESTARTED_NOTE) if feed == HANDLER_MESSAGES else page
        position = _position(HANDLER_MESSAGES, cursor, 4) if feed == HANDLER_MESSAGES else None
        page = self._handler_messages(position, limit)
        return _with_note(page, f"{RESTARTED_NOTE} {page.note}") if feed == MODULE_MESSAGES else page

    def _module_messages(self, after: float | None, limit: int) -> ChangePage[Message]:
        settle = min(self.settle_seconds, MESSAGE_SETTLE_SECONDS)
        reply = self._m.query(
            "messageChanges", {"afterTime": after, "numItems": limit, "settleMs": int(settle * 1000)}
        )
        items = [message_from_record(doc) for doc in reply.get("page") or [] if isinstance(doc, dict)]
        last = reply.get("last")
        return ChangePage(
            items=items,
            cursor=encode_change_cursor(MODULE_MESSAGES, [last if isinstance(last, int | float) else after]),
            has_more=bool(reply.get("hasMore")),
        )

    def _handler_messages(self, position: list[Any] | None, limit: int) -> ChangePage[Message]:
        """Every message of each changed thread, thread by thread in ``updatedAt`` order. The
        cursor is the last thread done (``updatedAt``, id), plus the thread in progress and how many
        of its messages were handed out (its offset only counts while it is still the next one)."""
        done: tuple[str, str] = ("", "")
        current, offset = "", 0
        if position is not None:
            updated_at, thread_id, current, offset = position
            if not all(isinstance(v, str) for v in (updated_at, thread_id, current)) or not (
                isinstance(offset, int) and not isinstance(offset, bool) and offset >= 0
            ):
                raise InvalidRequest(_BROKEN)
            done = (updated_at, thread_id)
        threads, capped = self._changed_thread_rows(done)
        items: list[Message] = []
        too_large: list[str] = []
        has_more = False
        for read, (key, thread_id) in enumerate(threads):
            if read == HANDLER_THREADS_PER_POLL or len(items) == limit:
                has_more = True
                break
            try:
                rows, _ = self._h.query(MESSAGES, {"thread_id": thread_id})
            except LimitError:
                # Too large for the handler to read at all: skip it rather than stall the feed.
                too_large.append(thread_id)
                rows = []
            rows.sort(key=lambda r: (sortable_iso(r.get("createdAt")), str(r.get("id"))))
            # The offset holds only while the thread in progress is still the next one: if it
            # changed meanwhile it has moved further on, and is read again from its start.
            start = offset if read == 0 and thread_id == current else 0
            taken = rows[start : start + limit - len(items)]
            items.extend(message_from_record(r) for r in taken)
            if start + len(taken) < len(rows):
                current, offset, has_more = thread_id, start + len(taken), True
                break
            done, current, offset = (key, thread_id), "", 0
        return ChangePage(
            items=items,
            cursor=encode_change_cursor(HANDLER_MESSAGES, [*done, current, offset]),
            has_more=has_more,
            limited=True,
            note=" ".join(
                [
                    HANDLER_MESSAGES_NOTE,
                    *([CAPPED_NOTE] if capped else []),
                    *(
                        [f"Skipped threads too large for the handler to read: {', '.join(too_large)}."]
                        if too_large
                        else []
                    ),
                ]
            ),
        )

    def _changed_thread_rows(self, after: tuple[str, str]) -> tuple[list[tuple[str, str]], bool]:
        """``(updatedAt, id)`` of the threads after ``after`` up to the settled time, in order."""
        rows, capped = self._h.query(THREADS)
        bound = to_iso(settled_before(self.settle_seconds))
        keys = sorted((sortable_iso(r.get("updatedAt")), str(r.get("id"))) for r in rows)
        return [k for k in keys if after < k and k[0] <= bound], capped

    # --- scores ---------------------------------------------------------------------------------

    def score_changes(self, cursor: str | None, limit: int) -> ChangePage[Score]:
        """Scores in insertion order through the module (exact: Mastra never patches a score);
        without it, the oldest 10,000 by ``(createdAt, id)`` after the cursor, ``limited``."""
        check_changes_limit(limit)
        feed = change_cursor_feed(cursor)
        if feed not in (None, MODULE_SCORES, HANDLER_SCORES):
            raise foreign_cursor()
        if self._module():
            start = None
            if feed == MODULE_SCORES:
                start = _float_or_none(_position(MODULE_SCORES, cursor, 1)[0])
            try:
                settle = min(self.settle_seconds, MESSAGE_SETTLE_SECONDS)
                reply = self._m.query(
                    "scoreChanges", {"afterTime": start, "numItems": limit, "settleMs": int(settle * 1000)}
                )
            except ModuleUnavailable:
                pass
            else:
                last = reply.get("last")
                page = ChangePage(
                    items=[score_from_record(d) for d in reply.get("page") or [] if isinstance(d, dict)],
                    cursor=encode_change_cursor(
                        MODULE_SCORES, [last if isinstance(last, int | float) else start]
                    ),
                    has_more=bool(reply.get("hasMore")),
                )
                return _with_note(page, RESTARTED_NOTE) if feed == HANDLER_SCORES else page
        after: tuple[str, str] = ("", "")
        if feed == HANDLER_SCORES:
            created_at, score_id = _position(HANDLER_SCORES, cursor, 2)
            if not isinstance(created_at, str) or not isinstance(score_id, str):
                raise InvalidRequest(_BROKEN)
            after = (created_at, score_id)
        rows, _ = self._h.query(SCORES)
        keyed = sorted(
            ((sortable_iso(r.get("createdAt")), str(r.get("id"))), r) for r in rows if isinstance(r, dict)
        )
        ready = [(k, r) for k, r in keyed if after < k]
        taken = ready[:limit]
        return ChangePage(
            items=[score_from_record(r) for _, r in taken],
            cursor=encode_change_cursor(HANDLER_SCORES, list(taken[-1][0] if taken else after)),
            has_more=len(ready) > limit,
            limited=True,
            note=HANDLER_SCORES_NOTE,
        )

    # --- threads and resources ------------------------------------------------------------------

    def thread_changes(self, cursor: str | None, limit: int) -> ChangePage[Thread]:
        return self._updated(
            cursor, limit, THREADS, "threadChanges", MODULE_THREADS, HANDLER_THREADS, thread_from_record
        )

    def resource_changes(self, cursor: str | None, limit: int) -> ChangePage[Resource]:
        return self._updated(
            cursor,
            limit,
            RESOURCES,
            "resourceChanges",
            MODULE_RESOURCES,
            HANDLER_RESOURCES,
            resource_from_record,
        )

    def _updated[T](
        self,
        cursor: str | None,
        limit: int,
        table: str,
        function: str,
        module_feed: str,
        handler_feed: str,
        decode: Callable[[Any], T],
    ) -> ChangePage[T]:
        check_changes_limit(limit)
        feed = change_cursor_feed(cursor)
        if feed not in (None, module_feed, handler_feed):
            raise foreign_cursor()
        # Both paths keep (updatedAt, tie-break); the tie-break differs, so crossing over re-reads
        # the rows of that one updatedAt (harmless: callers are idempotent per updatedAt).
        updated_at: str | None = None
        tie: Any = None
        if feed is not None:
            updated_at, tie = _position(feed, cursor, 2)
            if not isinstance(updated_at, str):
                raise InvalidRequest(_BROKEN)
        if self._module():
            after = None
            if updated_at is not None:
                creation = _float_or_none(tie) if feed == module_feed else None
                after = {"updatedAt": updated_at, "creationTime": -1.0 if creation is None else creation}
            try:
                reply = self._m.query(
                    function,
                    {"after": after, "numItems": limit, "settleMs": int(self.settle_seconds * 1000)},
                )
            except ModuleUnavailable:
                pass
            else:
                last = reply.get("last")
                position = (
                    [last.get("updatedAt"), last.get("creationTime")]
                    if isinstance(last, dict)
                    else [updated_at or "", -1.0]
                )
                return ChangePage(
                    items=[decode(d) for d in reply.get("page") or [] if isinstance(d, dict)],
                    cursor=encode_change_cursor(module_feed, position),
                    has_more=bool(reply.get("hasMore")),
                )
        after_key = (updated_at or "", tie if feed == handler_feed and isinstance(tie, str) else "")
        rows, capped = self._h.query(table)
        bound = to_iso(settled_before(self.settle_seconds))
        keyed = sorted(
            ((sortable_iso(r.get("updatedAt")), str(r.get("id"))), r) for r in rows if isinstance(r, dict)
        )
        ready = [(k, r) for k, r in keyed if after_key < k and k[0] <= bound]
        page = ready[:limit]
        next_key = page[-1][0] if page else after_key
        return ChangePage(
            items=[decode(r) for _, r in page],
            cursor=encode_change_cursor(handler_feed, list(next_key)),
            has_more=len(ready) > limit,
            limited=capped,
            note=CAPPED_NOTE if capped else None,
        )

    # --- existence ------------------------------------------------------------------------------

    def existing_thread_ids(self, thread_ids: Sequence[str]) -> set[str]:
        ids = check_existence_ids(thread_ids)
        if not ids:
            return set()
        if self._module():
            try:
                reply = self._m.query("existingThreadIds", {"ids": ids})
            except ModuleUnavailable:
                pass
            else:
                return {str(i) for i in reply.get("ids") or []}
        return {str(r.get("id")) for r in self._h.load_many(THREADS, ids)}


def _with_note[T](page: ChangePage[T], note: str) -> ChangePage[T]:
    return ChangePage(
        items=page.items, cursor=page.cursor, has_more=page.has_more, limited=page.limited, note=note
    )
