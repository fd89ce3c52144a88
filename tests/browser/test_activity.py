"""/activity/ in a real browser: a message a writer saves appears within one poll, without a reload;
while the tab is hidden nothing is fetched, and coming back shows what arrived meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from storeclient.models import Message
from storeclient.sqlite import SQLiteStore
from tests.dashboard.search.records import ORDER, text, write_conversations


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    write_conversations(store)
    with use_store(store):
        yield store
    store.close()


def say(store: SQLiteStore, message_id: str, words: str) -> None:
    store.memory.save_messages(
        [Message(message_id, ORDER.id, "user", datetime.now(UTC), text(words), ORDER.resource_id)]
    )


HIDE = """() => {
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
SHOW = """() => {
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_new_messages_appear_within_one_poll_and_not_while_hidden(signed_in, store, live_server):
    say(store, "m-live-1", "First live message")
    page: Page = signed_in("viewer")
    page.goto(f"{live_server.url}/activity/")
    expect(page.locator('[data-message-id="m-live-1"]')).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    say(store, "m-live-2", "Second live message")
    expect(page.locator('[data-message-id="m-live-2"]')).to_be_visible(timeout=6_000)  # poll: 3 s

    page.evaluate(HIDE)
    say(store, "m-live-3", "Written while the tab is hidden")
    page.wait_for_timeout(7_000)  # two visible poll periods
    expect(page.locator('[data-message-id="m-live-3"]')).to_have_count(0)

    page.evaluate(SHOW)  # coming back refreshes at once
    expect(page.locator('[data-message-id="m-live-3"]')).to_be_visible(timeout=3_000)
    assert page.evaluate("window.__sameDocument") is True


def test_activity_fits_a_phone(signed_in, store, live_server, page: Page):
    say(store, "m-live-1", "x" * 400)
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in("viewer")
    page.goto(f"{live_server.url}/activity/")
    expect(page.locator('[data-message-id="m-live-1"]')).to_be_visible()
    page.wait_for_load_state("load")  # the stylesheets that wrap the long word
    assert (
        page.evaluate(
            "Math.max(...[...document.querySelectorAll('main *')].map(e => e.getBoundingClientRect().right))"
        )
        <= 390
    )
