"""The observational-memory, schedule, background-task and vector pages in Chromium, at a phone's
width (390 px) and on a desktop: over data Mastra's own TS code wrote, no content reaches past the
screen (wide tables scroll inside their card), and the sections are there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.storeclient.sqlite.nodetools import needs_node, run_node

pytestmark = needs_node

#: Elements of the page's content that reach past the right edge of the screen. Content inside a
#: scroll container (a wide table's .table-scroll, a JSON tree, a <pre>) scrolls there instead.
#: Checked within ``scope``: the whole content of the new pages, the new section of the resource and
#: thread pages (the header and the older parts of those pages are other changes' business).
STICKING_OUT = """(scope) => {
  const out = [];
  for (const el of document.querySelectorAll(scope + ', ' + scope + ' *')) {
    const box = el.parentElement.closest('.table-scroll, .json-tree, pre');
    if (box && box !== el) continue;
    const right = el.getBoundingClientRect().right;
    if (right > window.innerWidth + 1) out.push(el.tagName + '.' + el.className + ' ' + Math.round(right));
  }
  return out.slice(0, 10);
}"""

#: page -> (an element that must show, the scope checked for overflow)
PAGES = {
    "/resources/user-om/": ("#observational-memory", "#observational-memory"),
    "/threads/thread-om-1/": ("#observational-memory", "#observational-memory"),
    "/workflows/schedules/": ("table.schedule-rows", "#main"),
    "/workflows/schedules/wf_nightly-report/": ("table.trigger-rows", "#main"),
    "/workflows/background-tasks/": ("table.task-rows", "#main"),
    "/vectors/": ("table.index-rows", "#main"),
    "/vectors/mastra_memory_text_embedding_3_small/?of=m1": ("#neighbours table.vector-rows", "#main"),
}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Iterator[SQLiteStore]:
    path = tmp_path_factory.mktemp("runtime-browser") / "mastra.db"
    run_node("mastra_newer_data.mjs", "libsql", str(path))
    store = SQLiteStore(path, create=False)
    yield store
    store.close()


@pytest.fixture
def store(written: SQLiteStore) -> Iterator[SQLiteStore]:
    with use_store(written):
        yield written


@pytest.mark.parametrize("width", [390, 1280])
def test_the_pages_fit_the_screen_and_show_their_sections(signed_in, live_server, store, page: Page, width):
    page.set_viewport_size({"width": width, "height": 844})
    signed_in("viewer")
    for path, (section, scope) in PAGES.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(section).first).to_be_visible()
        sticking_out = page.evaluate(STICKING_OUT, scope)
        assert sticking_out == [], f"{path} at {width}px: {sticking_out}"
