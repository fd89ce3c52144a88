"""Threads in a real browser: hostile content runs nothing, "Load older" and list paging work in
place with the URL and history kept right, and the keyboard moves through the thread list."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route, expect

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.dashboard.thread_records import Records, hostile_thread, long_thread, many_threads, write


@pytest.fixture(scope="module")
def thread_store(tmp_path_factory) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path_factory.mktemp("threads") / "mastra.db")
    records = Records().add(hostile_thread()).add(long_thread(100)).add(many_threads(40))
    wordy = long_thread(1, "thread-wordy", title="A very long answer")
    wordy.messages[0] = dataclasses.replace(
        wordy.messages[0],
        content={"format": 2, "parts": [{"type": "text", "text": "A very long answer. " * 1_000}]},
    )
    records.add(wordy)
    write(store, records)
    yield store
    store.close()


@pytest.fixture
def store(thread_store: SQLiteStore) -> Iterator[SQLiteStore]:
    with use_store(thread_store):
        yield thread_store


@pytest.fixture
def offline(page: Page, live_server) -> Page:
    """Only the live server answers: images from the payloads' hosts fail at once, without DNS."""

    def route(request_route: Route) -> None:
        if request_route.request.url.startswith(live_server.url):
            request_route.continue_()
        else:
            request_route.abort()

    page.route("**/*", route)
    return page


@pytest.fixture
def watch(page: Page) -> dict[str, list[str]]:
    """Dialogs opened, CSP violations reported, console errors: everything a payload could cause."""
    seen: dict[str, list[str]] = {"dialogs": [], "csp": [], "errors": []}

    def on_dialog(dialog) -> None:
        seen["dialogs"].append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


CHECK_DOM = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name) && (value.startsWith('javascript:') || value.startsWith('vbscript:') || value.startsWith('data:text/html') || value.startsWith('data:image/svg')))
        bad.push(el.tagName + ' ' + name + '=' + attr.value.slice(0, 60));
      if (el.closest('#messages') && name.startsWith('on'))
        bad.push('handler ' + el.tagName + ' ' + name);
      if (el.closest('.message-body') && (name.startsWith('hx-') || name.startsWith('data-hx-')))
        bad.push('htmx ' + el.tagName + ' ' + name);
    }
  }
  return bad;
}"""


def test_a_thread_full_of_xss_payloads_runs_no_script(signed_in, live_server, store, offline, watch):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/thread-hostile/")
    expect(page.locator("article.message")).to_have_count(40)
    # Bring in the older messages too, and open every collapsed block.
    while page.locator(".load-older").count():
        before = page.locator("article.message").count()
        page.click("text=Load older messages")
        expect(page.locator("article.message")).not_to_have_count(before)
    expect(page.locator("article.message")).to_have_count(len(hostile_thread().messages))
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.mouse.move(200, 400)
    page.wait_for_timeout(300)

    assert page.evaluate("window.__xss") is None
    assert watch["dialogs"] == []
    assert page.evaluate("window.__csp") == []
    assert page.evaluate(CHECK_DOM) == []
    # The payloads are there, as text.
    expect(page.locator("h1")).to_contain_text("<script>window.__xss=1</script>")


def back_twice_to_the_newest_page(page: Page, base_url: str) -> None:
    """Back past the two "Load older" pages: the first page's URL and its 40 newest messages."""
    page.go_back()
    expect(page).to_have_url(re.compile(r"cursor="))
    page.go_back()
    expect(page).to_have_url(f"{base_url}/threads/thread-long/")
    messages = page.locator("article.message")
    expect(messages).to_have_count(40)
    expect(messages.first).to_contain_text("Message number 60")


