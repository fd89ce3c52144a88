"""Scorer results in ``mastra_scorers``, with ``@mastra/libsql``'s semantics."""

from __future__ import annotations

import json
import math
import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ..codec import now, parse_datetime, to_iso
from ..errors import InvalidRequest
from ..models import (
    ChangePage,
    Feed,
    PerPage,
    Score,
    ScoreBucket,
    ScoreBuckets,
    ScoreList,
    ScorePoint,
    ScoreRow,
    ScoreSeries,
)
from ..prefix import Prefix
from ..records import check_score_columns, score_row_reader
from ..semantics import check_buckets, encode_cursor
from . import rows
from .base import Context, check_page_number, check_per_page, iso, limit_offset
from .changes import SQLiteChanges
from .connection import dumps, index_columns
from .keyset import Keyset, check_limit, prefix_page, prefix_where
from .schema import JSON_COLUMNS, SCORES, columns_of
from .storage_api import SQLiteScoreSpans


class _ScoreKeyset(Keyset):
    """A keyset whose cursor can hold any stored ``score``: a BLOB or an infinite REAL has no
    JSON form, so each travels tagged and comes back as the same SQLite value."""

    def encode(self, row: sqlite3.Row) -> str:
        return encode_cursor({"f": self.feed, "k": [_cursor_value(row[c]) for c in self.columns]})

    def decode(self, cursor: str | None) -> list[Any] | None:
        key = super().decode(cursor)
        return None if key is None else [_stored_value(v) for v in key]


def _cursor_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"blob": value.hex()}
    if isinstance(value, float) and not math.isfinite(value):
        return {"real": repr(value)}
    return value


def _stored_value(value: Any) -> Any:
    try:
        if isinstance(value, dict) and isinstance(value.get("blob"), str):
            return bytes.fromhex(value["blob"])
        if isinstance(value, dict) and value.get("real") in ("inf", "-inf"):
            return float(value["real"])
    except ValueError:
        pass
    if isinstance(value, dict | list):
        raise InvalidRequest("That page link is not valid (bad cursor); start from the first page.")
    return value


_NEWEST = Keyset("scores", ("createdAt", "id"), leading_nullable=True)
#: An entity prefix reads the ranges of the ``(entityId, entityType, createdAt, id)`` index.
_BY_ENTITY_PREFIX = Keyset("scores.entity-prefix", ("entityId", "createdAt", "id"))
_LOWEST = _ScoreKeyset("scores-lowest", ("score", "id"), descending=False, leading_nullable=True)
_HIGHEST = _ScoreKeyset("scores-highest", ("score", "id"), descending=True, leading_nullable=True)
_SYSTEM = frozenset({"id", "createdAt", "updatedAt"})
#: A score the charts and statistics can use: rows written around Mastra can hold text, a BLOB,
#: infinity (a REAL beyond the largest double) or NULL. NaN cannot be stored (SQLite makes it NULL).
_SHRINK = 2.0**-64
_FINITE = "(typeof(score) IN ('integer', 'real') AND score BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308)"


def even_indices(total: int, max_points: int) -> list[int]:
    """Which of ``total`` ordered points to keep so ``max_points`` are spread evenly, first and
    last included (the same picks as the Convex store's ``even_sample``)."""
    if total <= max_points:
        return list(range(total))
    if max_points == 1:
        return [total - 1]
    step = (total - 1) / (max_points - 1)
    return sorted({round(i * step) for i in range(max_points)})


