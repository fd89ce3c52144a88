"""``SQLiteStore``: Mastra data in a SQLite file laid out exactly as ``@mastra/libsql`` lays it out."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection, Iterable

from ..changes import DEFAULT_SETTLE_SECONDS
from ..errors import InvalidRequest, StoreError
from ..models import Count, StoreHealth, counted_kinds
from .base import Context
from .connection import (
    DEFAULT_BUSY_TIMEOUT_MS,
    ConnectionPool,
    bootstrap,
    file_exists,
    index_columns,
    table_columns,
    translate,
)
from .memory import SQLiteMemory
from .rows import Columns
from .runtime import SQLiteBackgroundTasks, SQLiteObservations, SQLiteSchedules, SQLiteVectors
from .schema import (
    CORE_TABLES,
    MESSAGES,
    RECOMMENDED_INDEXES,
    RESOURCES,
    RUNS,
    SCORES,
    THREADS,
    RecommendedIndex,
)
from .scores import SQLiteScores
from .workflows import SQLiteWorkflows

_COUNTED = {"threads": THREADS, "messages": MESSAGES, "resources": RESOURCES, "runs": RUNS, "scores": SCORES}
_INDEX_HINT = "SQLiteStore.add_indexes() adds them (SQLiteStore.missing_indexes() lists them)"


class SQLiteStore:
    """A Mastra ``mastra.db`` (or a new file in the same layout), read and written directly.

    * Opening a missing file creates it with Mastra's five core tables (byte-identical DDL), WAL
      mode and the dashboard's ``dashboard_idx_*`` indexes. Opening an existing file only adds
      core tables that are missing; it never alters a table and never adds indexes on its own
      (see :meth:`missing_indexes` / :meth:`add_indexes`).
    * JSON columns are written as JSON text, which Mastra reads; Mastra's JSONB blobs are read with
      a Python decoder (``storeclient.sqlite.jsonb``), so the stdlib ``sqlite3`` suffices.
    * Safe to share between threads; several processes (and Mastra itself) may use the file at
      once. ``create=False`` refuses to create a file that does not exist.
    * ``change_settle_seconds``: how old an ``updatedAt`` must be before ``thread_changes`` and
      ``resource_changes`` hand the row out (``storeclient.changes`` says why).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        change_settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    ) -> None:
        self.path = os.fspath(path)
        if self.path in ("", ":memory:") or self.path.startswith("file:"):
            raise InvalidRequest(
                "SQLiteStore needs the path of a file (an in-memory database is per-connection)."
            )
        existed = file_exists(self.path)
        if not existed and not create:
            raise StoreError(f"There is no SQLite file at {self.path}.")
        if not existed:
            parent = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(parent, exist_ok=True)
        self.pool = ConnectionPool(self.path, busy_timeout_ms=busy_timeout_ms)
        with self.pool.connection() as conn:
            self.created_file, self.created_tables = bootstrap(conn)
            present = {table: table_columns(conn, table) for table in CORE_TABLES}
            self.sqlite_version = str(conn.execute("SELECT sqlite_version()").fetchone()[0])
        self._ctx = Context(path=self.path, pool=self.pool, columns=Columns(present))
        self.memory = SQLiteMemory(self._ctx, settle_seconds=change_settle_seconds)
        self.workflows = SQLiteWorkflows(self._ctx, settle_seconds=change_settle_seconds)
        self.scores = SQLiteScores(self._ctx)
        self.observations = SQLiteObservations(self._ctx)
        self.schedules = SQLiteSchedules(self._ctx)
        self.background_tasks = SQLiteBackgroundTasks(self._ctx)
        self.vectors = SQLiteVectors(self._ctx)

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    # --- indexes --------------------------------------------------------------------------------

    def missing_indexes(self) -> list[RecommendedIndex]:
        """The dashboard's recommended indexes this file lacks. An index counts as present when one
        with that name exists or when any index on the table starts with the same columns."""
        with self.pool.connection() as conn:
            existing = {table: index_columns(conn, table) for table in CORE_TABLES}
            columns = {table: {c.lower() for c in table_columns(conn, table)} for table in CORE_TABLES}
        missing = []
        for index in RECOMMENDED_INDEXES:
            if not all(c.lower() in columns[index.table] for c in index.columns):
                continue  # a file from a Mastra too old to have the column: nothing to index
            on_table = existing.get(index.table, {})
            lowered = tuple(c.lower() for c in index.columns)
            covered = index.name in on_table or any(
                tuple(c.lower() for c in cols[: len(lowered)]) == lowered for cols in on_table.values()
            )
            if not covered:
                missing.append(index)
        return missing

    def add_indexes(self, names: Iterable[str] | None = None) -> list[RecommendedIndex]:
        """Create the missing recommended indexes (or only those named); returns what was created.
        Additive only: Mastra ignores them, ``DROP INDEX <name>`` removes one. On a big file this
        takes a while and holds the write lock meanwhile, so Mastra's writes wait."""
        wanted = set(names) if names is not None else None
        todo = [i for i in self.missing_indexes() if wanted is None or i.name in wanted]
        if wanted is not None:
            unknown = wanted - {i.name for i in RECOMMENDED_INDEXES}
            if unknown:
                raise InvalidRequest(f"Unknown index name(s): {', '.join(sorted(unknown))}.")
        for index in todo:
            with self.pool.write() as conn:
                conn.execute(index.sql)
        return todo

    # --- Store ----------------------------------------------------------------------------------

    def describe(self) -> str:
        text = f"SQLite file {self.path} (Mastra LibSQL layout, SQLite {self.sqlite_version})"
        try:
            missing = self.missing_indexes()
        except StoreError:
            return text
        if missing:
            text += f"; {len(missing)} recommended indexes missing: {_INDEX_HINT}"
        return text

    def health(self) -> StoreHealth:
        try:
            with self.pool.read() as conn:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
                absent = [t for t in CORE_TABLES if t not in tables]
                if absent:
                    return self._health(False, f"Tables missing from the file: {', '.join(absent)}.")
                _read_table_ends(conn)
            notes = [f"journal mode {mode}"]
            missing = self.missing_indexes()
            if missing:
                notes.append(
                    f"{len(missing)} recommended indexes missing ({', '.join(i.name for i in missing)}); "
                    f"lists get slower as the data grows: {_INDEX_HINT}"
                )
            return self._health(True, "; ".join(notes))
        except StoreError as exc:
            return self._health(False, exc.message)
        except sqlite3.Error as exc:
            return self._health(False, translate(exc, self.path).message)
        except Exception as exc:  # health() never raises
            return self._health(False, f"{type(exc).__name__}: {exc}")

    @property
    def atomic_saves(self) -> bool:
        """Always: each conditional save is one UPDATE under SQLite's write lock."""
        return True

    @property
    def max_document_bytes(self) -> int | None:
        """SQLite's own limit (1 GB per value by default) is far above anything an editor sends."""
        return None

    def _health(self, ok: bool, detail: str) -> StoreHealth:
        return StoreHealth(
            ok=ok,
            backend=f"SQLite file {self.path}",
            mode="embedded SQLite",
            detail=detail,
            atomic_saves=self.atomic_saves,
        )

    def counts(self, *, cap: int = 10_000, kinds: Collection[str] | None = None) -> dict[str, Count]:
        """Each count reads at most ``cap + 1`` rows (of the smallest index SQLite finds)."""
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
            raise InvalidRequest(f"cap must be a whole number >= 1, not {cap!r}.")
        out: dict[str, Count] = {}
        with self.pool.read() as conn:
            for name in counted_kinds(kinds):
                n = conn.execute(
                    f"SELECT COUNT(*) FROM (SELECT 1 FROM {_COUNTED[name]} LIMIT ?)", (cap + 1,)
                ).fetchone()[0]
                out[name] = Count(min(n, cap), at_least=n > cap)
        return out

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_table_ends(conn: sqlite3.Connection) -> None:
    """Read the first and the last row of every core table, whole.

    The schema alone proves little: it sits on the first page (often still in the WAL), so a file
    overwritten or cut short under a running process still lists its tables while every page that
    reads a row fails with "database disk image is malformed". Both ends of each table touch the
    pages a damage to the start or the end of the file hits, and cost a few page reads, not a scan
    (``PRAGMA quick_check`` would read the whole file on every probe).
    """
    for table in CORE_TABLES:
        for order in ("ASC", "DESC"):
            conn.execute(f"SELECT * FROM {table} ORDER BY rowid {order} LIMIT 1").fetchall()
