"""`make run-convex`: the dashboard against a local Convex dev server (Node, in memory).

Starts the server from dashboard/demo/convex_dev.py, fills it with demo data, runs `runserver` and the
search indexer (`index --follow`) with CONVEX_URL/CONVEX_ADMIN_KEY pointing at it, and stops all three
when runserver ends (Ctrl-C).
The data lives in the server's memory: every start begins from fresh demo data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.demo.convex_dev import ConvexDevServer, ConvexDevServerError


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Command(BaseCommand):
    help = "Run the dashboard against a local Convex dev server with demo data (Ctrl-C stops both)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Port for the dashboard (default 8000).")
        parser.add_argument(
            "--convex-port",
            type=int,
            default=None,
            help="Port for the Convex dev server (default: any free port).",
        )
        parser.add_argument("--scale", choices=["small", "large"], default="small")

    def handle(self, *args: Any, port: int, convex_port: int | None, scale: str, **options: Any) -> None:
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        server = ConvexDevServer(port=convex_port)
        self.stdout.write("Starting the local Convex dev server…")
        try:
            server.start()
        except ConvexDevServerError as exc:
            raise CommandError(str(exc)) from exc
        try:
            self.stdout.write(f"Convex dev server on {server.url} (in memory; stops with the dashboard).")
            # Through the environment, never argv: `ps` shows argv to every user on the machine.
            env = {**os.environ, "CONVEX_URL": server.url, "CONVEX_ADMIN_KEY": server.admin_key}
            subprocess.run([*manage, "seed_demo", "--scale", scale], env=env, check=True)
            self.stdout.write(f"Serving on http://127.0.0.1:{port}/ — Ctrl-C to stop.")
            # The search indexer beside the server (its own group too, stopped with the server).
            indexer = subprocess.Popen([*manage, "index", "--follow"], env=env, start_new_session=True)
            # Its own process group: runserver's autoreloader runs the server in a child process, and
            # stopping the group stops both.
            runserver = subprocess.Popen(
                [*manage, "runserver", f"127.0.0.1:{port}"], env=env, start_new_session=True
            )
            # A `kill` (SIGTERM) must clean up like Ctrl-C does, or the Node server outlives us.
            signal.signal(signal.SIGTERM, _interrupt)
            try:
                runserver.wait()
            except KeyboardInterrupt:
                _stop_group(runserver)
            finally:
                _stop_group(indexer)
        except subprocess.CalledProcessError as exc:
            raise CommandError(f"Seeding the dev server failed (exit {exc.returncode}).") from exc
        finally:
            server.stop()
            self.stdout.write("Stopped the Convex dev server.")