class SQLiteScores(SQLiteScoreSpans):
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._pool = ctx.pool
        self._select = ctx.columns.select(SCORES)
        # Only the rowid feed is used here, which has no settle time.
        self._changes = SQLiteChanges(ctx, settle_seconds=0)

    def score_changes(self, cursor: str | None = None, *, limit: int = 500) -> ChangePage[Score]:
        return self._changes.score_changes(cursor, limit)

    def _get(self, conn: sqlite3.Connection, score_id: str) -> Score | None:
        row = conn.execute(f"SELECT {self._select} FROM {SCORES} WHERE id = ?", (score_id,)).fetchone()
        return rows.score(row) if row else None

    def _record(self, score: Mapping[str, Any], created_at: datetime | None) -> tuple[dict[str, Any], bool]:
        """The row ``saveScore`` writes for ``score``, and whether its id was the caller's."""
        for key, kind in (("scorerId", str), ("runId", str), ("source", str)):
            if not isinstance(score.get(key), kind) or not score.get(key):
                raise InvalidRequest(f"A score needs {key} (text); nothing was saved.")
        value = score.get("score")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidRequest("A score needs a finite number in 'score'; nothing was saved.")
        supplied = score.get("id")
        score_id = supplied if isinstance(supplied, str) and supplied else str(uuid.uuid4())
        stamp = to_iso(created_at if created_at is not None else now())
        record: dict[str, Any] = {"id": score_id, "createdAt": stamp, "updatedAt": stamp}
        json_cols = JSON_COLUMNS[SCORES]
        for column in columns_of(SCORES):
            v = score.get(column)
            # The cheap test first: a payload holds a few of the table's columns.
            if v is None or column in _SYSTEM or not self._ctx.columns.has(SCORES, column):
                continue
            if column == "score":
                v = float(v)
            elif column in json_cols or isinstance(v, dict | list | tuple):
                v = dumps(v)
            record[column] = v
        return record, bool(supplied)

    def save_score(self, score: Mapping[str, Any], *, created_at: datetime | None = None) -> Score:
        """Mastra's ``saveScore``: a new uuid4 id (or, as ``@mastra/libsql`` does, an upsert by the
        caller's ``id`` when one is given), ``createdAt``/``updatedAt`` = now (or ``created_at``),
        keys that are not columns dropped, ``None`` values left out (NULL)."""
        record, supplied = self._record(score, created_at)
        names = ", ".join(f'"{k}"' for k in record)
        marks = ", ".join("?" for _ in record)
        with self._pool.write() as conn:
            if supplied:
                conn.execute(f"DELETE FROM {SCORES} WHERE id = ?", (record["id"],))
            conn.execute(f"INSERT INTO {SCORES} ({names}) VALUES ({marks})", list(record.values()))
            saved = self._get(conn, record["id"])
        assert saved is not None
        return saved

    def save_scores(self, scores: Sequence[tuple[Mapping[str, Any], datetime | None]]) -> list[str]:
        """``save_score`` for each ``(payload, created_at)``, in one transaction, with one
        ``executemany`` per set of columns present: the rows are the ones ``save_score`` writes,
        at a fraction of the cost of a transaction and a read-back per score (demo data, imports).
        Every payload is checked before anything is written. Returns the ids, in order."""
        records = [self._record(score, created_at)[0] for score, created_at in scores]
        # A caller's id given twice: the later payload wins, as two save_score calls would leave it.
        latest = {r["id"]: r for r in records}
        by_columns: dict[tuple[str, ...], list[list[Any]]] = {}
        for record in latest.values():
            by_columns.setdefault(tuple(record), []).append(list(record.values()))
        with self._pool.write() as conn:
            for columns, values in by_columns.items():
                names = ", ".join(f'"{k}"' for k in columns)
                marks = ", ".join("?" for _ in columns)
                # OR REPLACE is save_score's delete-then-insert for a caller's id; a fresh uuid4
                # never meets another row.
                conn.executemany(f"INSERT OR REPLACE INTO {SCORES} ({names}) VALUES ({marks})", values)
        return [r["id"] for r in records]

    def get_score_by_id(self, score_id: str) -> Score | None:
        with self._pool.connection() as conn:
            return self._get(conn, score_id)

    def _list(self, where: list[str], params: list[Any], page: int, per_page: PerPage) -> ScoreList:
        check_page_number(page)
        check_per_page(per_page)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._pool.read() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM {SCORES}{clause}", params).fetchone()[0]
            if total == 0:
                return ScoreList(scores=[], total=0, page=page, per_page=per_page, has_more=False)
            limit, offset = limit_offset(page, per_page, total)
            found = conn.execute(
                f'SELECT {self._select} FROM {SCORES}{clause} ORDER BY "createdAt" DESC, id DESC LIMIT ? OFFSET ?',
                [*params, limit, offset],
            ).fetchall()
        end = total if per_page is False else offset + per_page
        return ScoreList(
            scores=[rows.score(r) for r in found],
            total=total,
            page=page,
            per_page=per_page,
            has_more=end < total,
        )

    def list_scores_by_scorer_id(
        self,
        scorer_id: str,
        *,
        entity_id: str | None = None,
        entity_type: str | None = None,
        source: str | None = None,
        page: int = 0,
        per_page: PerPage = 100,
    ) -> ScoreList:
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("scorerId", scorer_id),
            ("entityId", entity_id),
            ("entityType", entity_type),
            ("source", source),
        ):
            if value:
                where.append(f'"{column}" = ?')
                params.append(value)
        return self._list(where, params, page, per_page)

    def list_scores_by_run_id(self, run_id: str, *, page: int = 0, per_page: PerPage = 100) -> ScoreList:
        return self._list(['"runId" = ?'], [run_id], page, per_page)

    def list_scores_by_entity_id(
        self, entity_id: str, entity_type: str, *, page: int = 0, per_page: PerPage = 100
    ) -> ScoreList:
        return self._list(['"entityId" = ?', '"entityType" = ?'], [entity_id, entity_type], page, per_page)

    # --- dashboard additions ------------------------------------------------------------------

    def scorer_ids(self) -> list[str]:
        """Distinct scorer ids: one index seek per id when an index starts with ``scorerId`` (the
        dashboard's), else one scan (Mastra's layout has no index on it)."""
        with self._pool.connection() as conn:
            indexed = any(cols[:1] == ("scorerId",) for cols in index_columns(conn, SCORES).values())
            if indexed:
                sql = (
                    f'WITH RECURSIVE ids(s) AS (SELECT (SELECT MIN("scorerId") FROM {SCORES}) '
                    f'UNION ALL SELECT (SELECT MIN("scorerId") FROM {SCORES} WHERE "scorerId" > s) '
                    "FROM ids WHERE s IS NOT NULL) SELECT s FROM ids WHERE s IS NOT NULL"
                )
            else:
                sql = f'SELECT DISTINCT "scorerId" FROM {SCORES} WHERE "scorerId" IS NOT NULL ORDER BY 1'
            return [str(r[0]) for r in conn.execute(sql)]

    def _filters(
        self,
        scorer_id: str,
        source: str | None,
        entity_type: str | None,
        entity_id: str | None,
        from_date: datetime | str | None,
        to_date: datetime | str | None,
        entity_prefix: Prefix | None = None,
    ) -> tuple[list[str], list[Any]]:
        where = ['"scorerId" = ?']
        params: list[Any] = [scorer_id]
        for column, value in (("source", source), ("entityType", entity_type), ("entityId", entity_id)):
            if value:
                where.append(f'"{column}" = ?')
                params.append(value)
        if from_date is not None:
            where.append('"createdAt" >= ?')
            params.append(iso(from_date))
        if to_date is not None:
            where.append('"createdAt" <= ?')
            params.append(iso(to_date))
        if entity_prefix is not None:
            sql, args = prefix_where("entityId", entity_prefix)
            where.append(sql)
            params.extend(args)
        return where, params

    def score_feed(
        self,
        scorer_id: str,
        *,
        source: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        lowest_first: bool = False,
        highest_first: bool = False,
        cursor: str | None = None,
        limit: int = 25,
        entity_prefix: str | None = None,
    ) -> Feed[Score]:
        """Newest first by ``(createdAt, id)``, or lowest (highest) first by ``(score, id)``. With
        an entity prefix, newest first is grouped by entity, newest first within (the ranges of the
        entity index, ``storeclient.prefix``; scores without ``createdAt``, never written by Mastra,
        are left out there); lowest (highest) first stays so among the matches."""
        if lowest_first and highest_first:
            raise InvalidRequest("Ask for the lowest or the highest scores first, not both.")
        prefix = Prefix.of(entity_prefix, what="entity id prefix")
        where, params = self._filters(scorer_id, source, entity_type, entity_id, from_date, to_date, prefix)
        keyset = _LOWEST if lowest_first else _HIGHEST if highest_first else _NEWEST
        if prefix is not None and not (lowest_first or highest_first):
            # Read the entity index's ranges, not every score of the scorer: the unary plus keeps
            # SQLite from picking the scorer index for the equality (without statistics it would).
            where[0] = '+"scorerId" = ?'
            with self._pool.connection() as conn:
                found, next_cursor = prefix_page(
                    conn,
                    _BY_ENTITY_PREFIX,
                    select=self._select,
                    table=SCORES,
                    where=[*where, '"createdAt" IS NOT NULL'],
                    params=params,
                    prefix=prefix,
                    cursor=cursor,
                    limit=limit,
                )
            return Feed(items=[rows.score(r) for r in found], next_cursor=next_cursor)
        with self._pool.connection() as conn:
            found, next_cursor = keyset.page(
                conn,
                select=self._select,
                table=SCORES,
                where=where,
                params=params,
                cursor=cursor,
                limit=limit,
            )
        return Feed(items=[rows.score(r) for r in found], next_cursor=next_cursor)

    def score_rows(
        self,
        scorer_id: str,
        columns: Sequence[str],
        *,
        source: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        lowest_first: bool = False,
        highest_first: bool = False,
        entity_prefix: str | None = None,
        chunk: int = 500,
    ) -> Iterator[ScoreRow]:
        """``score_feed``'s rows to the end, as tuples of ``columns``: a SELECT of those columns
        (and the order's key), read in keyset chunks of ``chunk`` rows. Each chunk takes a
        connection only while it is read, so a slow download holds no read transaction open
        (which would keep the WAL from being checkpointed) and no connection from the pages."""
        wanted = check_score_columns(columns)
        check_limit(chunk)
        if lowest_first and highest_first:
            raise InvalidRequest("Ask for the lowest or the highest scores first, not both.")
        prefix = Prefix.of(entity_prefix, what="entity id prefix")
        where, params = self._filters(scorer_id, source, entity_type, entity_id, from_date, to_date, prefix)
        by_entity = prefix is not None and not (lowest_first or highest_first)
        keyset = (
            _BY_ENTITY_PREFIX
            if by_entity
            else _LOWEST
            if lowest_first
            else _HIGHEST
            if highest_first
            else _NEWEST
        )
        if by_entity:
            where[0] = '+"scorerId" = ?'  # as in score_feed
            where.append('"createdAt" IS NOT NULL')
        # The key columns first: the keyset reads them by name, and a wanted column missing from
        # an older file is selected as NULL under the same name.
        present = self._ctx.columns
        select = ", ".join(
            [f'"{c}"' for c in keyset.columns]
            + [_export_cell(c) if present.has(SCORES, c) else f'NULL AS "{c}"' for c in wanted]
        )
        skip = len(keyset.columns)
        read = score_row_reader(wanted, json_cell=rows.json_cell)

        def page(conn: sqlite3.Connection, cursor: str | None) -> tuple[list[sqlite3.Row], str | None]:
            if by_entity:
                assert prefix is not None
                return prefix_page(
                    conn, keyset, select=select, table=SCORES, where=where, params=params,
                    prefix=prefix, cursor=cursor, limit=chunk,
                )  # fmt: skip
            return keyset.page(
                conn, select=select, table=SCORES, where=where, params=params,
                cursor=cursor, limit=chunk,
            )  # fmt: skip

        def chunk_after(cursor: str | None) -> tuple[list[ScoreRow], str | None]:
            with self._pool.connection() as conn:
                found, next_cursor = page(conn, cursor)
            return [read(r[skip:]) for r in found], next_cursor

        # The first chunk now, so a store error is raised to the caller before anything is sent.
        first, after = chunk_after(None)

        def stream(found: list[ScoreRow], cursor: str | None) -> Iterator[ScoreRow]:
            yield from found
            while cursor:
                found, cursor = chunk_after(cursor)
                yield from found

        return stream(first, after)

    def score_series(
        self,
        scorer_id: str,
        *,
        source: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        entity_prefix: str | None = None,
        max_points: int = 5_000,
    ) -> ScoreSeries:
        """Oldest first. Over ``max_points``, SQLite numbers the rows in order (a window function over
        the ``(scorerId, createdAt, id)`` index) and returns only the evenly spread picks, so Python
        never sees the rest."""
        if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1:
            raise InvalidRequest(f"max_points must be a whole number >= 1, not {max_points!r}.")
        where, params = self._filters(
            scorer_id, source, entity_type, entity_id, from_date, to_date, Prefix.of(entity_prefix)
        )
        where.append('"createdAt" IS NOT NULL')
        in_range = " WHERE " + " AND ".join(where)
        clause = in_range + f" AND {_FINITE}"
        with self._pool.read() as conn:
            total, not_finite = conn.execute(
                f"SELECT COALESCE(SUM({_FINITE}), 0), COALESCE(SUM(NOT {_FINITE}), 0) FROM {SCORES}{in_range}",
                params,
            ).fetchone()
            if total <= max_points:
                found = conn.execute(
                    f'SELECT "createdAt", score FROM {SCORES}{clause} ORDER BY "createdAt", id', params
                ).fetchall()
            else:
                picks = json.dumps(even_indices(total, max_points))
                found = conn.execute(
                    f'SELECT "createdAt", score FROM (SELECT "createdAt", score, '
                    f'row_number() OVER (ORDER BY "createdAt", id) - 1 AS i FROM {SCORES}{clause}) '
                    "WHERE i IN (SELECT value FROM json_each(?)) ORDER BY i",
                    [*params, picks],
                ).fetchall()
        points = [ScorePoint(parse_datetime(r[0]), float(r[1])) for r in found]
        return ScoreSeries(points=points, total=total, sampled=len(points) < total, not_finite=not_finite)

    def score_buckets(
        self,
        scorer_id: str,
        *,
        source: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        entity_prefix: str | None = None,
        bucket_seconds: int = 86_400,
        origin: datetime | None = None,
    ) -> ScoreBuckets:
        """One ``GROUP BY`` in SQLite: exact per-bucket aggregates, and only one row per bucket
        comes back, however many scores the range holds."""
        size, start = check_buckets(bucket_seconds, origin)
        where, params = self._filters(
            scorer_id, source, entity_type, entity_id, from_date, to_date, Prefix.of(entity_prefix)
        )
        where.append(_FINITE)
        # d: whole seconds since origin (NULL for an unparseable createdAt, which then drops out).
        # SQLite's / and % truncate toward zero, so floor by subtracting the non-negative remainder.
        # size and start are ints (check_buckets), safe to write into the statement.
        sql = (
            f"SELECT (d - ((d % {size}) + {size}) % {size}) / {size} AS k, "
            f"COUNT(*), AVG(score), AVG(score * {_SHRINK!r}), MIN(score), MAX(score) "
            f"FROM (SELECT CAST(strftime('%s', \"createdAt\") AS INTEGER) - {start} AS d, score "
            f"FROM {SCORES} WHERE {' AND '.join(where)}) "
            "WHERE d IS NOT NULL GROUP BY k ORDER BY k"
        )
        with self._pool.read() as conn:
            found = conn.execute(sql, params).fetchall()
        return ScoreBuckets(
            buckets=[
                ScoreBucket(
                    start=datetime.fromtimestamp(start + int(k) * size, tz=UTC),
                    count=int(n),
                    # Scores near the largest double overflow the sum to infinity; the shrunk sum
                    # cannot, and scaling by a power of two is exact.
                    mean=float(mean) if math.isfinite(mean) else float(shrunk) / _SHRINK,
                    min=float(low),
                    max=float(high),
                )
                for k, n, mean, shrunk, low, high in found
            ],
            bucket_seconds=size,
        )


def _export_cell(column: str) -> str:
    """``column`` as ``score_rows`` selects it, read by position: a BLOB in a text column (an agent
    may write one) comes as its bytes read as text, so the row holds text like every other row's;
    JSON columns (JSONB blobs) and ``score`` (decoded from any type) are read as stored."""
    quoted = f'"{column}"'
    if column in JSON_COLUMNS[SCORES] or column == "score":
        return quoted
    # No alias: named as the column, the expression would be what ORDER BY "createdAt" sorts by
    # (SQLite resolves ORDER BY to a result column first), a full sort instead of the index.
    return f"CASE WHEN typeof({quoted}) = 'blob' THEN CAST({quoted} AS TEXT) ELSE {quoted} END"
