"""A real Mastra server for the run-action tests: tests/node/mastra_server.mjs (the pinned @mastra/core
behind @mastra/hono on @hono/node-server), its storage a mastra.db that the dashboard's SQLiteStore
reads too. ``MastraTestServer.start_run`` starts a run the way an app would (through the server's
own routes), so the dashboard then sees it exactly as a team's store would hold it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

SCRIPT = Path(__file__).resolve().parents[1] / "node" / "mastra_server.mjs"
START_TIMEOUT_S = 90


@dataclass
class MastraTestServer:
    url: str
    token: str
    db_path: Path | None
    process: subprocess.Popen[str]

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url + "/api", headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )

    def start_run(self, workflow_id: str, input_data: Any, resource_id: str = "customer-7") -> str:
        with self._client() as client:
            created = client.post(f"/workflows/{workflow_id}/create-run", json={"resourceId": resource_id})
            created.raise_for_status()
            run_id: str = created.json()["runId"]
            client.post(
                f"/workflows/{workflow_id}/start", params={"runId": run_id}, json={"inputData": input_data}
            )
        return run_id

    def run_status(self, workflow_id: str, run_id: str) -> dict[str, Any]:
        with self._client() as client:
            answer = client.get(f"/workflows/{workflow_id}/runs/{run_id}")
            answer.raise_for_status()
            result: dict[str, Any] = answer.json()
            return result

    def wait_for_status(
        self, workflow_id: str, run_id: str, status: str, timeout_s: float = 30
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                last = self.run_status(workflow_id, run_id)
            except httpx.HTTPStatusError:
                last = {}
            if last.get("status") == status:
                return last
            time.sleep(0.2)
        raise AssertionError(f"run {run_id} never reached {status!r}; last seen {last.get('status')!r}")


@contextmanager
def mastra_test_server(
    db_path: Path | None, *, convex_url: str = "", convex_admin_key: str = ""
) -> Iterator[MastraTestServer]:
    """The server on ``db_path`` (a mastra.db), or with ``db_path=None`` on a Convex deployment."""
    node = shutil.which("node")
    assert node, "node (Node.js >= 20) is needed to run the Mastra server"
    token = f"mastra-test-token-{secrets.token_hex(12)}"
    env = {
        **os.environ,
        "MASTRA_TEST_CONVEX_URL": convex_url,
        "MASTRA_TEST_CONVEX_ADMIN_KEY": convex_admin_key,
    }
    process = subprocess.Popen(
        [node, str(SCRIPT), str(db_path) if db_path is not None else "convex", token],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        line = ""
        while time.monotonic() < deadline and not line:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                raise AssertionError(
                    f"the Mastra server exited: {process.stderr.read() if process.stderr else ''}"
                )
        url = json.loads(line)["url"]
        yield MastraTestServer(url=url, token=token, db_path=db_path, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
