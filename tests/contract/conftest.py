"""The contract suite runs every test against each store: the embedded SQLite store and the Python
ConvexStore talking to the real ``@mastra/convex`` handler in the local Convex dev server."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storeclient import ConvexStore
from storeclient.interface import Store

RawWriter = Callable[[str, dict[str, Any]], None]

STORE_KINDS = ["sqlite", "convex"]


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(store_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if store_kind == "sqlite":
        from storeclient.sqlite import SQLiteStore

        sqlite_store = SQLiteStore(tmp_path / "mastra.db")
        yield sqlite_store
        sqlite_store.close()
    else:
        backend = request.getfixturevalue("convex_backend")
        convex_store = ConvexStore(backend.url, backend.admin_key)
        yield convex_store
        convex_store.close()


@pytest.fixture
def write_raw(store: Store, store_kind: str, tmp_path: Path) -> RawWriter:
    """Write a row exactly as given, bypassing the store's encoders: for legacy encodings that only
    old versions of Mastra (or other tools) produce."""
    if store_kind == "convex":
        assert isinstance(store, ConvexStore)
        return lambda table, record: store.handler.insert(table, record)

    def write_sqlite(table: str, record: dict[str, Any]) -> None:
        row = {k: v for k, v in record.items() if not (table == "mastra_workflow_snapshot" and k == "id")}
        values = [json.dumps(v) if isinstance(v, dict | list) else v for v in row.values()]
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        with sqlite3.connect(tmp_path / "mastra.db") as conn:
            conn.execute(f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({marks})", values)

    return write_sqlite
