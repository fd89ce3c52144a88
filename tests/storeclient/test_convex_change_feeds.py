"""The Convex change feeds beyond the contract suite: what one poll reads from the deployment (the
dev server counts every document a function reads), messages written by Mastra's own TypeScript
ConvexStore, and a cursor crossing between the module and the standard handler."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest

from dashboard.demo.convex_dev import ConvexDevServer
from storeclient import ConvexStore
from storeclient.convex.changes import RESTARTED_NOTE
from storeclient.models import ChangePage
from tests.support.mastra_client import mastra
from tests.test_node_client_smoke import ANSWER, QUESTION, THREAD

from .test_convex_dashboard_module import insert_many, message_docs

pytestmark = pytest.mark.convex


class ReadCounter:
    """Documents the dev server read between two calls of ``read()`` (its running total)."""

    def __init__(self, server: ConvexDevServer) -> None:
        self.server = server
        self.http = httpx.Client(timeout=30, headers={"Authorization": f"Convex {server.admin_key}"})
        self.total = self._now()

    def _now(self) -> int:
        return int(self.http.get(f"{self.server.url}/__dev/stats").json()["documentsRead"])

    def read(self) -> int:
        now = self._now()
        spent, self.total = now - self.total, now
        return spent


def drain(poll: Any, cursor: str | None, limit: int) -> tuple[list[Any], str]:
    items: list[Any] = []
    while True:
        page: ChangePage[Any] = poll(cursor, limit=limit)
        items.extend(page.items)
        cursor = page.cursor
        if not page.has_more:
            return items, cursor


@pytest.fixture
def module_store(convex_backend: ConvexDevServer) -> Any:
    with ConvexStore(convex_backend.url, convex_backend.admin_key, change_settle_seconds=0) as store:
        yield store


def test_a_poll_reads_its_page_and_an_idle_poll_reads_nothing(
    convex_backend: ConvexDevServer, module_store: ConvexStore
) -> None:
    insert_many(convex_backend, "mastra_messages", message_docs("big", 3_000, 200))
    module_store.mode()  # the probe, out of the way
    reads = ReadCounter(convex_backend)

    first = module_store.memory.message_changes(None, limit=100)
    first_reads = reads.read()
    seen, cursor = drain(module_store.memory.message_changes, first.cursor, limit=1_000)
    reads.read()
    idle = module_store.memory.message_changes(cursor, limit=1_000)
    idle_reads = reads.read()

    assert len(first.items) == 100 and first.has_more
    assert len(seen) == 2_900 and not idle.items
    # One page of 100 reads those 100 and a peek at the next; 3,000 stored make no difference.
    assert 100 <= first_reads <= 101
    assert idle_reads <= 1


def test_an_idle_thread_poll_reads_nothing_either(
    convex_backend: ConvexDevServer, module_store: ConvexStore
) -> None:
    insert_many(
        convex_backend,
        "mastra_threads",
        [
            {
                "id": f"t-{n:04d}",
                "resourceId": "user_big",
                "title": f"Thread {n}",
                "metadata": {},
                "createdAt": "2026-01-01T00:00:00.000Z",
                "updatedAt": f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}.000Z",
            }
            for n in range(1_000)
        ],
    )
    module_store.mode()
    _, cursor = drain(module_store.memory.thread_changes, None, limit=500)
    reads = ReadCounter(convex_backend)
    idle = module_store.memory.thread_changes(cursor, limit=500)
    assert not idle.items and reads.read() <= 1


def test_messages_saved_by_mastras_typescript_store_come_through_the_feed(
    convex_backend: ConvexDevServer, module_store: ConvexStore
) -> None:
    mastra(convex_backend, "write", {"threads": [THREAD], "messages": [QUESTION]})
    first, cursor = drain(module_store.memory.message_changes, None, limit=10)
    mastra(convex_backend, "write", {"messages": [ANSWER]})
    later, _ = drain(module_store.memory.message_changes, cursor, limit=10)
    changed, _ = drain(module_store.memory.thread_changes, None, limit=10)

    assert [m.id for m in first] == [QUESTION["id"]]
    assert [m.id for m in later] == [ANSWER["id"]]
    assert later[0].parts == module_store.memory.list_messages_by_id([ANSWER["id"]])[0].parts
    assert [t.id for t in changed] == [THREAD["id"]]


def test_a_handler_cursor_starts_again_exactly_once_the_module_is_deployed(
    convex_backend: ConvexDevServer,
) -> None:
    insert_many(convex_backend, "mastra_threads", [{**THREAD, "updatedAt": "2026-01-09T14:03:00.000Z"}])
    insert_many(convex_backend, "mastra_messages", message_docs(THREAD["id"], 3, 50))
    with ConvexStore(
        convex_backend.url, convex_backend.admin_key, dashboard_module=None, change_settle_seconds=0
    ) as without:
        on_handler, handler_cursor = drain(without.memory.message_changes, None, limit=10)
        assert without.memory.message_changes(None, limit=10).limited
    with ConvexStore(convex_backend.url, convex_backend.admin_key, change_settle_seconds=0) as with_module:
        restarted = with_module.memory.message_changes(handler_cursor, limit=10)
    assert len(on_handler) == 3
    assert [m.id for m in restarted.items] == [m.id for m in on_handler]
    assert restarted.note == RESTARTED_NOTE and not restarted.limited


def test_a_window_cursor_from_the_module_continues_at_the_same_place_without_it(
    convex_backend: ConvexDevServer, module_store: ConvexStore
) -> None:
    insert_many(convex_backend, "mastra_messages", message_docs("deep", 300, 50))
    window = module_store.memory.message_window("deep", "deep-m00200", before=10, after=10)
    assert [m.id for m in window.items][:2] == ["deep-m00210", "deep-m00209"] and window.newer
    with ConvexStore(convex_backend.url, convex_backend.admin_key, dashboard_module=None) as without:
        page = without.memory.message_feed("deep", cursor=window.older_cursor, limit=5)
        following = without.memory.message_feed("deep", cursor=page.next_cursor, limit=5)
    assert [m.id for m in page.items] == [f"deep-m{n:05d}" for n in range(189, 184, -1)]
    assert [m.id for m in following.items] == [f"deep-m{n:05d}" for n in range(184, 179, -1)]
    assert page.note is None


def test_a_message_just_written_waits_until_it_settles_on_the_module(convex_backend: ConvexDevServer) -> None:
    with ConvexStore(convex_backend.url, convex_backend.admin_key, change_settle_seconds=1) as store:
        _, cursor = drain(store.memory.message_changes, None, limit=10)
        insert_many(convex_backend, "mastra_messages", message_docs("fresh", 1, 20))
        # A mutation still running could commit a document stamped before this one: wait.
        assert list(store.memory.message_changes(cursor, limit=10).items) == []
        time.sleep(1.2)
        assert [m.id for m in store.memory.message_changes(cursor, limit=10).items] == ["fresh-m00000"]


def test_without_the_module_a_thread_that_changes_mid_way_is_read_again_from_its_start(
    convex_handler_only_backend: ConvexDevServer,
) -> None:
    backend = convex_handler_only_backend
    names = ("a", "b", "c")
    threads = [
        {**THREAD, "id": name, "updatedAt": f"2026-01-09T14:0{n}:00.000Z"} for n, name in enumerate(names, 1)
    ]
    insert_many(backend, "mastra_threads", threads)
    insert_many(backend, "mastra_messages", [doc for name in names for doc in message_docs(name, 3, 20)])
    with ConvexStore(backend.url, backend.admin_key, change_settle_seconds=0) as store:
        first = store.memory.message_changes(None, limit=4)  # all of a, the first of b
        assert [m.id for m in first.items] == ["a-m00000", "a-m00001", "a-m00002", "b-m00000"]
        # b changes before it is finished: it moves after c, and what was handed out of it is stale.
        newer = dataclasses.replace(
            first.items[3], id="b-m00009", created_at=first.items[3].created_at + timedelta(days=1)
        )
        store.memory.save_messages([newer])
        rest, _ = drain(store.memory.message_changes, first.cursor, limit=10)
    assert [m.id for m in rest] == [
        "c-m00000",
        "c-m00001",
        "c-m00002",
        "b-m00000",
        "b-m00001",
        "b-m00002",
        "b-m00009",
    ]
