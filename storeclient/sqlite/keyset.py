"""Keyset ("seek") pagination for the dashboard's newest-first feeds.

A cursor is the sort key of the last row shown, e.g. ``(updatedAt, id)`` for threads, serialised as
base64url JSON (``{"f": "threads", "k": ["2026-01-09T14:06:47.902Z", "c0a3…"]}``). The next page is
``WHERE (updatedAt, id) < (:last) ORDER BY updatedAt DESC, id DESC LIMIT n+1``, which an index on
``(…, updatedAt, id)`` answers by seeking, so every page costs O(page), however deep; a row inserted
or deleted meanwhile never shifts later pages (no duplicates, no gaps), and the trailing ``id``
makes the order total even when many rows share a timestamp.

The comparison is spelled ``k0 <= :v0 AND (k0 < :v0 OR (k0 = :v0 AND k1 < :v1 …))`` rather than as
a row value, so SQLite sees a plain range on the leading column. A leading column that may be NULL
(run and score timestamps are nullable in Mastra's DDL) is handled in two phases: the non-NULL rows
in order, then the NULL ones, with ``null`` in the cursor marking the second phase.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRequest
from ..prefix import Prefix
from ..semantics import decode_cursor, encode_cursor

MAX_LIMIT = 1_000
#: ``<column> LIKE_ESCAPED`` with ``Prefix.like_pattern()``: the case-insensitive prefix check.
LIKE_ESCAPED = "LIKE ? ESCAPE '\\'"


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}.")
    return limit


@dataclass(frozen=True)
class Keyset:
    feed: str
    #: Column names, quoted for SQL by the builder; also the row keys the values are read from.
    columns: tuple[str, ...]
    descending: bool = True
    #: The leading column may be NULL; NULL rows then come last.
    leading_nullable: bool = False

    def decode(self, cursor: str | None) -> list[Any] | None:
        if not cursor:
            return None
        state = decode_cursor(cursor)
        key = state.get("k")
        if state.get("f") != self.feed or not isinstance(key, list) or len(key) != len(self.columns):
            raise InvalidRequest(
                "That page link belongs to another list (bad cursor); start from the first page."
            )
        if any(v is None for v in key[1:]) or (key[0] is None and not self.leading_nullable):
            raise InvalidRequest("That page link is not valid (bad cursor); start from the first page.")
        return key

    def encode(self, row: sqlite3.Row) -> str:
        return encode_cursor({"f": self.feed, "k": [row[c] for c in self.columns]})

    def after_sql(self, values: Sequence[Any], *, older: bool) -> tuple[str, list[Any]]:
        """The condition "before (``older``) / after this key" in this keyset's column order."""
        return Keyset(self.feed, self.columns, descending=older)._after(self.columns, values)

    def _order(self, columns: Sequence[str]) -> str:
        d = "DESC" if self.descending else "ASC"
        return ", ".join(f'"{c}" {d}' for c in columns)

    def _after(self, columns: Sequence[str], values: Sequence[Any]) -> tuple[str, list[Any]]:
        op = "<" if self.descending else ">"
        params: list[Any] = []

        def chain(i: int) -> str:
            col = f'"{columns[i]}"'
            if i == len(columns) - 1:
                params.append(values[i])
                return f"{col} {op} ?"
            params.extend([values[i], values[i]])
            return f"({col} {op} ? OR ({col} = ? AND {chain(i + 1)}))"

        head = f'"{columns[0]}"'
        params.append(values[0])
        sql = f"{head} {op}= ? AND {chain(0)}"
        return sql, params

    def page(
        self,
        conn: sqlite3.Connection,
        *,
        select: str,
        table: str,
        where: Sequence[str],
        params: Sequence[Any],
        cursor: str | None,
        limit: int,
    ) -> tuple[list[sqlite3.Row], str | None]:
        """One page of ``limit`` rows after ``cursor``, and the cursor of the page after it."""
        check_limit(limit)
        after = self.decode(cursor)
        rows: list[sqlite3.Row] = []
        lead = f'"{self.columns[0]}"'
        want = limit + 1

        def run(extra: list[str], extra_params: list[Any], columns: Sequence[str], n: int) -> None:
            conds = [*where, *extra]
            sql = f"SELECT {select} FROM {table}"
            if conds:
                sql += " WHERE " + " AND ".join(conds)
            sql += f" ORDER BY {self._order(columns)} LIMIT ?"
            rows.extend(conn.execute(sql, [*params, *extra_params, n]).fetchall())

        if after is None or after[0] is not None:
            extra, extra_params = [], []
            if self.leading_nullable:
                extra.append(f"{lead} IS NOT NULL")
            if after is not None:
                cond, cond_params = self._after(self.columns, after)
                extra.append(cond)
                extra_params = cond_params
            run(extra, extra_params, self.columns, want)
        if self.leading_nullable and len(rows) < want:
            extra = [f"{lead} IS NULL"]
            extra_params = []
            if after is not None and after[0] is None:
                cond, cond_params = self._after(self.columns[1:], after[1:])
                extra.append(cond)
                extra_params = cond_params
            run(extra, extra_params, self.columns[1:], want - len(rows))
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (self.encode(rows[-1]) if more and rows else None)


