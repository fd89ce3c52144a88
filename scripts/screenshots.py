#!/usr/bin/env python
"""Fresh screenshots of the main pages for the README, at a laptop's size (1440x900) and a phone's
(390x844), on `make run`'s demo data.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--theme light|dark]

Everything is throwaway: a fresh dashboard database and demo store in a temporary folder, a
`manage.py runserver` on a free port of 127.0.0.1 (stopped at the end), one admin user; Playwright
drives the system Chromium (/usr/bin/chromium) as the browser tests do. Never `playwright install`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
#: (file name, how to find the page from the overview). Pages whose address holds an id are reached
#: by following the first link, so the script needs no knowledge of the demo data's ids.
PAGES: list[tuple[str, str, str | None]] = [
    ("overview", "/", None),
    ("threads", "/threads/", None),
    ("thread", "/threads/", "table.thread-rows tbody a"),
    ("resource", "/resources/", "#resource-table tbody a"),
    ("workflow-runs", "/workflows/?status=failed", None),
    ("workflow-run", "/workflows/?status=failed", "table.run-rows tbody td:nth-child(2) a"),
    ("scores", "/scores/", None),
    ("scorer", "/scores/", ".scorer-card h2 a"),
    ("audit", "/audit/", None),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, input=stdin, text=True
    )


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("runserver stopped before answering")
        try:
            urllib.request.urlopen(url + "healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("runserver did not answer within 20 s")


def shoot(page: Page, base: str, out: Path, size: str) -> None:
    for name, path, follow in PAGES:
        page.goto(base + path)
        if follow:
            page.locator(follow).first.click()
        page.wait_for_load_state("networkidle")
        # Charts animate in; wait for them to settle so the picture is the finished chart.
        page.wait_for_timeout(700)
        target = out / f"{name}-{size}.png"
        page.screenshot(path=str(target), full_page=size == "phone" and name in {"overview", "threads"})
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--theme", choices=["light", "dark"], default="light")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="dashboard-screenshots-"))
    password = secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "DJANGO_DEBUG": "True",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{work / 'dashboard.sqlite3'}",
        "MASTRA_SQLITE_PATH": str(work / "mastra.db"),
    }
    # The settings refuse a store path that does not exist (a mistyped path must not start empty).
    sqlite3.connect(work / "mastra.db").close()
    env.pop("CONVEX_URL", None)
    env.pop("CONVEX_ADMIN_KEY", None)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "add_user", "ada", "--role", "admin", "--password-from-stdin", stdin=password + "\n")
    manage(env, "seed_demo")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for size, viewport in SIZES.items():
                context = browser.new_context(
                    viewport=viewport,
                    color_scheme=options.theme,
                    device_scale_factor=1,
                    is_mobile=size == "phone",
                    has_touch=size == "phone",
                )
                page = context.new_page()
                page.goto(base + "accounts/login/")
                page.fill("input[name=username]", "ada")
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                shoot(page, base.rstrip("/"), options.out, size)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
