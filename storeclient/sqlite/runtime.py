"""The agent runtime's tables in a ``mastra.db``, read-only: observational memory, schedules and
their triggers, background tasks, and ``LibSQLVector`` indexes. Layout as ``@mastra/libsql``
1.23.1 creates it (DDL in ``runtime_schema``); a file without a table (an older Mastra, or a file
this store created) reads as empty."""

from __future__ import annotations

import math
import re
import sqlite3
import struct
from typing import Any

from ..errors import InvalidRequest
from ..models import (
    BackgroundTask,
    BackgroundTaskList,
    Neighbours,
    ObservationalMemory,
    Schedule,
    ScheduleList,
    ScheduleTrigger,
    StoredVector,
    VectorIndex,
)
from ..runtime_records import (
    OM_JSON_FIELDS,
    SCHEDULE_JSON_FIELDS,
    TASK_JSON_FIELDS,
    TRIGGER_JSON_FIELDS,
    check_limit,
    observational_memory_from_record,
    rank_neighbours,
    schedule_from_record,
    stored_vector,
    task_from_record,
    trigger_from_record,
)
from .base import Context
from .connection import decode_json_cell

OBSERVATIONAL_MEMORY = "mastra_observational_memory"
SCHEDULES = "mastra_schedules"
SCHEDULE_TRIGGERS = "mastra_schedule_triggers"
BACKGROUND_TASKS = "mastra_background_tasks"

#: Vectors compared for one neighbours query: the file is local, but a page must stay fast.
NEIGHBOUR_SCAN_LIMIT = 20_000
_DIMENSION = re.compile(r"F32_BLOB\s*\(\s*(\d+)\s*\)", re.IGNORECASE)


def _row(row: sqlite3.Row, json_fields: tuple[str, ...]) -> dict[str, Any]:
    out = dict(row)
    for name in json_fields:
        if name in out:
            out[name], _ = decode_json_cell(out[name])
    return out


class _Tables:
    def __init__(self, ctx: Context) -> None:
        self._pool = ctx.pool

    def _has(self, conn: sqlite3.Connection, table: str) -> bool:
        return (
            conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
            is not None
        )


class SQLiteObservations(_Tables):
    def _lookup_key(self, thread_id: str | None, resource_id: str) -> str:
        # libsql's getOMKey: a thread's own memory, else the resource's.
        return f"thread:{thread_id}" if thread_id else f"resource:{resource_id}"

    def get_observational_memory(self, thread_id: str | None, resource_id: str) -> ObservationalMemory | None:
        history = self.get_observational_memory_history(thread_id, resource_id, 1)
        return history[0] if history else None

    def get_observational_memory_history(
        self, thread_id: str | None, resource_id: str, limit: int = 10, *, offset: int = 0
    ) -> list[ObservationalMemory]:
        check_limit(limit, what="get_observational_memory_history", offset=offset)
        with self._pool.connection() as conn:
            if not self._has(conn, OBSERVATIONAL_MEMORY):
                return []
            rows = conn.execute(
                f'SELECT * FROM {OBSERVATIONAL_MEMORY} WHERE "lookupKey" = ? '
                'ORDER BY "generationCount" DESC, "createdAt" DESC LIMIT ? OFFSET ?',
                (self._lookup_key(thread_id, resource_id), limit, offset),
            ).fetchall()
        return [observational_memory_from_record(_row(r, OM_JSON_FIELDS)) for r in rows]


class SQLiteSchedules(_Tables):
    def list_schedules(self, *, status: str | None = None, workflow_id: str | None = None) -> ScheduleList:
        with self._pool.connection() as conn:
            if not self._has(conn, SCHEDULES):
                return ScheduleList([])
            sql, params = f"SELECT * FROM {SCHEDULES}", []
            if status is not None:
                sql, params = sql + " WHERE status = ?", [status]
            rows = conn.execute(sql + " ORDER BY created_at, id", params).fetchall()
        schedules = [schedule_from_record(_row(r, SCHEDULE_JSON_FIELDS)) for r in rows]
        if workflow_id is not None:
            # SQLite has no workflow_id column: the target (a JSONB blob) says it.
            schedules = [s for s in schedules if s.workflow_id == workflow_id]
        return ScheduleList(schedules)

    def get_schedule(self, schedule_id: str) -> Schedule | None:
        with self._pool.connection() as conn:
            if not self._has(conn, SCHEDULES):
                return None
            row = conn.execute(f"SELECT * FROM {SCHEDULES} WHERE id = ?", (schedule_id,)).fetchone()
        return schedule_from_record(_row(row, SCHEDULE_JSON_FIELDS)) if row else None

    def list_triggers(self, schedule_id: str, *, limit: int = 50) -> list[ScheduleTrigger]:
        check_limit(limit, what="list_triggers")
        with self._pool.connection() as conn:
            if not self._has(conn, SCHEDULE_TRIGGERS):
                return []
            rows = conn.execute(
                f"SELECT * FROM {SCHEDULE_TRIGGERS} WHERE schedule_id = ? "
                "ORDER BY actual_fire_at DESC, id LIMIT ?",
                (schedule_id, limit),
            ).fetchall()
        return [trigger_from_record(_row(r, TRIGGER_JSON_FIELDS)) for r in rows]


