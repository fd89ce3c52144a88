"""/tools/ and a tool's page at 390 px: the content fits the screen (wide tables scroll inside their
card), and a tool's figures lead to its failing call's message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from dashboard.search.indexer import Indexer
from storeclient.sqlite import SQLiteStore
from tests.dashboard.search.records import write_conversations


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    write_conversations(store)
    with use_store(store):
        Indexer(store).poll()
        yield store
    store.close()


#: The right edge of the furthest-reaching element of the page's content, outside scrolling boxes.
WIDEST_CONTENT = (
    "Math.max(...[...document.querySelectorAll('main *')]"
    ".filter(e => !e.closest('.table-scroll'))"
    ".map(e => e.getBoundingClientRect().right))"
)


@pytest.mark.parametrize("path", ["/tools/", "/tools/issueRefund/"])
def test_tools_pages_fit_a_phone(signed_in, store, live_server, page: Page, path):
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in("viewer")
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("[data-index-freshness]")).to_be_visible()
    assert page.evaluate(WIDEST_CONTENT) <= 390


def test_a_failing_call_opens_its_message(signed_in, store, live_server):
    page = signed_in("viewer")
    page.goto(f"{live_server.url}/tools/")
    page.locator('tr[data-tool="issueRefund"] td a').first.click()
    page.wait_for_url("**/tools/issueRefund/")
    page.locator("[data-failing-call] a").first.click()
    page.wait_for_url("**/threads/thr-refund/?at=m-refund-2*")
    expect(page.locator('[id="msg-m-refund-2"]')).to_be_in_viewport()
