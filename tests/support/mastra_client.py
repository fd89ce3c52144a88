"""Run tests/node/mastra_convex_client.mjs: Mastra's own TypeScript ConvexStore, from Python.

``mastra(server, "write" | "read" | "bench", spec)`` sends ``spec`` as JSON on stdin and returns the
script's JSON output; see the script's header for the spec of each command.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from dashboard.demo.convex_dev import ConvexDevServer
from dashboard.demo.node import node_executable

SCRIPT = Path(__file__).resolve().parents[1] / "node" / "mastra_convex_client.mjs"


def mastra(server: ConvexDevServer, command: str, spec: dict[str, Any]) -> Any:
    done = subprocess.run(
        [node_executable(), str(SCRIPT), command, "--url", server.url, "--admin-key", server.admin_key],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
