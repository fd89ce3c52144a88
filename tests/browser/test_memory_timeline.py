"""The working-memory timeline in a real browser on a phone: the versions, their diff and line
origins fit 390 px, and an editor restores an agent-written version: a preview of the change, then a confirmation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from dashboard.search.indexer import Indexer
from storeclient.sqlite import SQLiteStore
from tests.dashboard.test_memory_timeline import PROFILE_V1, RESOURCE_ID, write_markdown_history

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    write_markdown_history(store)
    with use_store(store):
        yield store
    store.close()


def nothing_past_the_edge(page: Page) -> list[str]:
    return page.evaluate(
        """(width) => [...document.querySelectorAll('main *')]
            .filter((e) => !e.closest('.diff-scroll') && e.getBoundingClientRect().right > width + 1)
            .map((e) => e.tagName + (e.id ? '#' + e.id : ''))""",
        PHONE["width"],
    )


def test_an_editor_restores_an_agent_version_on_a_phone(signed_in, store, live_server) -> None:
    assert Indexer(store).poll().drained
    page = signed_in("editor")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/resources/{RESOURCE_ID}/memory/timeline/")
    versions = page.locator(".timeline-version")
    expect(versions).to_have_count(3)
    expect(versions.first).to_contain_text("#3 agent turn")
    expect(page.locator("#line-origins")).to_contain_text("- City: Pune")
    assert nothing_past_the_edge(page) == []

    versions.last.get_by_role("button", name="Restore this version").click()
    # Nothing is written before the preview is confirmed.
    expect(page.locator("#restore-preview")).to_contain_text("Nothing is written until you confirm")
    page.locator("#restore-confirm-button").click()
    expect(page.locator("body")).to_contain_text("Restored version #1 agent turn")
    assert store.memory.get_resource_by_id(RESOURCE_ID).working_memory == PROFILE_V1

    page.goto(f"{live_server.url}/resources/{RESOURCE_ID}/memory/timeline/")
    expect(page.locator(".timeline-version").first).to_contain_text("restore by editor-persona")
    assert nothing_past_the_edge(page) == []
