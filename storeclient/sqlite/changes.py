"""The change feeds on a ``mastra.db``: messages in write order, threads and resources by ``updatedAt``.

**Messages follow ``rowid``, not ``(createdAt, id)``.** ``createdAt`` is the caller's: Mastra keeps
a message's own date, so an import or a back-dated save lands *behind* a ``(createdAt, id)``
cursor and would never be seen. ``mastra_messages`` is a rowid table (its primary key is TEXT), and
a new row gets ``max(rowid) + 1``. Both writers keep a row's rowid when they re-save it: Mastra's
``saveMessages`` and ours use ``INSERT ... ON CONFLICT(id) DO UPDATE`` (an ``INSERT OR REPLACE``
would delete and re-insert, moving the row to the end) and ``updateMessages`` is an ``UPDATE``.
SQLite serialises writers, so rowid order is commit order: a poll never sees rowid ``n + 1``
before ``n``. Walking the table's own b-tree by rowid costs O(page) with no index at all.

Two things renumber rowids, and the cursor (rowid, id and ``createdAt`` of the last message
handed out) notices both:

* ``VACUUM`` (or a dump and restore) may renumber a table without an ``INTEGER PRIMARY KEY``; the
  last message is then found again by its id, lower down, and the feed continues after it.
* Deleting the newest rows (a thread deleted right after its last message was read) lets later
  inserts reuse their rowids, *below* the cursor. When the cursor's message is gone, the feed
  rewinds past the rows written around or after it (by ``createdAt``, at most ``MAX_REWIND`` rows)
  and hands them out again: in this one case a message may come twice, never zero times.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ..changes import (
    check_changes_limit,
    check_existence_ids,
    check_settle,
    decode_change_cursor,
    encode_change_cursor,
    settled_before,
)
from ..codec import parse_datetime, to_iso
from ..errors import InvalidRequest
from ..models import ChangePage, Message, Resource, Score, Thread
from . import rows
from .base import Context
from .schema import MESSAGES, RESOURCES, SCORES, THREADS

MESSAGE_FEED = "sqlite.message_changes"
#: Scores follow ``rowid`` like messages: Mastra inserts each score once (``saveScore``), and a
#: re-save with the same id (ours) deletes and inserts, so the score comes again at the end.
SCORE_FEED = "sqlite.score_changes"
THREAD_FEED = "sqlite.thread_changes"
RESOURCE_FEED = "sqlite.resource_changes"

#: How far before the vanished cursor message's ``createdAt`` a rewind goes (writers' clocks and
#: batches), and at most how many rows it walks back.
REWIND = timedelta(minutes=5)
MAX_REWIND = 1_000


def _rowid_position(feed: str, cursor: str | None) -> tuple[int, str, str] | None:
    position = decode_change_cursor(feed, cursor, size=3)
    if position is None:
        return None
    rowid, message_id, created_at = position
    if isinstance(rowid, bool) or not isinstance(rowid, int) or rowid < 0:
        raise InvalidRequest("That change-feed cursor is not valid; start that feed again from None.")
    if not isinstance(message_id, str) or not isinstance(created_at, str):
        raise InvalidRequest("That change-feed cursor is not valid; start that feed again from None.")
    return rowid, message_id, created_at


def _updated_position(feed: str, cursor: str | None) -> tuple[str, str] | None:
    position = decode_change_cursor(feed, cursor, size=2)
    if position is None:
        return None
    updated_at, record_id = position
    if not isinstance(updated_at, str) or not isinstance(record_id, str):
        raise InvalidRequest("That change-feed cursor is not valid; start that feed again from None.")
    return updated_at, record_id


def _text(value: Any) -> str:
    """A cell for a cursor: TEXT affinity stores numbers as text, but a hostile row may hold a BLOB."""
    return value if isinstance(value, str) else ""


class SQLiteChanges:
    """The feeds themselves; ``SQLiteMemory`` exposes them under the interface's names."""

    def __init__(self, ctx: Context, *, settle_seconds: float) -> None:
        self._pool = ctx.pool
        self._messages = ctx.columns.select(MESSAGES)
        self._scores = ctx.columns.select(SCORES)
        self._threads = ctx.columns.select(THREADS)
        self._resources = ctx.columns.select(RESOURCES)
        self.settle_seconds = check_settle(settle_seconds)

    # --- messages -------------------------------------------------------------------------------

    def message_changes(self, cursor: str | None, limit: int) -> ChangePage[Message]:
        found, next_cursor, more = self._by_rowid(MESSAGE_FEED, MESSAGES, self._messages, cursor, limit)
        return ChangePage(items=[rows.message(r) for r in found], cursor=next_cursor, has_more=more)

    def score_changes(self, cursor: str | None, limit: int) -> ChangePage[Score]:
        found, next_cursor, more = self._by_rowid(SCORE_FEED, SCORES, self._scores, cursor, limit)
        return ChangePage(items=[rows.score(r) for r in found], cursor=next_cursor, has_more=more)

    def _by_rowid(
        self, feed: str, table: str, select: str, cursor: str | None, limit: int
    ) -> tuple[list[sqlite3.Row], str, bool]:
        check_changes_limit(limit)
        position = _rowid_position(feed, cursor)
        with self._pool.read() as conn:
            start = self._resume_after(conn, table, position)
            found = conn.execute(
                f'SELECT rowid AS "_rowid", {select} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?',
                (start, limit + 1),
            ).fetchall()
            more = len(found) > limit
            found = found[:limit]
            if found:
                last = found[-1]
                next_position: Sequence[Any] = (last["_rowid"], _text(last["id"]), _text(last["createdAt"]))
            else:
                next_position = self._position_at(conn, table, start, position)
        return found, encode_change_cursor(feed, next_position), more

    def _resume_after(
        self, conn: sqlite3.Connection, table: str, position: tuple[int, str, str] | None
    ) -> int:
        """The rowid to continue after (see the module docstring for the two repairs)."""
        if position is None or position[0] == 0:
            return 0
        rowid, message_id, created_at = position
        at = conn.execute(f"SELECT id FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
        if at is not None and at["id"] == message_id:
            return rowid
        moved = conn.execute(f"SELECT rowid FROM {table} WHERE id = ?", (message_id,)).fetchone()
        if moved is not None and int(moved[0]) < rowid:
            # Renumbered (a rebuild only ever moves rows down, keeping their order).
            return int(moved[0])
        # Gone, or deleted and saved again further up: either way the newest rows were deleted
        # at some point, and their rowids may have gone to rows this cursor has not seen.
        floor = to_iso(parse_datetime(created_at) - REWIND)
        walked = conn.execute(
            f'SELECT rowid, "createdAt" FROM {table} WHERE rowid <= ? ORDER BY rowid DESC LIMIT ?',
            (rowid, MAX_REWIND),
        ).fetchall()
        for row in walked:
            if isinstance(row["createdAt"], str) and row["createdAt"] < floor:
                return int(row[0])
        return int(walked[-1][0]) - 1 if len(walked) == MAX_REWIND else 0

    def _position_at(
        self, conn: sqlite3.Connection, table: str, rowid: int, old: tuple[int, str, str] | None
    ) -> Sequence[Any]:
        """The cursor for "nothing after ``rowid``": the row there, so the next poll can check it."""
        if rowid == 0:
            return (0, "", "")
        if old is not None and old[0] == rowid:
            return old
        row = conn.execute(f'SELECT id, "createdAt" FROM {table} WHERE rowid = ?', (rowid,)).fetchone()
        return (rowid, _text(row["id"]), _text(row["createdAt"])) if row is not None else (0, "", "")

    # --- threads and resources ------------------------------------------------------------------

    def thread_changes(self, cursor: str | None, limit: int) -> ChangePage[Thread]:
        found, next_cursor, more = self._by_updated(THREAD_FEED, THREADS, self._threads, cursor, limit)
        return ChangePage(items=[rows.thread(r) for r in found], cursor=next_cursor, has_more=more)

    def resource_changes(self, cursor: str | None, limit: int) -> ChangePage[Resource]:
        found, next_cursor, more = self._by_updated(RESOURCE_FEED, RESOURCES, self._resources, cursor, limit)
        return ChangePage(items=[rows.resource(r) for r in found], cursor=next_cursor, has_more=more)

    def _by_updated(
        self, feed: str, table: str, select: str, cursor: str | None, limit: int
    ) -> tuple[list[sqlite3.Row], str, bool]:
        """Keyset on ``(updatedAt, id)`` ascending, up to the settled time (``storeclient.changes``);
        the ``dashboard_idx_*_updated`` indexes make it a range scan."""
        check_changes_limit(limit)
        position = _updated_position(feed, cursor)
        where = ['"updatedAt" <= ?']
        params: list[Any] = [to_iso(settled_before(self.settle_seconds))]
        if position is not None:
            where.append('"updatedAt" >= ? AND ("updatedAt" > ? OR ("updatedAt" = ? AND id > ?))')
            params.extend([position[0], position[0], position[0], position[1]])
        with self._pool.read() as conn:
            found = conn.execute(
                f'SELECT {select} FROM {table} WHERE {" AND ".join(where)} ORDER BY "updatedAt", id LIMIT ?',
                [*params, limit + 1],
            ).fetchall()
        more = len(found) > limit
        found = found[:limit]
        if found:
            # Always text: TEXT affinity turns numbers into text and a BLOB never passes the bound.
            next_position: Sequence[Any] = (_text(found[-1]["updatedAt"]), _text(found[-1]["id"]))
        else:
            next_position = position or ("", "")
        return found, encode_change_cursor(feed, next_position), more

    # --- existence ------------------------------------------------------------------------------

    def existing_thread_ids(self, thread_ids: Sequence[str]) -> set[str]:
        ids = check_existence_ids(thread_ids)
        present: set[str] = set()
        with self._pool.read() as conn:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                present.update(
                    r[0]
                    for r in conn.execute(
                        f"SELECT id FROM {THREADS} WHERE id IN ({', '.join('?' * len(chunk))})", chunk
                    )
                )
        return present
