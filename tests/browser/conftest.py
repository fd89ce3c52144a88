"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the machine's /usr/bin/chromium is used (CI installs the Debian
package). Each test gets a fresh browser context; ``signed_in`` logs a persona in through the real
login form, so session and CSRF handling are exercised as a person meets them.
"""

from __future__ import annotations

import os
import shutil
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
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_load_state("networkidle")
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
