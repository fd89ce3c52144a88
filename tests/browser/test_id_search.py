"""The "id starts with" boxes in a real browser, on a phone-sized screen: the resources search and
the thread list's resource box swap their table in place, keep the query in the URL, and fit in
390 px without sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from storeclient.models import Resource
from storeclient.sqlite import SQLiteStore
from tests.dashboard.thread_records import many_threads, write

PHONE = {"width": 390, "height": 844}
T0 = datetime(2026, 1, 9, 14, 2, 11, tzinfo=UTC)
OWNERS = ["user_d82c07", "USER_D82A", "user_d83", "user_8f2c1a"]


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db")
    for i, owner in enumerate(OWNERS):
        at = T0 + timedelta(minutes=i)
        store.memory.save_resource(Resource(owner, at, at, f"# User {i}\n", {}))
    threads = many_threads(len(OWNERS))
    threads.threads = [replace(t, resource_id=o) for t, o in zip(threads.threads, OWNERS, strict=True)]
    write(store, threads)
    with use_store(store):
        yield store
    store.close()


def fits_the_screen(page: Page) -> None:
    """Nothing of the search form or the results reaches past the screen's right edge."""
    past_the_edge = page.evaluate(
        """(width) => [...document.querySelectorAll('form[role=search], form[role=search] *, main [id$=-table]')]
            .filter((e) => e.getBoundingClientRect().right > width + 1)
            .map((e) => e.tagName + (e.id ? '#' + e.id : '') + (e.name ? '[' + e.name + ']' : ''))""",
        PHONE["width"],
    )
    assert past_the_edge == []


def test_the_resource_search_swaps_the_table_in_place_on_a_phone(signed_in, store, live_server) -> None:
    page = signed_in("viewer")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/resources/")
    page.evaluate("window.notReloaded = true")
    box = page.get_by_role("searchbox", name="Resource id starts with")
    expect(box).to_be_visible()
    fits_the_screen(page)

    box.fill("USER_D82")
    box.press("Enter")

    rows = page.locator("#resource-table tr[data-keynav-href]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("user_d82c07")
    expect(page).to_have_url(f"{live_server.url}/resources/?q=USER_D82")
    assert page.evaluate("window.notReloaded") is True
    fits_the_screen(page)


def test_the_thread_list_resource_box_finds_ids_from_their_start(signed_in, store, live_server) -> None:
    page = signed_in("viewer")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/threads/")
    # On a phone the filter bar is folded: open it first, as a person would.
    page.locator(".filter-bar-toggle").click()
    box = page.get_by_role("searchbox", name="Resource id starts with")
    box.fill("user_d8")
    box.press("Enter")

    cells = page.locator("#thread-table td.mono")
    expect(cells).to_have_count(3)
    expect(page.locator("#thread-order")).to_contain_text("grouped by resource id")
    assert "resource=user_d8" in page.url
    fits_the_screen(page)
