"""Start and stop the local Convex dev server (convex/devserver/server.dev.mjs) from Python.

The server runs the project's real Convex modules (mastra/storage.ts, and any others in convex/)
inside convex-test and speaks Convex's HTTP function API on 127.0.0.1. See convex/README.md.

    with ConvexDevServer() as server:
        httpx.post(f"{server.url}/api/mutation", headers={"Authorization": f"Convex {server.admin_key}"}, ...)
"""

from __future__ import annotations

import collections
import os
import queue
import secrets
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Never, Self

import httpx

from dashboard.demo.node import NodeNotFound, node_executable

CONVEX_DIR = Path(__file__).resolve().parents[2] / "convex"
SERVER_SCRIPT = CONVEX_DIR / "devserver" / "server.dev.mjs"


class ConvexDevServerError(RuntimeError):
    """The dev server could not be started (or reset); the message says what to do."""


class ConvexDevServer:
    """One dev server process. Not started until :meth:`start`; usable as a context manager.

    ``exclude_modules`` starts it without those function modules (e.g. ``"mastra/dashboard"`` to
    act like a deployment that only has Mastra's handler). ``with_test_module`` also serves the
    ``devserver_test:*`` functions used to test visibility rules.
    """

    def __init__(
        self,
        port: int | None = None,
        admin_key: str | None = None,
        exclude_modules: Iterable[str] = (),
        *,
        with_test_module: bool = False,
        startup_timeout: float = 60.0,
    ) -> None:
        self.port = port or 0
        # Shaped like a real Convex key ("<instance>|<secret>") so clients see realistic input.
        self.admin_key = admin_key or f"local-dev-server|{secrets.token_hex(32)}"
        self.exclude_modules = tuple(exclude_modules)
        self.with_test_module = with_test_module
        self.startup_timeout = startup_timeout
        self._url: str | None = None
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None
        self._http: httpx.Client | None = None

    def __repr__(self) -> str:  # never show the admin key
        return f"<ConvexDevServer {self._url or 'not started'}>"

    @property
    def url(self) -> str:
        if self._url is None:
            raise ConvexDevServerError("the dev server is not running; call start() first")
        return self._url

    def start(self) -> Self:
        if self._process is not None:
            return self
        try:
            node = node_executable()
        except NodeNotFound as exc:
            raise ConvexDevServerError(str(exc)) from None
        if not (CONVEX_DIR / "node_modules" / "convex-test").is_dir():
            raise ConvexDevServerError(f"{CONVEX_DIR}/node_modules is missing: run `npm ci` in convex/")

        args = [node, str(SERVER_SCRIPT), "--port", str(self.port)]
        for module in self.exclude_modules:
            args += ["--exclude-module", module]
        if self.with_test_module:
            args.append("--with-test-module")
        # The key goes through the environment, not argv, so `ps` does not show it.
        env = {**os.environ, "CONVEX_DEV_ADMIN_KEY": self.admin_key}
        # A file, not a pipe: nobody has to drain it, and it is still readable after a crash.
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 (closed by stop())
        self._process = subprocess.Popen(
            args,
            cwd=CONVEX_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._url = self._wait_until_ready(self._process)
        # One client for every reset: building an httpx.Client costs ~35 ms (its SSL context).
        self._http = httpx.Client(timeout=30)
        return self

    def _wait_until_ready(self, process: subprocess.Popen[str]) -> str:
        lines: queue.Queue[str | None] = queue.Queue()

        def pump(stream: IO[str]) -> None:
            # Keeps draining stdout after READY so the server can never block on a full pipe.
            for line in stream:
                lines.put(line)
            lines.put(None)

        assert process.stdout is not None
        threading.Thread(target=pump, args=(process.stdout,), daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                self._fail(f"the dev server exited with code {process.wait()} before it was ready")
            elif line.startswith("READY "):
                return line.split()[1]
        self._fail(f"the dev server was not ready within {self.startup_timeout:.0f} s")

    def _fail(self, reason: str) -> Never:
        tail = self.stderr_tail()
        self.stop()
        raise ConvexDevServerError(f"{reason}. Its stderr ends with:\n{tail or '(nothing)'}")

    def stderr_tail(self, lines: int = 30) -> str:
        """The last lines the server wrote to stderr (its errors and the functions' console output)."""
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        return "".join(collections.deque(self._stderr, maxlen=lines)).rstrip()

    def stop(self) -> None:
        process, self._process, self._url = self._process, None, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._http is not None:
            self._http.close()
            self._http = None

    def reset(self) -> None:
        """Replace the server's in-memory deployment with an empty one (same functions, no data)."""
        if self._http is None:
            raise ConvexDevServerError("the dev server is not running; call start() first")
        response = self._http.post(
            f"{self.url}/__dev/reset", headers={"Authorization": f"Convex {self.admin_key}"}
        )
        if response.status_code != 200:
            raise ConvexDevServerError(f"reset failed with HTTP {response.status_code}: {response.text}")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
