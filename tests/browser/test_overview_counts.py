"""The overview's counts on Convex in Chromium: the line that says when they were counted and
which came from the dashboard's index, with the editors' "Count now", fits a phone and a desktop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from storeclient import ConvexStore
from tests.browser.layout_checks import check_fits
from tests.dashboard.test_overview_on_convex import indexed

pytestmark = pytest.mark.convex


@pytest.fixture
def indexed_store(convex_backend, transactional_db) -> Iterator[ConvexStore]:
    yield from indexed(convex_backend)


@pytest.mark.parametrize("width", [390, 1440])
def test_the_counts_say_where_they_came_from_and_fit_the_screen(signed_in, live_server, indexed_store, width):
    page = signed_in("editor")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    said = page.locator(".counts-as-of")
    expect(said).to_contain_text("Threads, messages, resources, scores from the dashboard's index.")
    expect(page.locator(".stat", has_text="Messages")).to_contain_text("80")
    count_now = said.get_by_role("button", name="Count now")
    expect(count_now).to_be_visible()
    check_fits(page, f"the overview at {width} px")
    count_now.click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator(".stat", has_text="Threads")).to_contain_text("31")
