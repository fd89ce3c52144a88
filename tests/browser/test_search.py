"""Search in a real browser: typing in the header box shows results without a reload, a click opens
the thread scrolled to the message, the link survives newer messages, and all of it works at 390 px."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.dashboard.search.records import write_conversations
from tests.dashboard.thread_records import Records, long_thread, write


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db")
    write_conversations(store)
    write(store, long_thread(200))
    with use_store(store):
        yield store
    store.close()


#: The right edge of the furthest-reaching element of the header box and its quick results.
WIDEST_SEARCH_ELEMENT = (
    "Math.max(...[...document.querySelectorAll('.header-search, .header-search *')]"
    ".map(e => e.getBoundingClientRect().right))"
)


def type_in_header_box(page: Page, text: str) -> None:
    page.evaluate("window.__sameDocument = true")
    page.locator(".header-search input[type=search]").press_sequentially(text, delay=30)


def expect_message_in_view(page: Page, message_id: str) -> None:
    message = page.locator(f'[id="msg-{message_id}"]')
    expect(message).to_be_visible()
    expect(message).to_be_in_viewport()


def test_typing_in_the_header_box_shows_results_and_a_click_opens_the_message(signed_in, store):
    page = signed_in("viewer")
    type_in_header_box(page, '"number 50"')
    hit = page.locator(".quick-hit").first
    expect(hit).to_be_visible()
    expect(hit).to_contain_text("Message number 50")
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    hit.click()
    page.wait_for_url("**/threads/thread-long/?at=thread-long-0050*")
    expect_message_in_view(page, "thread-long-0050")


def test_the_link_still_opens_the_message_after_fifty_newer_ones(signed_in, store, live_server):
    page = signed_in("viewer")
    link = f"{live_server.url}/threads/thread-long/?at=thread-long-0050#msg-thread-long-0050"
    more = long_thread(250)
    write(store, Records(threads=more.threads, messages=more.messages[200:]))
    page.goto(link)
    expect_message_in_view(page, "thread-long-0050")
    expect(page.get_by_role("link", name="Show the newest messages →")).to_be_visible()


def test_the_search_page_updates_as_you_type_and_keeps_the_state_in_the_url(signed_in, store, live_server):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/search/")
    page.evaluate("window.__sameDocument = true")
    page.locator(".search-main input[name=q]").press_sequentially("cracked", delay=30)
    expect(page.locator(".result-thread")).to_have_count(1)
    expect(page.locator(".result-thread mark").first).to_have_text("cracked")
    page.wait_for_url("**/search/?q=cracked*")
    assert page.evaluate("window.__sameDocument") is True


def test_search_works_at_phone_width(signed_in, store, page: Page):
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in("viewer")
    # On a phone the header's search box is in the menu: open it first.
    page.locator(".site-menu-toggle").click()
    box = page.locator(".header-search input[type=search]")
    expect(box).to_be_visible()
    type_in_header_box(page, "laminate")
    hit = page.locator(".quick-hit").first
    expect(hit).to_be_visible()
    # The box and its results fit the screen (the nav links' own overflow is the header's business).
    assert page.evaluate(WIDEST_SEARCH_ELEMENT) <= 390
    hit.click()
    page.wait_for_url("**/threads/thr-recipe/?at=m-recipe-1*")
    expect_message_in_view(page, "m-recipe-1")
