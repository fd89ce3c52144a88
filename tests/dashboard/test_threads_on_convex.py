"""The thread and resource pages on a real (local) Convex backend: with the dashboard's module
deployed, and with only Mastra's standard handler (offset cursors over a whole-table read)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.core.store import use_store
from storeclient import ConvexStore

from .html_query import find_all, find_one
from .support import HTMX
from .thread_records import Records, every_format_thread, long_thread, many_threads, write

pytestmark = pytest.mark.convex


@pytest.fixture(params=["module", "handler-only"])
def convex_store(request) -> Iterator[ConvexStore]:
    fixture = "convex_backend" if request.param == "module" else "convex_handler_only_backend"
    server = request.getfixturevalue(fixture)
    store = ConvexStore(server.url, server.admin_key)
    write(store, Records().add(every_format_thread()).add(long_thread(50)).add(many_threads(30)))
    with use_store(store):
        yield store
    store.close()


def test_the_thread_list_pages_through_every_thread(vera_client, convex_store):
    first = vera_client.get("/threads/")
    rows = find_all(first.content, "tr", data_keynav_href=...)
    assert len(rows) == 25
    second = vera_client.get(find_one(first.content, "a", rel="next").get("href"), headers=HTMX)
    rest = find_all(second.content, "tr", data_keynav_href=...)
    assert len(rest) == 7  # 32 threads in all
    assert not {r.get("data-keynav-href") for r in rows} & {r.get("data-keynav-href") for r in rest}


def test_the_thread_page_renders_every_format(vera_client, convex_store):
    response = vera_client.get("/threads/thread-every-format/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>$84.50 refund</strong>" in html
    assert [b.text for b in find_all(response.content, "span", cls="format-badge")] == [
        "v1-text",
        "v1-parts",
        "v1-parts",
        "ai-v4",
        "ai-v5",
    ]


def test_load_older_reaches_the_first_message(vera_client, convex_store):
    first = vera_client.get("/threads/thread-long/")
    assert len(find_all(first.content, "article", cls="message")) == 40
    older = find_one(first.content, "a", hx_target="closest .load-older").get("href")
    page = vera_client.get(older, headers=HTMX)
    ids = [a.get("id") for a in find_all(page.content, "article", cls="message")]
    assert ids == [f"msg-thread-long-{i:04d}" for i in range(10)]


def test_the_resource_page_lists_its_threads(vera_client, convex_store):
    response = vera_client.get("/resources/user_8f2c1a/")
    assert response.status_code == 200
    assert len(find_all(response.content, "tr", data_keynav_href=...)) == 25


def test_the_resource_box_matches_the_start_of_the_id_in_any_case(vera_client, convex_store):
    found = vera_client.get("/threads/", {"resource": "USER_8F"})
    assert len(find_all(found.content, "tr", data_keynav_href=...)) == 25
    assert find_one(found.content, "a", rel="next") is not None
    nothing = vera_client.get("/threads/", {"resource": "user_8f2c1b"})
    assert "No threads match these filters." in nothing.content.decode()
