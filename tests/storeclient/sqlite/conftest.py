"""Fixtures for the SQLite store tests: a fresh store (and its file) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storeclient.sqlite import SQLiteStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "mastra.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(db_path)
    yield s
    s.close()
