"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the machine's /usr/bin/chromium is used (CI installs the Debian
package). Each test gets a fresh browser context; ``signed_in`` logs a persona in through the real
login form, so session and CSRF handling are exercised as a person meets them.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page

from dashboard.core.store import use_store
from dashboard.demo import dataset
from dashboard.demo.dataset import DemoData
from storeclient.sqlite import SQLiteStore
from tests.support.roles import ensure_roles

from .waits import wait_until_settled

# Playwright runs an event loop in this thread; Django's ORM refuses that unless told it is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery staple 42"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Without Chromium a developer gets a clear skip; CI (CI=true) installs it, so there it must fail.
    missing = not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true"
    skip = pytest.mark.skip(reason="Chromium is not installed: apt-get install chromium (Debian's package)")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


class _InFlight:
    """Counts the live server's requests in progress. With the in-memory test database the server
    thread shares the test's connection, so a request still running when the test ends (a page's
    poll) would interleave with pytest-django's flush and could undo it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.running = 0
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            self.running += 1
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return _Closing(result, self._done)

    def _done(self) -> None:
        with self.lock:
            self.running -= 1

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.running > 0 and time.monotonic() < deadline:
            time.sleep(0.02)


class _Closing:
    """A WSGI response that reports when the server has finished with it."""

    def __init__(self, result: Any, done: Callable[[], None]) -> None:
        self.result = result
        self.done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.done()


@pytest.fixture(autouse=True)
def _live_server_quiet_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Before the database is flushed after a live-server test, wait for the requests already
    running to finish."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so flushed after this teardown
    server = request.getfixturevalue("live_server")
    httpd = server.thread.httpd
    in_flight = httpd.get_app()
    if not isinstance(in_flight, _InFlight):
        in_flight = _InFlight(in_flight)
        httpd.set_app(in_flight)
    yield  # the page and its context close before this (set up after it), so no new polls start
    in_flight.wait_idle()


@pytest.fixture
def signed_in(page: Page, live_server: Any, db: None) -> Callable[[str], Page]:
    """``signed_in("editor")`` creates that persona and logs in; returns the page."""

    def sign_in(role: str = "editor") -> Page:
        user = User.objects.create_user(username=f"{role}-persona", password=PASSWORD)
        ensure_roles()  # live_server tests flush the database, roles included
        group = Group.objects.filter(name=role).first()
        if group is not None:
            user.groups.add(group)
        if role == "admin":
            user.is_staff = user.is_superuser = True
            user.save()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():  # to the landing page, or the form again when refused
            page.click("button[type=submit], input[type=submit]")
        wait_until_settled(page)
        assert "/accounts/login/" not in page.url, "login failed"
        return page

    return sign_in


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SQLiteStore, DemoData]]:
    """The small demo data set (seed_demo's), laid out back from now so every period has data."""
    store = SQLiteStore(tmp_path_factory.mktemp("demo-site") / "mastra.db")
    data = dataset.write_small(store, seed=7)
    yield store, data
    store.close()


@pytest.fixture
def demo_store(demo_site: tuple[SQLiteStore, DemoData]) -> Iterator[SQLiteStore]:
    """The demo store serving every view (read-only by convention)."""
    with use_store(demo_site[0]) as store:
        yield store
