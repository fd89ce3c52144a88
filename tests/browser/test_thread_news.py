"""A thread and the thread list in a real browser while an agent writes: "2 new messages — show"
appears within one poll without a reload, "show" appends them below with the reader's scroll
kept, nothing is fetched while the tab is hidden, and the notice fits a phone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from storeclient.models import Message, Thread
from storeclient.sqlite import SQLiteStore
from tests.browser.test_activity import HIDE, SHOW
from tests.dashboard.thread_records import Records, long_thread, write

POLL_MS = 3_000


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db")
    write(store, Records().add(long_thread(30, "thread-live", title="Watching an agent work")))
    with use_store(store):
        yield store
    store.close()


def say(store: SQLiteStore, message_id: str, words: str, thread_id: str = "thread-live") -> None:
    thread = store.memory.get_thread_by_id(thread_id)
    assert thread is not None
    store.memory.save_messages(
        [
            Message(
                message_id,
                thread_id,
                "assistant",
                datetime.now(UTC),
                {"format": 2, "parts": [{"type": "text", "text": words}]},
                thread.resource_id,
            )
        ]
    )


def polls_of(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "after_at=" in r.url or "since=" in r.url else None)
    return seen


def test_new_messages_are_announced_and_shown_in_place(signed_in, store, live_server):
    page: Page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/thread-live/")
    page.evaluate("window.__sameDocument = true")
    # The reader is somewhere in the middle of the thread.
    page.locator("article.message").nth(10).scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 50)")

    say(store, "m-live-1", "Looking up your order now.")
    say(store, "m-live-2", "Found it: it ships tomorrow.")
    notice = page.locator("#thread-news [data-news-count]")
    expect(notice).to_have_text("2 new messages", timeout=POLL_MS + 3_000)
    expect(page.locator("#msg-m-live-1")).to_have_count(0)

    before = page.evaluate("window.scrollY")
    page.locator("#thread-news").get_by_role("link", name="show").click()
    expect(page.locator("#msg-m-live-2")).to_be_visible()
    assert page.evaluate("window.scrollY") == before  # appended below: the reader stays put
    ids = page.locator("article.message").evaluate_all("els => els.slice(-2).map(e => e.id)")
    assert ids == ["msg-m-live-1", "msg-m-live-2"]
    expect(notice).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True

    say(store, "m-live-3", "Anything else?")  # counted from the shown ones
    expect(notice).to_have_text("1 new message", timeout=POLL_MS + 3_000)


def test_nothing_is_fetched_while_the_tab_is_hidden(signed_in, store, live_server):
    page: Page = signed_in("viewer")
    polls = polls_of(page)
    page.goto(f"{live_server.url}/threads/thread-live/")
    page.evaluate(HIDE)
    polls.clear()
    say(store, "m-hidden", "Written while nobody looks")
    page.wait_for_timeout(2 * POLL_MS + 1_000)
    assert polls == []
    expect(page.locator("#thread-news [data-news-count]")).to_have_count(0)
    page.evaluate(SHOW)  # coming back looks at once
    expect(page.locator("#thread-news [data-news-count]")).to_have_text("1 new message", timeout=2_000)


def test_the_thread_list_announces_new_threads(signed_in, store, live_server):
    page: Page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/")
    expect(page.get_by_role("link", name="Watching an agent work")).to_be_visible()
    now = datetime.now(UTC)
    store.memory.save_thread(Thread("thread-fresh", "user_new", "A brand new conversation", now, now, {}))
    notice = page.locator("#thread-news [data-news-count]")
    expect(notice).to_have_text("1 new thread", timeout=POLL_MS + 3_000)
    page.locator("#thread-news").get_by_role("link", name="show").click()
    expect(page.get_by_role("link", name="A brand new conversation")).to_be_visible()
    expect(notice).to_have_count(0)


@pytest.mark.parametrize("path", ["/threads/thread-live/", "/threads/"])
def test_the_notice_fits_a_phone(signed_in, store, live_server, page: Page, path):
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in("viewer")
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("load")
    now = datetime.now(UTC)
    if path == "/threads/":
        store.memory.save_thread(Thread("thread-fresh", "user_new", "New " + "x" * 300, now, now, {}))
    else:
        say(store, "m-phone", "y" * 400)
    notice = page.locator("#thread-news .news-status")
    expect(notice).to_be_visible(timeout=POLL_MS + 3_000)
    box = notice.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
