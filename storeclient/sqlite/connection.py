"""Connections to a Mastra SQLite file: a small pool, the SQL functions the store registers, error
translation, and the one-time set-up (missing tables, WAL, column introspection).

Threading: Django serves requests from several threads, and a process may have other writers (the
Mastra app itself, another dashboard worker). Each call borrows a connection from a pool for its
duration, so no connection is ever used by two threads at once and none is tied to a thread that
may die (Django's dev server starts a thread per request). Reads run in autocommit mode or in a
short ``BEGIN``...``COMMIT`` when one answer needs two statements (a page and its total); writes
take ``BEGIN IMMEDIATE`` and commit before the call returns. Nothing holds a transaction open
between calls, so Mastra's own writers are never blocked for longer than one statement batch.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..codec import escape_lone_surrogates, parse_json_lenient
from ..errors import BackendUnavailable, InvalidRequest, StorageError, StoreError
from ..models import content_hash
from . import jsonb
from .schema import MASTRA_INDEX_DDL, RECOMMENDED_INDEXES, TABLE_DDL

DEFAULT_BUSY_TIMEOUT_MS = 5_000
MAX_IDLE_CONNECTIONS = 8


# --- JSON cells ---------------------------------------------------------------------------------


def decode_json_cell(value: Any) -> tuple[Any, str | None]:
    """Decode a JSON column's cell, whichever way it was written.

    ``bytes`` is SQLite JSONB (what Mastra writes); ``str`` is JSON text (what this store and older
    Mastra versions write). Returns ``(value, error)``: when the cell is not valid JSON the raw text
    comes back with the reason, so a page can still show it.
    """
    if value is None:
        return None, None
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            return jsonb.decode(raw), None
        except jsonb.JSONBError as exc:
            text = raw.decode("utf-8", errors="replace")
            try:
                return json.loads(text), None  # JSON text stored as a blob
            except ValueError:
                return text, f"not valid JSONB ({exc}) nor JSON text"
    return parse_json_lenient(value)


def dumps(value: Any) -> str:
    """``JSON.stringify``: compact, non-ASCII as is, dates as ISO strings. A value JSON cannot hold
    (NaN, Infinity, an arbitrary object) raises ``InvalidRequest`` before anything is written."""
    try:
        return escape_lone_surrogates(_ENCODER.encode(value))
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(f"This value cannot be stored as JSON: {exc}") from exc


def _default(value: Any) -> Any:
    from datetime import date, datetime

    from ..codec import to_iso

    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


#: ``dumps``'s encoder, built once: ``json.dumps`` with options builds one per call, about a fifth
#: of its time for a message's content (a demo seed writes a million).
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_default)


# --- SQL functions --------------------------------------------------------------------------------

_SIMPLE_PATH = re.compile(r"\$(\.[A-Za-z_][A-Za-z0-9_]*)+")


@functools.lru_cache(maxsize=256)
def _path(path: str) -> tuple[str | int, ...]:
    return tuple(jsonb.parse_path(path))


def _jsonb_extract(value: Any, path: str) -> Any:
    """``dashboard_jsonb_extract(cell, path)``: ``json_extract`` for JSONB blobs; NULL when the path
    is missing or the blob is malformed (one bad row must not abort a query)."""
    if not isinstance(value, bytes):
        return None
    try:
        return jsonb.to_sql_value(jsonb.extract(value, _path(path)))
    except (KeyError, jsonb.JSONBError, ValueError, RecursionError):
        return None


def _object_or_none(value: Any) -> dict[str, Any] | None:
    """A metadata cell as a dict (NULL counts as ``{}``); ``None`` when it is not an object."""
    if value is None:
        return {}
    decoded, error = decode_json_cell(value)
    if error is None and isinstance(decoded, dict):
        return decoded
    return None


def _working_memory(metadata: Any) -> str | None:
    obj = _object_or_none(metadata)
    if obj is None:
        return None
    wm = obj.get("workingMemory")
    return wm if isinstance(wm, str) else None


def _wm_hash(metadata: Any) -> str:
    return content_hash(_working_memory(metadata))


def _is_object(metadata: Any) -> int:
    return 0 if _object_or_none(metadata) is None else 1


def _set_working_memory(metadata: Any, working_memory: str) -> str | None:
    obj = _object_or_none(metadata)
    if obj is None:
        return None
    return dumps({**obj, "workingMemory": working_memory})


def _run_thread_match(snapshot: Any, thread_id: str) -> int:
    """Mastra's ``threadId`` filter on runs, on the decoded snapshot."""
    decoded, error = decode_json_cell(snapshot)
    if error is not None or not isinstance(decoded, dict):
        return 0

    def dig(obj: Any, *keys: str) -> Any:
        for key in keys:
            if not isinstance(obj, dict):
                return None
            obj = obj.get(key)
        return obj

    context = decoded.get("context")
    if dig(context, "input", "messageListState", "memoryInfo", "threadId") == thread_id:
        return 1
    if isinstance(context, dict):
        for step in context.values():
            if (
                isinstance(step, dict)
                and step.get("status") == "suspended"
                and dig(step, "suspendPayload", "__streamState", "messageList", "memoryInfo", "threadId")
                == thread_id
            ):
                return 1
    return 0


def _content_hash(text: Any) -> str:
    return content_hash(text if isinstance(text, str) else None)


