"""``python manage.py sqlite_indexes [--apply]``, run as a user runs it (a subprocess, so these tests
stay Django-free)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storeclient.sqlite import RECOMMENDED_INDEXES
from storeclient.sqlite.schema import TABLE_DDL

from .nodetools import REPO

pytestmark = pytest.mark.skipif(
    not (REPO / "dashboard" / "core" / "management" / "commands" / "sqlite_indexes.py").exists(),
    reason="the dashboard app is not there",
)


def _manage(*args: str, path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_DEBUG": "True", "MASTRA_SQLITE_PATH": str(path)}
    env.pop("CONVEX_URL", None)
    env.pop("CONVEX_ADMIN_KEY", None)
    return subprocess.run(
        [sys.executable, "manage.py", "sqlite_indexes", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _mastra_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    for ddl in TABLE_DDL.values():
        conn.execute(ddl)
    conn.commit()
    conn.close()


def test_lists_then_applies(tmp_path: Path) -> None:
    path = tmp_path / "mastra.db"
    _mastra_file(path)
    listed = _manage(path=path)
    assert listed.returncode == 0, listed.stderr
    assert (
        f"{len(RECOMMENDED_INDEXES)} of {len(RECOMMENDED_INDEXES)} recommended indexes are missing"
        in listed.stdout
    )
    assert "CREATE INDEX IF NOT EXISTS dashboard_idx_threads_updated" in listed.stdout
    names = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert not any(n.startswith("dashboard_idx_") for n in names)  # listing changes nothing
    applied = _manage("--apply", path=path)
    assert applied.returncode == 0, applied.stderr
    assert f"all {len(RECOMMENDED_INDEXES)} recommended indexes are present" in applied.stdout
    names = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {i.name for i in RECOMMENDED_INDEXES} <= names
    again = _manage(path=path)
    assert "are present" in again.stdout


def test_missing_file_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    result = _manage(path=path)
    assert result.returncode != 0 and "There is no SQLite file" in result.stderr
    assert not path.exists()