def test_load_older_inserts_older_messages_above_without_a_reload_and_updates_the_url(
    signed_in, live_server, store, offline
):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/thread-long/")
    messages = page.locator("article.message")
    expect(messages).to_have_count(40)
    expect(messages.first).to_contain_text("Message number 60")
    page.evaluate("window.__marker = 1")

    page.click("text=Load older messages")
    expect(messages).to_have_count(80)
    expect(messages.first).to_contain_text("Message number 20")
    expect(messages.nth(40)).to_contain_text("Message number 60")
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert "cursor=" in page.url

    page.click("text=Load older messages")
    expect(messages).to_have_count(100)
    expect(page.locator(".load-older")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1

    # Back: the state before the last "Load older" (its URL, restored from the server).
    back_twice_to_the_newest_page(page, live_server.url)


def test_back_twice_quickly_shows_the_page_of_the_url_even_when_the_page_between_answers_last(
    signed_in, live_server, store, offline
):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/thread-long/")
    messages = page.locator("article.message")
    for count in (80, 100):
        page.click("text=Load older messages")
        expect(messages).to_have_count(count)

    # Going back fetches each page from the server: the answer for the page in between is held
    # until the first page is on screen, then delivered late.
    held: list[Route] = []

    def hold_the_middle_page(request_route: Route) -> None:
        request = request_route.request
        if request.headers.get("hx-history-restore-request") and "cursor=" in request.url:
            held.append(request_route)
        else:
            request_route.fallback()

    page.route(re.compile(r"/threads/thread-long/"), hold_the_middle_page)
    back_twice_to_the_newest_page(page, live_server.url)
    assert held, "the page in between was not fetched"
    for late in held:
        with contextlib.suppress(Exception):  # the page gave up on it: there is nothing to answer
            late.fulfill(response=late.fetch())
    page.wait_for_timeout(500)
    expect(messages.first).to_contain_text("Message number 60")
    expect(messages).to_have_count(40)


def test_a_deep_link_opens_the_page_of_that_message_and_shows_it(signed_in, live_server, store, offline):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/thread-long/")
    page.click("text=Load older messages")
    permalink = page.locator("#msg-thread-long-0030 a.message-permalink").get_attribute("href")
    page.goto(f"{live_server.url}{permalink}")
    target = page.locator("#msg-thread-long-0030")
    expect(target).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == "msg-thread-long-0030"


def test_thread_list_pages_in_place_and_back_returns_to_the_first_page(
    signed_in, live_server, store, offline
):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/")
    rows = page.locator("table[data-keynav] tbody tr")
    first_title = rows.first.inner_text()
    page.evaluate("window.__marker = 1")

    page.click("text=Older →")
    expect(rows.first).not_to_have_text(first_title)
    assert "cursor=" in page.url
    assert page.evaluate("window.__marker") == 1

    page.click("text=← Newer")
    expect(rows.first).to_have_text(first_title)
    page.go_back()
    assert "cursor=" in page.url
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/threads/")
    expect(rows.first).to_have_text(first_title)


def test_filtering_updates_the_table_and_the_url(signed_in, live_server, store, offline):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/")
    page.evaluate("window.__marker = 1")
    # (The header's search box is also called q: this is the list's title filter, in main.)
    page.fill("main input[name=q]", "inbox")
    page.press("main input[name=q]", "Enter")
    expect(page.locator("table[data-keynav] tbody tr")).to_have_count(1)
    assert "q=inbox" in page.url
    assert page.evaluate("window.__marker") == 1


def test_j_and_k_move_the_selection_and_enter_opens_the_thread(signed_in, live_server, store, offline):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/")
    rows = page.locator("table[data-keynav] tbody tr")
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class("is-selected")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(2)).to_have_class("is-selected")
    expect(rows.nth(0)).not_to_have_class("is-selected")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_class("is-selected")

    href = rows.nth(1).get_attribute("data-keynav-href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{href}")
    expect(page.locator("article.message").first).to_be_visible()


def test_typing_in_the_filter_does_not_move_the_selection(signed_in, live_server, store, offline):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/")
    page.fill("input[name=q]", "jk")
    expect(page.locator("tr.is-selected")).to_have_count(0)


def test_show_all_expands_a_long_message(signed_in, live_server, store, offline):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/threads/thread-wordy/")
    body = page.locator("[data-clamp]")
    collapsed = body.bounding_box()["height"]
    page.click("button[data-clamp-toggle]")
    expect(body).to_have_class("part part-text markdown clamp is-expanded")
    assert body.bounding_box()["height"] > collapsed * 2
    expect(page.locator("button[data-clamp-toggle]")).to_have_text("Show less")
