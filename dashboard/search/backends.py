"""Full-text queries on the index, in SQL for the engine the dashboard's database has.

SQLite: the FTS5 tables of migration 0002, joined to the rows (CROSS JOIN keeps the full-text
scan outermost, so "newest first" walks the FTS index backwards and stops at the page size).
PostgreSQL: the generated ``tsvector`` columns and their GIN indexes.

"Newest first" is the order the index received messages in (row id), which is the store's write
order (the indexer follows the store's change feed); cursors are row ids, so a page link never
drifts as messages arrive. "Most relevant" pages by offset (ranks move as the index grows; the
link is only as stable as the ranking).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.db import connection

from .query import SearchQuery

Order = Literal["newest", "relevance"]


@dataclass(frozen=True)
class MessageFilters:
    #: Case-insensitive prefixes of the ids ("" for any).
    resource: str = ""
    thread: str = ""
    role: str = ""
    kind: str = ""
    tool: str = ""
    errors_only: bool = False
    since: datetime | None = None
    #: Exclusive.
    until: datetime | None = None

    @property
    def only_messages(self) -> bool:
        """Whether a filter applies to messages alone (threads and resources cannot match it)."""
        return bool(self.role or self.kind or self.tool or self.errors_only or self.since or self.until)


@dataclass(frozen=True)
class MessagePage:
    #: Primary keys of ``IndexedMessage`` rows, in the page's order.
    ids: list[int]
    next_cursor: str | None


def search_messages(
    query: SearchQuery, filters: MessageFilters, *, order: Order, cursor: str, limit: int
) -> MessagePage:
    """One page of messages matching ``query`` and ``filters``; ``cursor`` is "" or a page's
    ``next_cursor`` (the form checked it fits ``order``)."""
    postgres = connection.vendor == "postgresql"
    where, params = _filters_sql(filters)
    if postgres:
        source = "search_indexedmessage m"
        match, match_params = "m.body_tsv @@ to_tsquery('simple', %s)", [query.tsquery()]
        rank = "ts_rank(m.body_tsv, to_tsquery('simple', %s))"
        rank_params: list[Any] = [query.tsquery()]
        rowid = "m.id"
    else:
        source = "search_message_fts f CROSS JOIN search_indexedmessage m ON m.id = f.rowid"
        match, match_params = "search_message_fts MATCH %s", [query.fts5()]
        rank, rank_params = "f.rank", []
        rowid = "f.rowid"
    conditions = [match, *where]
    all_params: list[Any] = [*match_params, *params]
    if order == "newest":
        if cursor:
            conditions.append(f"{rowid} < %s")
            all_params.append(int(cursor[1:]))
        sql = f"SELECT m.id FROM {source} WHERE {' AND '.join(conditions)} ORDER BY {rowid} DESC LIMIT %s"
        all_params.append(limit + 1)
    else:
        offset = int(cursor[1:]) if cursor else 0
        direction = "DESC" if postgres else "ASC"  # bm25: lower is better; ts_rank: higher is
        sql = (
            f"SELECT m.id FROM {source} WHERE {' AND '.join(conditions)} "
            f"ORDER BY {rank} {direction}, {rowid} DESC LIMIT %s OFFSET %s"
        )
        all_params += [*rank_params, limit + 1, offset]
    with connection.cursor() as db:
        db.execute(sql, all_params)
        ids = [row[0] for row in db.fetchall()]
    more = len(ids) > limit
    ids = ids[:limit]
    if not more or not ids:
        return MessagePage(ids, None)
    if order == "newest":
        return MessagePage(ids, f"n{ids[-1]}")
    return MessagePage(ids, f"r{(int(cursor[1:]) if cursor else 0) + limit}")


def search_titles(query: SearchQuery, filters: MessageFilters, *, limit: int) -> list[int]:
    """Primary keys of ``IndexedThread`` rows whose title matches, newest first."""
    return _search_side_table(
        query,
        "search_indexedthread",
        "title",
        "search_thread_fts",
        limit,
        [("resource_id_lower", filters.resource), ("thread_id_lower", filters.thread)],
    )


def search_working_memory(query: SearchQuery, filters: MessageFilters, *, limit: int) -> list[int]:
    """Primary keys of ``IndexedResource`` rows whose working memory matches, newest first."""
    return _search_side_table(
        query,
        "search_indexedresource",
        "working_memory",
        "search_resource_fts",
        limit,
        [("resource_id_lower", filters.resource)],
    )


def _search_side_table(
    query: SearchQuery, table: str, column: str, fts: str, limit: int, prefixes: list[tuple[str, str]]
) -> list[int]:
    conditions: list[str] = []
    params: list[Any] = []
    if connection.vendor == "postgresql":
        source, rowid = f"{table} r", "r.id"
        conditions.append(f"r.{column}_tsv @@ to_tsquery('simple', %s)")
        params.append(query.tsquery())
    else:
        source, rowid = f"{fts} f CROSS JOIN {table} r ON r.id = f.rowid", "f.rowid"
        conditions.append(f"{fts} MATCH %s")
        params.append(query.fts5())
    for column_name, prefix in prefixes:
        if prefix:
            conditions.append(f"r.{column_name} LIKE %s ESCAPE '\\'")
            params.append(like_prefix(prefix))
    sql = f"SELECT r.id FROM {source} WHERE {' AND '.join(conditions)} ORDER BY {rowid} DESC LIMIT %s"
    with connection.cursor() as db:
        db.execute(sql, [*params, limit])
        return [row[0] for row in db.fetchall()]


def _filters_sql(filters: MessageFilters) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if filters.resource:
        where.append("m.resource_id_lower LIKE %s ESCAPE '\\'")
        params.append(like_prefix(filters.resource))
    if filters.thread:
        where.append("m.thread_id_lower LIKE %s ESCAPE '\\'")
        params.append(like_prefix(filters.thread))
    if filters.role:
        where.append("m.role = %s")
        params.append(filters.role)
    if filters.kind:
        # kinds is " text tool ": a kind is a whole word between spaces (KINDS has no "%" or "_").
        where.append("m.kinds LIKE %s")
        params.append(f"% {filters.kind} %")
    if filters.tool:
        where.append(
            "EXISTS (SELECT 1 FROM search_toolcall t WHERE t.message_id = m.message_id AND t.tool_name = %s)"
        )
        params.append(filters.tool)
    if filters.errors_only:
        where.append("m.has_error = %s")
        params.append(True)
    if filters.since is not None:
        where.append("m.created_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.since))
    if filters.until is not None:
        where.append("m.created_at < %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.until))
    return where, params


def like_prefix(prefix: str) -> str:
    """A LIKE pattern for values starting with ``prefix`` (lowercased), its wildcards escaped."""
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
