"""The XSS corpus (tests/support/xss_payloads.py) in every place a message, a title or working
memory can carry it, found by search: snippets escape all of it, and the only markup inside a
result is the page's own (``<mark>`` around matched words, links to our thread and resource pages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.core.store import use_store
from dashboard.search.indexer import Indexer
from storeclient.sqlite import SQLiteStore

from ..support import HTMX
from ..thread_records import hostile_thread, nodes, write

pytestmark = pytest.mark.django_db

#: Words the payloads share, so every payload lands in some snippet.
QUERIES = [
    "xss",
    "script",
    "onerror",
    "javascript",
    "svg",
    "alert",
    "img",
    "href",
    "hostile",
    "evil*",
    "data",
]
RESULT_AREAS = ("result-thread", "side-matches", "quick-results-list")
ALLOWED_TAGS = {"section", "header", "h2", "a", "span", "ol", "ul", "li", "mark", "time", "p"}
ALLOWED_ATTRS = {"class", "href", "datetime", "title", "id", "aria-labelledby"}


@pytest.fixture
def hostile_index(tmp_path: Path):
    store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    write(store, hostile_thread())
    with use_store(store):
        Indexer(store).poll()
        yield store
    store.close()


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("quick", [False, True], ids=["page", "header-box"])
def test_results_hold_only_the_pages_own_markup(vera_client, hostile_index, query, quick):
    headers = {**HTMX, "HX-Target": "header-search-results"} if quick else {}
    response = vera_client.get("/search/", {"q": query}, headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    in_results = [n for n in nodes(html) if any(n.inside(area) for area in RESULT_AREAS)]
    assert in_results, f"{query!r} found nothing in the corpus"
    for node in in_results:
        assert node.tag in ALLOWED_TAGS, (query, node.tag, node.attrs)
        assert set(node.attrs) <= ALLOWED_ATTRS, (query, node.tag, node.attrs)
        if node.tag == "a":
            assert node.attrs["href"].startswith(("/threads/", "/resources/", "/search/")), node.attrs
    for script in (n for n in nodes(html) if n.tag == "script"):
        assert script.attrs.get("src", "").startswith("/static/"), script.attrs


def test_a_payload_is_shown_as_text_with_the_match_marked(vera_client, hostile_index):
    html = vera_client.get("/search/", {"q": "onerror"}).content.decode()
    assert "&lt;img src=x <mark>onerror</mark>=window.__xss=1&gt;" in html
