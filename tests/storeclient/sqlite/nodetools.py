"""Running the Node helpers in tests/node with Mastra's own packages from convex/node_modules."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dashboard.demo.node import NodeNotFound, node_executable

REPO = Path(__file__).resolve().parents[3]
NODE_DIR = REPO / "tests" / "node"
LIBSQL_PACKAGE = REPO / "convex" / "node_modules" / "@mastra" / "libsql" / "package.json"


def node_available() -> bool:
    try:
        node_executable()
    except NodeNotFound:
        return False
    return LIBSQL_PACKAGE.exists()


needs_node = pytest.mark.skipif(
    not node_available(), reason="needs node and convex/node_modules (run `make node`)"
)


def run_node(script: str, *args: str, stdin: str | None = None, timeout: float = 120) -> Any:
    """Run a script from tests/node and parse its JSON output."""
    proc = subprocess.run(
        [node_executable(), str(NODE_DIR / script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    if proc.returncode != 0:
        raise AssertionError(f"node {script} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)
