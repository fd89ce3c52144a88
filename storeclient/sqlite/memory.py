"""Threads, messages and resources in ``@mastra/libsql``'s tables, with its semantics."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..changes import DEFAULT_SETTLE_SECONDS, check_window_sides
from ..codec import now, to_iso
from ..errors import ConflictError, InvalidRequest, MalformedRecordError, NotFoundError
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
    content_hash,
)
from ..prefix import Prefix
from ..semantics import check_page, check_thread_ids
from . import rows
from .base import (
    Context,
    check_metadata_values,
    check_page_number,
    check_per_page,
    iso,
    like_pattern,
    limit_offset,
    order,
)
from .changes import SQLiteChanges
from .connection import dumps, json_extract_sql
from .keyset import Keyset, prefix_page, prefix_where
from .schema import MESSAGES, RESOURCES, THREADS
from .storage_api import SQLiteMessageEdits

_THREAD_FEED = Keyset("threads", ("updatedAt", "id"))
_MESSAGE_FEED = Keyset("messages", ("createdAt", "id"))
_RESOURCE_FEED = Keyset("resources", ("updatedAt", "id"))
# Prefix filters read index ranges of the prefixed column (``storeclient.prefix``).
_THREADS_BY_RESOURCE_PREFIX = Keyset("threads.resource-prefix", ("resourceId", "updatedAt", "id"))
_THREADS_BY_ID_PREFIX = Keyset("threads.id-prefix", ("id",))
_RESOURCES_BY_ID_PREFIX = Keyset("resources.id-prefix", ("id",))

#: ``updatedAt`` after a conditional save: now, or 1 ms past the old value if the clock has not
#: moved on, so a version never repeats.
_NEXT_STAMP = (
    'CASE WHEN :now > "updatedAt" THEN :now '
    "ELSE strftime('%Y-%m-%dT%H:%M:%fZ', \"updatedAt\", '+0.001 seconds') END"
)

#: The stored ``updatedAt`` equals the expected one (also when another writer stored it in a
#: non-canonical ISO form, e.g. without milliseconds).
_SAME_STAMP = '("updatedAt" = :expected_at OR strftime(\'%Y-%m-%dT%H:%M:%fZ\', "updatedAt") = :expected_at)'


def _json_or_raw(value: Any) -> str | None:
    """A metadata value for a JSON column: JSON text; a raw (malformed legacy) string as is."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return dumps(value)


def _content_text(content: Any) -> str:
    # Mastra: typeof content === 'object' ? JSON.stringify(content) : content
    return content if isinstance(content, str) else dumps(content)


