"""The rest of Mastra's storage API on SQLite, as mixins of the domain classes (kept apart from the
dashboard's additions): ``updateMessages``, ``deleteMessages``, ``listMessagesByResourceId`` and
``listScoresBySpan`` (with the organization / project filters), with ``@mastra/libsql``'s semantics."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..codec import now, to_iso
from ..errors import InvalidRequest
from ..message_edits import apply_update, check_updates
from ..models import Message, MessageList, PerPage, ScoreList
from . import rows
from .base import Context, check_page_number, check_per_page, iso, limit_offset
from .connection import dumps
from .schema import MESSAGES, SCORES, THREADS

#: Ids per statement (SQLite's default limit on bound parameters is far higher; libsql uses 100).
BATCH = 100


class SQLiteMessageEdits:
    _ctx: Context
    _messages: str

    def _messages_by_id(self, conn: sqlite3.Connection, ids: Sequence[str]) -> list[Message]:
        found: list[Message] = []
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start : start + BATCH])
            found += [
                rows.message(r)
                for r in conn.execute(
                    f"SELECT {self._messages} FROM {MESSAGES} WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
            ]
        return found

    def update_messages(self, updates: Sequence[Mapping[str, Any]]) -> list[Message]:
        """Mastra's ``updateMessages``: change stored messages in place (unknown ids are skipped) and
        bump ``updatedAt`` of each thread a message was in or moved to. Returns the updated messages."""
        wanted = check_updates(updates)
        if not wanted:
            return []
        by_id = {u["id"]: u for u in wanted}
        stamp = to_iso(now())
        with self._ctx.pool.write() as conn:
            current = self._messages_by_id(conn, list(by_id))
            touched: set[str] = set()
            updated = []
            for message in current:
                new = apply_update(message, by_id[message.id])
                touched |= {message.thread_id, new.thread_id}
                conn.execute(
                    f'UPDATE {MESSAGES} SET thread_id = ?, content = ?, role = ?, type = ?, "createdAt" = ?, '
                    '"resourceId" = ? WHERE id = ?',
                    (
                        new.thread_id,
                        new.content if isinstance(new.content, str) else dumps(new.content),
                        new.role,
                        new.type,
                        to_iso(new.created_at),
                        new.resource_id,
                        new.id,
                    ),
                )
                updated.append(new)
            conn.executemany(
                f'UPDATE {THREADS} SET "updatedAt" = ? WHERE id = ?',
                [(stamp, t) for t in sorted(touched) if t],
            )
            return self._messages_by_id(conn, [m.id for m in updated])

    def delete_messages(self, message_ids: Sequence[str]) -> None:
        """Mastra's ``deleteMessages``: delete them (unknown ids are ignored) and bump ``updatedAt`` of
        the threads they were in, in one transaction."""
        ids = [i for i in dict.fromkeys(message_ids) if isinstance(i, str) and i]
        if not ids:
            return
        stamp = to_iso(now())
        with self._ctx.pool.write() as conn:
            threads: set[str] = set()
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                marks = ", ".join("?" * len(chunk))
                threads |= {
                    r[0]
                    for r in conn.execute(
                        f"SELECT DISTINCT thread_id FROM {MESSAGES} WHERE id IN ({marks})", chunk
                    )
                }
                conn.execute(f"DELETE FROM {MESSAGES} WHERE id IN ({marks})", chunk)
            conn.executemany(
                f'UPDATE {THREADS} SET "updatedAt" = ? WHERE id = ?',
                [(stamp, t) for t in sorted(threads) if t],
            )

    def list_messages_by_resource_id(
        self,
        resource_id: str,
        *,
        date_from: datetime | str | None = None,
        date_to: datetime | str | None = None,
        start_exclusive: bool = False,
        end_exclusive: bool = False,
        page: int = 0,
        per_page: PerPage = 40,
        direction: str = "ASC",
    ) -> MessageList:
        """Mastra's ``listMessagesByResourceId``: a resource's messages across all its threads, by
        ``createdAt`` (oldest first unless ``direction="DESC"``)."""
        if not isinstance(resource_id, str) or not resource_id.strip():
            raise InvalidRequest("resourceId is required.")
        check_page_number(page)
        check_per_page(per_page)
        dir_ = "DESC" if str(direction).upper() == "DESC" else "ASC"
        where, params = ['"resourceId" = ?'], [resource_id]
        if date_from is not None:
            where.append(f'"createdAt" {">" if start_exclusive else ">="} ?')
            params.append(iso(date_from))
        if date_to is not None:
            where.append(f'"createdAt" {"<" if end_exclusive else "<="} ?')
            params.append(iso(date_to))
        clause = " WHERE " + " AND ".join(where)
        if per_page == 0 and per_page is not False:
            return MessageList(messages=[], total=0, page=page, per_page=per_page, has_more=False)
        with self._ctx.pool.read() as conn:
            total = int(conn.execute(f"SELECT COUNT(*) FROM {MESSAGES}{clause}", params).fetchone()[0])
            limit, offset = limit_offset(page, per_page, total)
            found = [
                rows.message(r)
                for r in conn.execute(
                    f'SELECT {self._messages} FROM {MESSAGES}{clause} ORDER BY "createdAt" {dir_}, id {dir_} '
                    "LIMIT ? OFFSET ?",
                    [*params, limit, offset],
                )
            ]
        has_more = per_page is not False and offset + per_page < total
        return MessageList(messages=found, total=total, page=page, per_page=per_page, has_more=has_more)


class SQLiteScoreSpans:
    _ctx: Context

    #: One page of scores under a WHERE clause; SQLiteScores, which this mixes into, provides it.
    _list: Callable[[list[str], list[Any], int, PerPage], ScoreList]

    def list_scores_by_span(
        self,
        trace_id: str,
        span_id: str,
        *,
        organization_id: str | None = None,
        project_id: str | None = None,
        page: int = 0,
        per_page: PerPage = 100,
    ) -> ScoreList:
        """Mastra's ``listScoresBySpan``: the scores of one trace span, newest first, optionally of
        one organization and project (its ``filters``). A file whose scores table predates those
        columns has no score of any organization."""
        where, params = ['"traceId" = ?', '"spanId" = ?'], [trace_id, span_id]
        for column, value in (("organizationId", organization_id), ("projectId", project_id)):
            if value is None:
                continue
            if not self._ctx.columns.has(SCORES, column):
                where.append("0")
                continue
            where.append(f'"{column}" = ?')
            params.append(value)
        return self._list(where, params, page, per_page)