def json_extract_sql(column: str, path: str) -> str:
    """SQL for ``json_extract(column, path)`` that works on JSONB blobs and on JSON text alike.

    Text goes to SQLite's own ``json_extract`` (guarded by ``json_valid``, so malformed legacy text
    yields NULL instead of an error); blobs go to the registered Python decoder. ``path`` must be a
    simple ``$.a.b`` path (the callers build it from validated keys); it is embedded as a literal.
    """
    if not _SIMPLE_PATH.fullmatch(path):
        raise ValueError(f"unsupported JSON path {path!r}")
    return (
        f"(CASE typeof({column}) WHEN 'blob' THEN dashboard_jsonb_extract({column}, '{path}') "
        f"WHEN 'text' THEN (CASE WHEN json_valid({column}) THEN json_extract({column}, '{path}') END) END)"
    )


def _register_functions(conn: sqlite3.Connection) -> None:
    functions: list[tuple[str, int, Callable[..., Any]]] = [
        ("dashboard_jsonb_extract", 2, _jsonb_extract),
        ("dashboard_content_hash", 1, _content_hash),
        ("dashboard_wm_hash", 1, _wm_hash),
        ("dashboard_metadata_is_object", 1, _is_object),
        ("dashboard_set_working_memory", 2, _set_working_memory),
        ("dashboard_run_thread_match", 2, _run_thread_match),
    ]
    for name, nargs, fn in functions:
        conn.create_function(name, nargs, fn, deterministic=True)


# --- errors ---------------------------------------------------------------------------------------


def translate(exc: sqlite3.Error, path: str) -> StoreError:
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return BackendUnavailable(
            f"The SQLite file {path} stayed locked by another writer; try again in a moment.",
            detail=text,
        )
    if isinstance(exc, sqlite3.OperationalError) and (
        "unable to open" in lowered or "disk i/o" in lowered or "readonly" in lowered
    ):
        return BackendUnavailable(
            f"Cannot use the SQLite file {path}: check that it exists and is readable/writable.",
            detail=text,
        )
    return StorageError(f"SQLite error on {path}: {text}", detail=text)


# --- text that is not UTF-8 --------------------------------------------------------------------------


def lenient_utf8(raw: bytes) -> str:
    """A TEXT cell as text, with U+FFFD for bytes that are not UTF-8 (or encode a surrogate).

    SQLite stores whatever bytes a writer hands it, and sqlite3's own decoder fails the whole
    fetch on one bad cell: a page, an export or the indexer would stop at an agent's malformed
    record. Every pooled connection reads text through this instead (~0.2 µs more per text cell:
    0.1 ms on a 40-message thread page, ~2% of the indexer's decoding)."""
    return raw.decode("utf-8", errors="replace")


# --- the pool ---------------------------------------------------------------------------------------


class ConnectionPool:
    def __init__(self, path: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout_ms / 1000,
            autocommit=True,
            check_same_thread=False,  # the pool hands each connection to one thread at a time
        )
        conn.row_factory = sqlite3.Row
        conn.text_factory = lenient_utf8
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA synchronous = NORMAL")  # as Mastra: durable in WAL mode except on power loss
        _register_functions(conn)
        return conn

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise StoreError(f"The SQLite store for {self.path} is closed.")
            conn = self._idle.pop() if self._idle else None
        try:
            if conn is None:
                conn = self._open()
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc
        try:
            yield conn
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc
        finally:
            if conn.in_transaction:  # only after an error: every path commits or rolls back
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    conn.close()
                    conn = None
            if conn is not None:
                with self._lock:
                    keep = not self._closed and len(self._idle) < MAX_IDLE_CONNECTIONS
                    if keep:
                        self._idle.append(conn)
                if not keep:
                    conn.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot across several statements (a page and its total)."""
        with self.connection() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken up front (``BEGIN IMMEDIATE``) so a read-modify-write cannot
        interleave with another writer; waits up to ``busy_timeout`` for the lock."""
        with self.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


# --- set-up -----------------------------------------------------------------------------------------


def existing_tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def table_columns(conn: sqlite3.Connection, table: str) -> frozenset[str]:
    return frozenset(row[1] for row in conn.execute(f'PRAGMA table_info("{table}")'))


def index_columns(conn: sqlite3.Connection, table: str) -> dict[str, tuple[str, ...]]:
    """Every index on ``table`` (named or automatic) with its key columns in order."""
    out: dict[str, tuple[str, ...]] = {}
    for row in conn.execute(f'PRAGMA index_list("{table}")'):
        name = row[1]
        cols = tuple(
            str(c[2]) if c[2] is not None else "<expr>" for c in conn.execute(f'PRAGMA index_info("{name}")')
        )
        out[name] = cols
    return out


def bootstrap(conn: sqlite3.Connection) -> tuple[bool, list[str]]:
    """Create whatever core tables are missing (with Mastra's exact DDL) and, for a brand-new file,
    the dashboard's indexes. Returns ``(fresh_file, created_tables)``. Never alters a table."""
    tables = existing_tables(conn)
    fresh = not tables
    missing = [t for t in TABLE_DDL if t not in tables]
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        pass  # a read-only file keeps its journal mode
    if missing or fresh:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in missing:
                # SQLite stores the statement without "IF NOT EXISTS", exactly as Mastra's file has it.
                conn.execute(TABLE_DDL[table].replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1))
                for ddl in MASTRA_INDEX_DDL.get(table, ()):
                    conn.execute(ddl)
            if fresh:
                for index in RECOMMENDED_INDEXES:
                    conn.execute(index.sql)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return fresh, missing


def file_exists(path: str) -> bool:
    return os.path.exists(path) and os.path.getsize(path) > 0


__all__ = [
    "ConnectionPool",
    "bootstrap",
    "decode_json_cell",
    "dumps",
    "index_columns",
    "json_extract_sql",
    "lenient_utf8",
    "table_columns",
    "translate",
]
