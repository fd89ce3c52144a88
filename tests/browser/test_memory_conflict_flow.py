"""Two teammates editing one working memory in real browsers: no sequence of default clicks loses
either edit, a merge of edits that do not overlap keeps both, and overwriting takes its own, clearly
worded choice. Also: leaving with an unsaved draft asks first (full navigation and htmx)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Browser, Dialog, Page, expect

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.dashboard.memory_records import (
    ARJUN_MEMORY,
    DANA_MEMORY,
    THREAD_MEMORY,
    MemoryRecords,
    seed_memory,
)

from .conftest import PASSWORD
from .layout_checks import past_the_edge

EDDIES_NOTE = "- **Note**: call back on Monday\n"
ERINS_NOTE = "- **Note**: prefers a refund over a replacement\n"


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "mastra.db") as sqlite_store, use_store(sqlite_store):
        yield sqlite_store


@pytest.fixture
def records(store: SQLiteStore) -> MemoryRecords:
    return seed_memory(store)


@pytest.fixture
def teammates(browser: Browser, live_server: Any, signed_in) -> Iterator[tuple[Page, Page]]:
    """Two editors, each signed in in a browser context of their own."""
    first = signed_in("editor")
    user = User.objects.create_user(username="erin", password=PASSWORD)
    user.groups.add(Group.objects.get(name="editor"))
    context = browser.new_context()
    second = context.new_page()
    second.goto(f"{live_server.url}/accounts/login/")
    second.fill("input[name=username]", "erin")
    second.fill("input[name=password]", PASSWORD)
    second.click("button[type=submit]")
    second.wait_for_load_state("networkidle")
    yield first, second
    context.close()


def _memory(store: SQLiteStore, scope: str, target_id: str) -> str | None:
    record = (
        store.memory.get_resource_by_id(target_id)
        if scope == "resource"
        else store.memory.get_thread_by_id(target_id)
    )
    assert record is not None
    return record.working_memory


CASES = {
    "resource-markdown": ("resource", "dana", DANA_MEMORY + EDDIES_NOTE, DANA_MEMORY + ERINS_NOTE),
    "thread-markdown": ("thread", "thread", THREAD_MEMORY + EDDIES_NOTE, THREAD_MEMORY + ERINS_NOTE),
    "resource-json": (
        "resource",
        "arjun",
        json.dumps({**json.loads(ARJUN_MEMORY), "timezone": "Europe/London"}, indent=2),
        json.dumps({**json.loads(ARJUN_MEMORY), "vip": True}, indent=2),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_default_clicks_after_a_conflict_keep_both_edits(teammates, live_server, store, records, case):
    scope, record_name, eddies, erins = CASES[case]
    target_id = getattr(records, record_name).id
    url = f"{live_server.url}/{scope}s/{target_id}/memory/"
    eddie, erin = teammates
    eddie.goto(url)
    erin.goto(url)

    eddie.fill("#memory-draft", eddies)
    eddie.click("#save-button")
    expect(eddie.locator(".flash")).to_contain_text("Saved.")

    erin.fill("#memory-draft", erins)
    erin.click("#save-button")
    expect(erin.locator("#conflict")).to_contain_text("Someone else changed this working memory")
    # The editor's own button, pressed again, only compares again: Eddie's edit is still stored.
    expect(erin.locator("#save-button")).to_have_text("Check my draft against theirs")
    erin.click("#save-button")
    expect(erin.locator("#conflict")).to_be_visible()
    assert _memory(store, scope, target_id) == (
        json.dumps(json.loads(eddies), separators=(",", ":")) if "json" in case else eddies
    )

    # The first choice offered is the merge, shown before it is saved.
    expect(erin.locator("#conflict-choices button").first).to_have_id("save-merge-button")
    erin.click("#save-merge-button")
    expect(erin.locator(".flash")).to_contain_text("Saved.")
    stored = _memory(store, scope, target_id)
    assert stored is not None
    if "json" in case:
        assert json.loads(stored) == {**json.loads(ARJUN_MEMORY), "timezone": "Europe/London", "vip": True}
    else:
        assert stored.endswith(EDDIES_NOTE + ERINS_NOTE)


def test_overwriting_a_teammates_edit_needs_the_explicit_choice_and_shows_what_it_removes(
    teammates, live_server, store, records
):
    url = f"{live_server.url}/resources/{records.dana.id}/memory/"
    eddie, erin = teammates
    eddie.goto(url)
    erin.goto(url)
    eddies = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    eddie.fill("#memory-draft", eddies)
    eddie.click("#save-button")
    expect(eddie.locator(".flash")).to_contain_text("Saved.")

    erins = DANA_MEMORY.replace("Portland, OR", "Eugene, OR")
    erin.fill("#memory-draft", erins)
    erin.click("#save-button")
    expect(erin.locator("#conflict-overlap")).to_contain_text("Your edits overlap theirs")
    # At phone width the choices stack inside the page; nothing in it is wider than the screen.
    erin.set_viewport_size({"width": 390, "height": 844})
    assert past_the_edge(erin) == []
    expect(erin.locator("#save-merge-button")).to_have_count(0)
    # What overwriting would remove is on screen without opening anything.
    expect(erin.locator("#conflict-resolution tr.diff-removed")).to_be_visible()
    expect(erin.locator("#conflict-resolution tr.diff-removed")).to_contain_text("Seattle, WA")
    erin.click("#save-button")
    expect(erin.locator("#conflict")).to_be_visible()
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == eddies

    erin.get_by_role("button", name="Overwrite their version with my draft").click()
    expect(erin.locator(".flash")).to_contain_text("Your draft replaced the version your teammate stored")
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == erins


def test_leaving_with_an_unsaved_draft_asks_first_and_staying_keeps_it(
    signed_in, live_server, store, records
):
    page = signed_in("editor")
    url = f"{live_server.url}/resources/{records.dana.id}/memory/"
    page.goto(url)
    draft = DANA_MEMORY + "- **Pets**: a cat\n"
    page.fill("#memory-draft", draft)

    dialogs: list[str] = []

    def stay(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator(".breadcrumbs a", has_text="Resources").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url == url
    expect(page.locator("#memory-draft")).to_have_value(draft)

    # An htmx navigation (a link that pushes its URL) asks too.
    page.evaluate(
        """() => {
          const link = document.createElement("a");
          link.id = "htmx-nav"; link.textContent = "Threads";
          link.setAttribute("hx-get", "/threads/"); link.setAttribute("hx-target", "main");
          link.setAttribute("hx-push-url", "true");
          document.querySelector("main").prepend(link);
          htmx.process(link);
        }"""
    )
    page.click("#htmx-nav")
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload", "confirm"]
    assert page.url == url
    expect(page.locator("#memory-draft")).to_have_value(draft)

    # Saving is not leaving: no question.
    page.click("#save-button")
    expect(page.locator(".flash")).to_contain_text("Saved.")
    assert dialogs == ["beforeunload", "confirm"]


def test_after_a_conflict_the_draft_counts_as_unsaved_before_any_typing(
    signed_in, live_server, store, records
):
    page = signed_in("editor")
    url = f"{live_server.url}/resources/{records.dana.id}/memory/"
    page.goto(url)
    store.memory.update_resource(records.dana.id, working_memory=DANA_MEMORY + EDDIES_NOTE)
    page.fill("#memory-draft", DANA_MEMORY + ERINS_NOTE)
    page.click("#save-button")
    expect(page.locator("#conflict")).to_be_visible()

    dialogs: list[str] = []

    def stay(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator(".breadcrumbs a", has_text="Resources").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    # "Keep theirs" is an explicit discard: it does not ask.
    page.click("#keep-theirs")
    expect(page.locator("#conflict")).to_have_count(0)
    assert dialogs == ["beforeunload"]