def prefix_where(column: str, prefix: Prefix) -> tuple[str, list[Any]]:
    """``column`` starts with ``prefix`` (ASCII case ignored), as index ranges OR-ed together (which
    SQLite reads range by range) plus the exact check."""
    ranges: list[str] = []
    params: list[Any] = []
    for low, high in prefix.ranges():
        if high is None:
            ranges.append(f'"{column}" >= ?')
            params.append(low)
        else:
            ranges.append(f'("{column}" >= ? AND "{column}" < ?)')
            params.extend([low, high])
    params.append(prefix.like_pattern())
    return f'({" OR ".join(ranges)}) AND "{column}" {LIKE_ESCAPED}', params


def prefix_page(
    conn: sqlite3.Connection,
    keyset: Keyset,
    *,
    select: str,
    table: str,
    where: Sequence[str],
    params: Sequence[Any],
    prefix: Prefix,
    cursor: str | None,
    limit: int,
) -> tuple[list[sqlite3.Row], str | None]:
    """One page of the rows whose first keyset column starts with ``prefix`` (ASCII case ignored),
    newest first: the case variants' index ranges are read one after another, last range first
    (``storeclient.prefix``), each a seek on an index that leads with that column."""
    check_limit(limit)
    assert keyset.descending, "prefix pages run in the feeds' newest-first order"
    after = keyset.decode(cursor)
    if after is not None and not isinstance(after[0], str):
        raise InvalidRequest("That page link is not valid (bad cursor); start from the first page.")
    lead = f'"{keyset.columns[0]}"'
    want = limit + 1
    rows: list[sqlite3.Row] = []
    for low, high in reversed(prefix.ranges()):
        if after is not None and after[0] < low:
            continue  # the cursor is below this range: all of it was shown
        conds = [*where, f"{lead} >= ?", f"{lead} {LIKE_ESCAPED}"]
        args: list[Any] = [*params, low, prefix.like_pattern()]
        if high is not None:
            conds.append(f"{lead} < ?")
            args.append(high)
        if after is not None and (high is None or after[0] < high):
            cond, cond_params = keyset.after_sql(after, older=True)
            conds.append(cond)
            args.extend(cond_params)
        rows.extend(
            conn.execute(
                f"SELECT {select} FROM {table} WHERE {' AND '.join(conds)} "
                f"ORDER BY {keyset._order(keyset.columns)} LIMIT ?",
                [*args, want - len(rows)],
            ).fetchall()
        )
        if len(rows) >= want:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (keyset.encode(rows[-1]) if more and rows else None)
