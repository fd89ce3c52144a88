"""The contract suite runs every test against each store: the embedded SQLite store, and the Python
ConvexStore talking to the local Convex dev server in both of its modes:

* ``convex``: the deployment has Mastra's real ``@mastra/convex`` handler *and* the dashboard's own
  module (``convex/mastra/dashboard.ts``), so the dashboard additions go through the module;
* ``convex-handler-only``: a second dev server without the module (``--exclude-module``), as most
  Mastra deployments are, so the same additions take the standard-handler fallback paths.
"""

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

STORE_KINDS = ["sqlite", "convex", "convex-handler-only"]
CONVEX_BACKENDS = {"convex": "convex_backend", "convex-handler-only": "convex_handler_only_backend"}
EXPECTED_MODE = {"convex": "dashboard module", "convex-handler-only": "standard handler"}


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
        backend = request.getfixturevalue(CONVEX_BACKENDS[store_kind])
        convex_store = ConvexStore(backend.url, backend.admin_key)
        # Each kind must really exercise its path, or the two Convex runs would test the same code.
        assert convex_store.mode() == EXPECTED_MODE[store_kind]
        yield convex_store
        convex_store.close()


@pytest.fixture
def write_raw(store: Store, store_kind: str, tmp_path: Path) -> RawWriter:
    """Write a row exactly as given, bypassing the store's encoders: for legacy encodings that only
    old versions of Mastra (or other tools) produce."""
    if store_kind in CONVEX_BACKENDS:
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