class SQLiteMemory(SQLiteMessageEdits):
    def __init__(self, ctx: Context, *, settle_seconds: float = DEFAULT_SETTLE_SECONDS) -> None:
        self._ctx = ctx
        self._changes = SQLiteChanges(ctx, settle_seconds=settle_seconds)
        self._pool = ctx.pool
        self._threads = ctx.columns.select(THREADS)
        self._messages = ctx.columns.select(MESSAGES)
        self._resources = ctx.columns.select(RESOURCES)

    # --- threads ----------------------------------------------------------------------------

    def _get_thread(self, conn: sqlite3.Connection, thread_id: str) -> Thread | None:
        row = conn.execute(f"SELECT {self._threads} FROM {THREADS} WHERE id = ?", (thread_id,)).fetchone()
        return rows.thread(row) if row else None

    def get_thread_by_id(self, thread_id: str, *, resource_id: str | None = None) -> Thread | None:
        sql = f"SELECT {self._threads} FROM {THREADS} WHERE id = ?"
        params: list[Any] = [thread_id]
        if resource_id is not None:
            sql += ' AND "resourceId" = ?'
            params.append(resource_id)
        with self._pool.connection() as conn:
            row = conn.execute(sql, params).fetchone()
        return rows.thread(row) if row else None

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
        wanted = check_metadata_values(metadata)
        field, dir_ = order(order_by, direction, "DESC")
        where: list[str] = []
        params: list[Any] = []
        if resource_id:
            where.append('"resourceId" = ?')
            params.append(resource_id)
        for key, value in wanted.items():
            expr = json_extract_sql('"metadata"', f"$.{key}")
            if value is None:
                where.append(f"{expr} IS NULL")
            else:
                where.append(f"{expr} = ?")
                params.append((1 if value else 0) if isinstance(value, bool) else value)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._pool.read() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM {THREADS}{clause}", params).fetchone()[0]
            if total == 0:
                return ThreadList(threads=[], total=0, page=page, per_page=per_page, has_more=False)
            limit, offset = limit_offset(page, per_page, total)
            found = conn.execute(
                f'SELECT {self._threads} FROM {THREADS}{clause} ORDER BY "{field}" {dir_}, id {dir_} '
                "LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        has_more = False if per_page is False else offset + per_page < total
        return ThreadList(
            threads=[rows.thread(r) for r in found],
            total=total,
            page=page,
            per_page=per_page,
            has_more=has_more,
        )

    def save_thread(self, thread: Thread) -> Thread:
        return self.save_threads([thread])[0]

    def save_threads(self, threads: Sequence[Thread]) -> list[Thread]:
        """``save_thread`` for each (an upsert: a later one with the same id wins), in one
        transaction with one ``executemany``."""
        rows = [
            (
                thread.id,
                thread.resource_id,
                thread.title,
                _json_or_raw(thread.metadata),
                to_iso(thread.created_at),
                to_iso(thread.updated_at),
            )
            for thread in threads
        ]
        with self._pool.write() as conn:
            conn.executemany(
                f'INSERT OR REPLACE INTO {THREADS} (id, "resourceId", title, metadata, "createdAt", "updatedAt") '
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        return list(threads)

    def update_thread(
        self, thread_id: str, *, title: str | None = None, metadata: Mapping[str, Any] | None = None
    ) -> Thread:
        with self._pool.write() as conn:
            current = self._get_thread(conn, thread_id)
            if current is None:
                raise NotFoundError(
                    f"Thread {thread_id} not found; nothing was updated.", kind="thread", record_id=thread_id
                )
            sets = ["title = COALESCE(?, title)", '"updatedAt" = ?']
            params: list[Any] = [title, to_iso(now())]
            if metadata is not None:
                # Shallow merge, as Mastra; metadata that is not a JSON object (a malformed legacy
                # string) cannot be merged into and is replaced.
                old = current.metadata if isinstance(current.metadata, dict) else {}
                sets.append("metadata = ?")
                params.append(dumps({**old, **metadata}))
            conn.execute(f"UPDATE {THREADS} SET {', '.join(sets)} WHERE id = ?", [*params, thread_id])
            updated = self._get_thread(conn, thread_id)
        assert updated is not None
        return updated

    def delete_thread(self, thread_id: str) -> None:
        with self._pool.write() as conn:
            conn.execute(f"DELETE FROM {MESSAGES} WHERE thread_id = ?", (thread_id,))
            conn.execute(f"DELETE FROM {THREADS} WHERE id = ?", (thread_id,))

    # --- messages ---------------------------------------------------------------------------

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
        metadata: Mapping[str, Any] | None = None,
    ) -> MessageList:
        """Mastra's ``listMessages`` (see the interface). ``metadata`` is Mastra's
        ``filter.metadata``: strict equality on top-level keys of the message's ``content.metadata``.
        Messages have no ``updatedAt``; ordering by it is oldest first whatever the direction, as
        Mastra's sort (a tie for every pair) leaves the rows it read by ``createdAt``."""
        thread_ids = check_thread_ids(thread_id)
        check_page_number(page)
        check_per_page(per_page)
        wanted = check_metadata_values(metadata)
        field, dir_ = order(order_by, direction, "ASC")
        if field == "updatedAt":
            dir_ = "ASC"
        include = [i for i in (include or []) if i.get("id")]

        where = [f"thread_id IN ({', '.join('?' * len(thread_ids))})"]
        params: list[Any] = list(thread_ids)
        if resource_id:
            where.append('"resourceId" = ?')
            params.append(resource_id)
        if date_from is not None:
            where.append(f'"createdAt" {">" if start_exclusive else ">="} ?')
            params.append(iso(date_from))
        if date_to is not None:
            where.append(f'"createdAt" {"<" if end_exclusive else "<="} ?')
            params.append(iso(date_to))
        for key, value in wanted.items():
            where.append(_message_metadata_condition(key, value, params))
        clause = " WHERE " + " AND ".join(where)

        def result(messages: list[Message], total: int, has_more: bool) -> MessageList:
            return MessageList(
                messages=messages, total=total, page=page, per_page=per_page, has_more=has_more
            )

        with self._pool.read() as conn:
            if per_page == 0 and per_page is not False:
                if not include:
                    return result([], 0, False)
                extra = self._included(conn, include, resource_id)
                return result(_sort(extra, dir_), 0, False)
            total = conn.execute(f"SELECT COUNT(*) FROM {MESSAGES}{clause}", params).fetchone()[0]
            limit, offset = limit_offset(page, per_page, total)
            found = [
                rows.message(r)
                for r in conn.execute(
                    f'SELECT {self._messages} FROM {MESSAGES}{clause} ORDER BY "createdAt" {dir_}, id {dir_} '
                    "LIMIT ? OFFSET ?",
                    [*params, limit, offset],
                )
            ]
            if total == 0 and not found and not include:
                return result([], 0, False)
            page_count = len(found)
            if include:
                seen = {m.id for m in found}
                for m in self._included(conn, include, resource_id):
                    if m.id not in seen:
                        found.append(m)
                        seen.add(m.id)
        messages = _sort(found, dir_)
        if wanted:
            has_more = per_page is not False and offset + page_count < total
        else:
            in_threads = {m.id for m in messages if m.thread_id in set(thread_ids)}
            has_more = per_page is not False and len(in_threads) < total and offset + per_page < total
        return result(messages, total, has_more)

    def _included(
        self, conn: sqlite3.Connection, include: Sequence[Mapping[str, Any]], resource_id: str | None
    ) -> list[Message]:
        """``include``: each target message plus ``withPreviousMessages`` before it and
        ``withNextMessages`` after it in its own thread (found by id, whatever ``threadId`` says),
        by the same queries ``@mastra/libsql`` runs."""
        ids = [str(i["id"]) for i in include]
        res_cond = ' AND "resourceId" = ?' if resource_id else ""
        res_args = [resource_id] if resource_id else []
        targets = {
            r["id"]: (r["thread_id"], r["createdAt"])
            for r in conn.execute(
                f'SELECT id, thread_id, "createdAt" FROM {MESSAGES} WHERE id IN ({", ".join("?" * len(ids))}){res_cond}',
                [*ids, *res_args],
            )
        }
        parts: list[str] = []
        params: list[Any] = []
        for item in include:
            target = targets.get(str(item["id"]))
            if target is None:
                continue
            before = _count(item.get("withPreviousMessages"))
            after = _count(item.get("withNextMessages"))
            parts.append(
                f"SELECT * FROM (SELECT {self._messages} FROM {MESSAGES} "
                f'WHERE thread_id = ? AND "createdAt" <= ?{res_cond} ORDER BY "createdAt" DESC, id DESC LIMIT ?)'
            )
            params.extend([target[0], target[1], *res_args, before + 1])
            if after > 0:
                parts.append(
                    f"SELECT * FROM (SELECT {self._messages} FROM {MESSAGES} "
                    f'WHERE thread_id = ? AND "createdAt" > ?{res_cond} ORDER BY "createdAt" ASC, id ASC LIMIT ?)'
                )
                params.extend([target[0], target[1], *res_args, after])
        if not parts:
            return []
        sql = parts[0] if len(parts) == 1 else " UNION ALL ".join(parts) + ' ORDER BY "createdAt" ASC, id ASC'
        out: list[Message] = []
        seen: set[str] = set()
        for r in conn.execute(sql, params):
            if r["id"] not in seen:
                seen.add(r["id"])
                out.append(rows.message(r))
        return out

    def list_messages_by_id(self, message_ids: Sequence[str]) -> list[Message]:
        ids = list(dict.fromkeys(message_ids))
        found: list[Message] = []
        with self._pool.read() as conn:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                found.extend(
                    rows.message(r)
                    for r in conn.execute(
                        f"SELECT {self._messages} FROM {MESSAGES} WHERE id IN ({', '.join('?' * len(chunk))})",
                        chunk,
                    )
                )
        return sorted(found, key=lambda m: (m.created_at, m.id))

    def save_messages(self, messages: Sequence[Message]) -> list[Message]:
        """Upsert (``createdAt`` of an existing message is kept, as Mastra), all in one transaction, then
        bump ``updatedAt`` of every thread in the batch (Mastra's libsql store bumps only the first
        message's thread; the interface and the Convex store bump each)."""
        if not messages:
            return []
        for m in messages:
            if not m.thread_id:
                raise InvalidRequest(f"Thread ID is required (message {m.id}); nothing was saved.")
            if not m.resource_id:
                raise InvalidRequest(f"Resource ID is required (message {m.id}); nothing was saved.")
        payload = [
            (
                m.id,
                m.thread_id,
                _content_text(m.content),
                m.role,
                m.type or "v2",
                to_iso(m.created_at),
                m.resource_id,
            )
            for m in messages
        ]
        stamp = to_iso(now())
        with self._pool.write() as conn:
            conn.executemany(
                f'INSERT INTO {MESSAGES} (id, thread_id, content, role, type, "createdAt", "resourceId") '
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET thread_id = excluded.thread_id, "
                'content = excluded.content, role = excluded.role, type = excluded.type, "resourceId" = excluded."resourceId"',
                payload,
            )
            conn.executemany(
                f'UPDATE {THREADS} SET "updatedAt" = ? WHERE id = ?',
                [(stamp, tid) for tid in dict.fromkeys(m.thread_id for m in messages)],
            )
        return list(messages)

    # --- resources --------------------------------------------------------------------------

    def _get_resource(self, conn: sqlite3.Connection, resource_id: str) -> Resource | None:
        row = conn.execute(
            f"SELECT {self._resources} FROM {RESOURCES} WHERE id = ?", (resource_id,)
        ).fetchone()
        return rows.resource(row) if row else None

    def get_resource_by_id(self, resource_id: str) -> Resource | None:
        with self._pool.connection() as conn:
            return self._get_resource(conn, resource_id)

    def save_resource(self, resource: Resource) -> Resource:
        with self._pool.write() as conn:
            conn.execute(
                f'INSERT OR REPLACE INTO {RESOURCES} (id, "workingMemory", metadata, "createdAt", "updatedAt") '
                "VALUES (?, ?, ?, ?, ?)",
                (
                    resource.id,
                    resource.working_memory,
                    _json_or_raw(resource.metadata),
                    to_iso(resource.created_at),
                    to_iso(resource.updated_at),
                ),
            )
        return resource

    def update_resource(
        self,
        resource_id: str,
        *,
        working_memory: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Resource:
        stamp = to_iso(now())
        with self._pool.write() as conn:
            current = self._get_resource(conn, resource_id)
            if current is None:
                conn.execute(
                    f'INSERT INTO {RESOURCES} (id, "workingMemory", metadata, "createdAt", "updatedAt") '
                    "VALUES (?, ?, ?, ?, ?)",
                    (resource_id, working_memory, dumps(dict(metadata or {})), stamp, stamp),
                )
            else:
                sets = ['"updatedAt" = ?']
                params: list[Any] = [stamp]
                if working_memory is not None:
                    sets.append('"workingMemory" = ?')
                    params.append(working_memory)
                if metadata is not None:
                    old = current.metadata if isinstance(current.metadata, dict) else {}
                    sets.append("metadata = ?")
                    params.append(dumps({**old, **metadata}))
                conn.execute(f"UPDATE {RESOURCES} SET {', '.join(sets)} WHERE id = ?", [*params, resource_id])
            updated = self._get_resource(conn, resource_id)
        assert updated is not None
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
        """Threads by ``updatedAt`` then ``id``, newest first. The title search is a ``LIKE`` over
        every thread (case-insensitive for ASCII letters only, as SQLite's ``LIKE``). With an id or
        resource prefix, the index ranges of that column, grouped by it (``storeclient.prefix``)."""
        id_match = Prefix.of(id_prefix, what="thread id prefix")
        resource_match = Prefix.of(resource_prefix, what="resource id prefix")
        where: list[str] = []
        params: list[Any] = []
        if resource_id:
            where.append('"resourceId" = ?')
            params.append(resource_id)
        if title_contains:
            where.append("title LIKE ? ESCAPE '\\'")
            params.append(like_pattern(title_contains))
        if id_match is not None and resource_match is not None:
            sql, args = prefix_where("resourceId", resource_match)
            where.append(sql)
            params.extend(args)
        ranged = id_match or resource_match
        with self._pool.connection() as conn:
            if ranged is None:
                found, next_cursor = _THREAD_FEED.page(
                    conn,
                    select=self._threads,
                    table=THREADS,
                    where=where,
                    params=params,
                    cursor=cursor,
                    limit=limit,
                )
            else:
                found, next_cursor = prefix_page(
                    conn,
                    _THREADS_BY_ID_PREFIX if id_match is not None else _THREADS_BY_RESOURCE_PREFIX,
                    select=self._threads,
                    table=THREADS,
                    where=where,
                    params=params,
                    prefix=ranged,
                    cursor=cursor,
                    limit=limit,
                )
        return Feed(items=[rows.thread(r) for r in found], next_cursor=next_cursor)

    def message_feed(self, thread_id: str, *, cursor: str | None = None, limit: int = 40) -> Feed[Message]:
        with self._pool.connection() as conn:
            found, next_cursor = _MESSAGE_FEED.page(
                conn,
                select=self._messages,
                table=MESSAGES,
                where=["thread_id = ?"],
                params=[thread_id],
                cursor=cursor,
                limit=limit,
            )
        return Feed(items=[rows.message(r) for r in found], next_cursor=next_cursor)

    def message_window(
        self, thread_id: str, message_id: str, *, before: int = 20, after: int = 20
    ) -> MessageWindow:
        """Keyset on both sides of the message's ``(createdAt, id)``, the order of ``message_feed``;
        ``older_cursor`` is that feed's own cursor at the oldest message shown."""
        check_window_sides(before, after)
        with self._pool.read() as conn:
            target = conn.execute(
                f"SELECT {self._messages} FROM {MESSAGES} WHERE id = ? AND thread_id = ?",
                (message_id, thread_id),
            ).fetchone()
            if target is None:
                return MessageWindow(items=[], found=False)
            key = [target["createdAt"], target["id"]]
            sides = []
            for older, count in ((True, before), (False, after)):
                cond, params = _MESSAGE_FEED.after_sql(key, older=older)
                direction = "DESC" if older else "ASC"
                sides.append(
                    conn.execute(
                        f"SELECT {self._messages} FROM {MESSAGES} WHERE thread_id = ? AND {cond} "
                        f'ORDER BY "createdAt" {direction}, id {direction} LIMIT ?',
                        [thread_id, *params, count + 1],
                    ).fetchall()
                )
        older_rows, newer_rows = sides
        shown_older = older_rows[:before]
        oldest = shown_older[-1] if shown_older else target
        return MessageWindow(
            items=[rows.message(r) for r in [*reversed(newer_rows[:after]), target, *shown_older]],
            found=True,
            older_cursor=_MESSAGE_FEED.encode(oldest) if len(older_rows) > before else None,
            newer=len(newer_rows) > after,
        )

    def resource_feed(
        self, *, cursor: str | None = None, limit: int = 25, id_prefix: str | None = None
    ) -> Feed[Resource]:
        prefix = Prefix.of(id_prefix, what="resource id prefix")
        with self._pool.connection() as conn:
            if prefix is None:
                found, next_cursor = _RESOURCE_FEED.page(
                    conn,
                    select=self._resources,
                    table=RESOURCES,
                    where=[],
                    params=[],
                    cursor=cursor,
                    limit=limit,
                )
            else:
                found, next_cursor = prefix_page(
                    conn,
                    _RESOURCES_BY_ID_PREFIX,
                    select=self._resources,
                    table=RESOURCES,
                    where=[],
                    params=[],
                    prefix=prefix,
                    cursor=cursor,
                    limit=limit,
                )
        return Feed(items=[rows.resource(r) for r in found], next_cursor=next_cursor)

    # --- change feeds (see ``storeclient.sqlite.changes``) ------------------------------------

    def message_changes(self, cursor: str | None = None, *, limit: int = 500) -> ChangePage[Message]:
        return self._changes.message_changes(cursor, limit)

    def thread_changes(self, cursor: str | None = None, *, limit: int = 200) -> ChangePage[Thread]:
        return self._changes.thread_changes(cursor, limit)

    def resource_changes(self, cursor: str | None = None, *, limit: int = 200) -> ChangePage[Resource]:
        return self._changes.resource_changes(cursor, limit)

    def existing_thread_ids(self, thread_ids: Sequence[str]) -> set[str]:
        return self._changes.existing_thread_ids(thread_ids)

    def save_resource_working_memory(
        self, resource_id: str, working_memory: str, *, expected: MemoryVersion | None
    ) -> Resource:
        """Compare-and-set in ONE statement, so it is atomic across threads and processes: SQLite
        takes the write lock before the statement reads the row, and the version check (``updatedAt``
        plus the SHA-256 of the stored text, computed in SQL by ``dashboard_content_hash``) and the
        write happen under it::

            UPDATE mastra_resources SET "workingMemory" = :wm, "updatedAt" = <next stamp>
            WHERE id = :id AND "updatedAt" = :expected_updated_at
              AND dashboard_content_hash("workingMemory") = :expected_hash
            RETURNING ...

        With ``expected=None`` it is one upsert that only fills an absent or empty working memory.
        """
        if not isinstance(working_memory, str):
            raise InvalidRequest("Working memory must be text.")
        stamp = to_iso(now())
        ret = f"RETURNING {self._resources}"
        with self._pool.connection() as conn:
            if expected is None:
                row = conn.execute(
                    f'INSERT INTO {RESOURCES} AS r (id, "workingMemory", metadata, "createdAt", "updatedAt") '
                    "VALUES (:id, :wm, '{}', :now, :now) ON CONFLICT(id) DO UPDATE SET "
                    '"workingMemory" = excluded."workingMemory", '
                    '"updatedAt" = CASE WHEN :now > r."updatedAt" THEN :now '
                    "ELSE strftime('%Y-%m-%dT%H:%M:%fZ', r.\"updatedAt\", '+0.001 seconds') END "
                    f"WHERE COALESCE(r.\"workingMemory\", '') = '' {ret}",
                    {"id": resource_id, "wm": working_memory, "now": stamp},
                ).fetchall()
            else:
                row = conn.execute(
                    f'UPDATE {RESOURCES} SET "workingMemory" = :wm, "updatedAt" = {_NEXT_STAMP} '
                    f"WHERE id = :id AND {_SAME_STAMP} "
                    f'AND dashboard_content_hash("workingMemory") = :expected_hash {ret}',
                    {
                        "id": resource_id,
                        "wm": working_memory,
                        "now": stamp,
                        "expected_at": expected.updated_at,
                        "expected_hash": expected.content_hash,
                    },
                ).fetchall()
            if row:
                return rows.resource(row[0])
            current = self._get_resource(conn, resource_id)
        raise ConflictError(
            f"The working memory of resource {resource_id} changed since you loaded it; nothing was saved."
            if current is not None
            else f"Resource {resource_id} no longer exists; nothing was saved.",
            current=current,
        )

    def save_thread_working_memory(
        self, thread_id: str, working_memory: str, *, expected: MemoryVersion | None
    ) -> Thread:
        """The same compare-and-set for ``metadata.workingMemory``, in one ``UPDATE``: the registered
        SQL functions read the stored metadata (JSONB or text), hash its ``workingMemory`` and write
        the merged metadata back as JSON text, keeping every other key."""
        if not isinstance(working_memory, str):
            raise InvalidRequest("Working memory must be text.")
        params: dict[str, Any] = {
            "id": thread_id,
            "wm": working_memory,
            "now": to_iso(now()),
            "empty_hash": content_hash(None),
        }
        if expected is None:
            check = "dashboard_wm_hash(metadata) = :empty_hash"
        else:
            check = f"{_SAME_STAMP} AND dashboard_wm_hash(metadata) = :expected_hash"
            params.update(expected_at=expected.updated_at, expected_hash=expected.content_hash)
        with self._pool.connection() as conn:
            row = conn.execute(
                f"UPDATE {THREADS} SET metadata = dashboard_set_working_memory(metadata, :wm), "
                f'"updatedAt" = {_NEXT_STAMP} '
                f"WHERE id = :id AND dashboard_metadata_is_object(metadata) AND {check} "
                f"RETURNING {self._threads}",
                params,
            ).fetchall()
            if row:
                return rows.thread(row[0])
            current = self._get_thread(conn, thread_id)
        if current is None:
            raise NotFoundError(
                f"Thread {thread_id} not found; nothing was saved.", kind="thread", record_id=thread_id
            )
        # The version is checked first, as in the Convex module: a stale editor hears "conflict".
        version_matches = (
            not current.working_memory if expected is None else current.memory_version == expected
        )
        if version_matches and not isinstance(current.metadata, dict):
            raise MalformedRecordError.metadata_not_an_object("thread", thread_id)
        raise ConflictError(
            f"The working memory of thread {thread_id} changed since you loaded it; nothing was saved.",
            current=current,
        )


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def _sort(messages: list[Message], direction: str) -> list[Message]:
    # Stable, like the JS sort Mastra runs after MessageList: equal timestamps keep their order.
    return sorted(messages, key=lambda m: m.created_at, reverse=direction == "DESC")


def _message_metadata_condition(key: str, value: Any, params: list[Any]) -> str:
    """``@mastra/libsql``'s ``addSqliteMetadataFilter`` for one key (``content`` is JSON text)."""
    path = f"$.metadata.{key}"
    guard = "typeof(content) = 'text' AND json_valid(content)"
    exists = f"(CASE WHEN {guard} THEN json_type(content, ?) IS NOT NULL ELSE 0 END)"
    params.append(path)
    if value is None:
        params.append(path)
        return f"{exists} AND (CASE WHEN {guard} THEN json_type(content, ?) = 'null' ELSE 0 END)"
    if isinstance(value, bool):
        params.extend([path, "true" if value else "false", path, 1 if value else 0])
        return f"{exists} AND (CASE WHEN {guard} THEN json_type(content, ?) = ? AND json_extract(content, ?) = ? ELSE 0 END)"
    if isinstance(value, str):
        params.extend([path, path, value])
        return f"{exists} AND (CASE WHEN {guard} THEN json_type(content, ?) = 'text' AND json_extract(content, ?) = ? ELSE 0 END)"
    params.extend([path, path, value])
    return (
        f"{exists} AND (CASE WHEN {guard} THEN json_type(content, ?) IN ('integer', 'real') "
        "AND json_extract(content, ?) = ? ELSE 0 END)"
    )