class SQLiteBackgroundTasks(_Tables):
    def list_tasks(
        self,
        *,
        status: str | None = None,
        thread_id: str | None = None,
        run_id: str | None = None,
        page: int = 0,
        per_page: int = 50,
    ) -> BackgroundTaskList:
        check_limit(per_page, what="list_tasks", offset=page)
        where, params = [], []
        for column, value in (("status", status), ("thread_id", thread_id), ("run_id", run_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._pool.read() as conn:
            if not self._has(conn, BACKGROUND_TASKS):
                return BackgroundTaskList([], 0, page, per_page, False)
            total = int(
                conn.execute(f"SELECT COUNT(*) FROM {BACKGROUND_TASKS}{clause}", params).fetchone()[0]
            )
            rows = conn.execute(
                f'SELECT * FROM {BACKGROUND_TASKS}{clause} ORDER BY "createdAt" DESC, id LIMIT ? OFFSET ?',
                [*params, per_page, page * per_page],
            ).fetchall()
        tasks = [task_from_record(_row(r, TASK_JSON_FIELDS)) for r in rows]
        return BackgroundTaskList(tasks, total, page, per_page, (page + 1) * per_page < total)

    def get_task(self, task_id: str) -> BackgroundTask | None:
        with self._pool.connection() as conn:
            if not self._has(conn, BACKGROUND_TASKS):
                return None
            row = conn.execute(f"SELECT * FROM {BACKGROUND_TASKS} WHERE id = ?", (task_id,)).fetchone()
        return task_from_record(_row(row, TASK_JSON_FIELDS)) if row else None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _embedding(blob: Any) -> tuple[float, ...]:
    """libsql's ``F32_BLOB``: little-endian float32, 4 bytes per dimension."""
    if not isinstance(blob, bytes | bytearray | memoryview):
        return ()
    raw = bytes(blob)
    values = struct.unpack(f"<{len(raw) // 4}f", raw[: len(raw) // 4 * 4])
    return tuple(v for v in values if math.isfinite(v))


class SQLiteVectors(_Tables):
    """``LibSQLVector`` indexes: one table per index, found (as libsql's ``listIndexes`` does) by
    an ``F32_BLOB`` column in its DDL; there is no registry table and the metric is always cosine."""

    def _indexes(self, conn: sqlite3.Connection) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%F32_BLOB%'"
        ):
            if name.startswith("libsql_") or name.endswith("_shadow"):
                continue
            dimension = _DIMENSION.search(sql or "")
            out[name] = int(dimension.group(1)) if dimension else None
        return out

    def _index(self, conn: sqlite3.Connection, index_name: str) -> str:
        if index_name not in self._indexes(conn):
            raise InvalidRequest(f"There is no vector index named {index_name!r}.")
        return _quoted(index_name)

    def list_indexes(self) -> list[VectorIndex]:
        with self._pool.connection() as conn:
            indexes = self._indexes(conn)
            return [
                VectorIndex(
                    name=name,
                    dimension=dimension,
                    metric="cosine",
                    # NOT INDEXED: plain SQLite would count libsql's vector index, whose entries
                    # live in libsql's shadow tables, and answer 0.
                    count=int(
                        conn.execute(f"SELECT COUNT(*) FROM {_quoted(name)} NOT INDEXED").fetchone()[0]
                    ),
                )
                for name, dimension in sorted(indexes.items())
            ]

    def sample(self, index_name: str, *, limit: int = 5) -> list[StoredVector]:
        check_limit(limit, what="sample")
        with self._pool.connection() as conn:
            table = self._index(conn, index_name)
            rows = conn.execute(
                f"SELECT vector_id, embedding, metadata FROM {table} ORDER BY rowid LIMIT ?", (limit,)
            ).fetchall()
        return [self._vector(r) for r in rows]

    def get_vector(self, index_name: str, vector_id: str) -> StoredVector | None:
        with self._pool.connection() as conn:
            table = self._index(conn, index_name)
            row = conn.execute(
                f"SELECT vector_id, embedding, metadata FROM {table} WHERE vector_id = ?", (vector_id,)
            ).fetchone()
        return self._vector(row) if row else None

    def neighbours(self, index_name: str, vector_id: str, *, top_k: int = 5) -> Neighbours | None:
        check_limit(top_k, what="neighbours")
        of = self.get_vector(index_name, vector_id)
        if of is None:
            return None
        with self._pool.connection() as conn:
            table = self._index(conn, index_name)
            rows = conn.execute(
                f"SELECT vector_id, embedding, metadata FROM {table} ORDER BY rowid LIMIT ?",
                (NEIGHBOUR_SCAN_LIMIT + 1,),
            ).fetchall()
        candidates = [self._vector(r) for r in rows[:NEIGHBOUR_SCAN_LIMIT]]
        return Neighbours(
            of=of,
            items=rank_neighbours(of, candidates, top_k),
            scanned=len(candidates),
            complete=len(rows) <= NEIGHBOUR_SCAN_LIMIT,
        )

    @staticmethod
    def _vector(row: sqlite3.Row) -> StoredVector:
        metadata, _ = decode_json_cell(row["metadata"])
        return stored_vector(row["vector_id"], list(_embedding(row["embedding"])), metadata)
