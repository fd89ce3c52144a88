"""A link to one message (``/threads/<id>/?at=<message id>#msg-<id>``, what search results open):
the thread page shows that message with its neighbours, however deep, and still does after newer
messages arrive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore

from ..thread_records import long_thread, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def deep_store(tmp_path: Path):
    store = SQLiteStore(tmp_path / "mastra.db")
    write(store, long_thread(200))
    with use_store(store):
        yield store
    store.close()


def shown_ids(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<article class="message [^"]*" id="msg-([^"]+)"', response.content.decode())


def test_a_link_opens_the_thread_at_a_message_deep_inside_it(vera_client, deep_store):
    response = vera_client.get("/threads/thread-long/", {"at": "thread-long-0050"})
    ids = shown_ids(response)
    assert "thread-long-0050" in ids
    assert ids == sorted(ids)  # oldest first, as the thread page reads
    assert ids[0] == "thread-long-0030" and ids[-1] == "thread-long-0070"
    html = response.content.decode()
    assert "Load older messages" in html
    assert 'href="/threads/thread-long/">Show the newest messages' in html


def test_the_link_still_works_after_fifty_newer_messages(vera_client, deep_store):
    before = shown_ids(vera_client.get("/threads/thread-long/", {"at": "thread-long-0050"}))
    more = long_thread(250)
    write(deep_store, type(more)(threads=more.threads, messages=more.messages[200:]))
    after = shown_ids(vera_client.get("/threads/thread-long/", {"at": "thread-long-0050"}))
    assert after == before


def test_load_older_from_the_window_continues_before_it(vera_client, deep_store):
    html = vera_client.get("/threads/thread-long/", {"at": "thread-long-0050"}).content.decode()
    older = re.search(r'<a href="([^"]+)" hx-get="[^"]+" hx-target="closest .load-older"', html).group(1)
    page = vera_client.get(older.replace("&amp;", "&"), headers={"HX-Request": "true"})
    ids = shown_ids(page)
    assert ids[-1] == "thread-long-0029"


def test_a_link_to_a_message_no_longer_there_shows_the_newest_with_a_note(vera_client, deep_store):
    response = vera_client.get("/threads/thread-long/", {"at": "no-such-message"})
    assert shown_ids(response)[-1] == "thread-long-0199"
    assert b"data-at-missing" in response.content
