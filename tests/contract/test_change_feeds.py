"""Change feeds for the dashboard's own index: ``message_changes`` (every message once, in write
order), ``thread_changes`` / ``resource_changes`` (by ``updatedAt``) and ``existing_thread_ids``."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storeclient import ConvexStore, InvalidRequest
from storeclient.interface import Store
from storeclient.models import ChangePage, Message

from .conftest import CONVEX_BACKENDS
from .records import at, conversation, resource, thread, user_text

StoreFactory = Callable[..., Store]


@pytest.fixture
def open_store(store_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens stores on the same data (a new object is what a restarted indexer has). Feeds settle
    at once unless a test asks otherwise, so a change is visible on the next poll."""
    opened: list[Any] = []
    backend = request.getfixturevalue(CONVEX_BACKENDS[store_kind]) if store_kind in CONVEX_BACKENDS else None

    def open_(settle: float = 0.0) -> Store:
        made: Any
        if backend is None:
            from storeclient.sqlite import SQLiteStore

            made = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=settle)
        else:
            made = ConvexStore(backend.url, backend.admin_key, change_settle_seconds=settle)
        opened.append(made)
        return made

    yield open_
    for made in opened:
        made.close()


def drain[T](
    poll: Callable[..., ChangePage[T]], cursor: str | None, *, limit: int
) -> tuple[list[T], str, int]:
    """Poll until nothing more is ready: (items, cursor to resume from, number of calls)."""
    items: list[T] = []
    calls = 0
    while True:
        page = poll(cursor, limit=limit)
        calls += 1
        items.extend(page.items)
        cursor = page.cursor
        if not page.has_more:
            return items, cursor, calls
        assert calls < 100, "the feed never ends"


def ids(messages: list[Message]) -> list[str]:
    return [m.id for m in messages]


@pytest.fixture
def exact(store_kind: str) -> bool:
    """Whether this store gives each message exactly once in write order. Convex without the
    dashboard module cannot: it brings every message of each changed thread, marked ``limited``."""
    return store_kind != "convex-handler-only"


def assert_seen(seen: list[Message], written: list[str], exact: bool) -> None:
    if exact:
        assert ids(seen) == written
    else:
        assert set(ids(seen)) == set(written)


def two_conversations(store: Store) -> list[str]:
    """Thread 1 (4 messages), then thread 2 (3), then one more in thread 1: the write order."""
    store.memory.save_thread(thread(1))
    store.memory.save_thread(thread(2, resource="user_d82c07"))
    first = conversation("thread-001", 4)
    second = conversation("thread-002", 3, resource="user_d82c07")
    store.memory.save_messages(first)
    store.memory.save_messages(second)
    late = user_text("thread-001", 4, "Any news on the refund?")
    store.memory.save_messages([late])
    return [*ids(first), *ids(second), late.id]


def test_every_message_comes_once_in_write_order_across_pages(open_store: StoreFactory, exact: bool) -> None:
    store = open_store()
    written = two_conversations(store)
    seen, _, calls = drain(store.memory.message_changes, None, limit=3)
    assert_seen(seen, written, exact)
    assert calls == 3
    assistant = next(m for m in seen if m.id == "thread-001-msg-001")
    assert assistant.parts[2]["toolInvocation"]["toolName"] == "lookupOrder"


def test_only_convex_without_the_module_marks_its_message_feed_limited(
    open_store: StoreFactory, exact: bool
) -> None:
    store = open_store()
    two_conversations(store)
    page = store.memory.message_changes(None, limit=100)
    assert page.limited is not exact
    assert (page.note is None) is exact
    if not exact:
        assert "Deploy the dashboard's Convex module" in (page.note or "")


def test_a_back_dated_message_comes_after_the_ones_written_before_it(
    open_store: StoreFactory, exact: bool
) -> None:
    store = open_store()
    store.memory.save_thread(thread(1))
    store.memory.save_messages([user_text("thread-001", 5, "written first")])
    _, cursor, _ = drain(store.memory.message_changes, None, limit=10)
    # An import saves a message dated long before everything already read: still seen.
    imported = dataclasses.replace(user_text("thread-001", 0, "imported"), created_at=at(-86_400))
    store.memory.save_messages([imported])
    seen, _, _ = drain(store.memory.message_changes, cursor, limit=10)
    assert_seen(seen, [imported.id] if exact else [imported.id, "thread-001-msg-005"], exact)


def test_a_restarted_reader_resumes_with_no_gap_and_no_duplicate(
    open_store: StoreFactory, exact: bool
) -> None:
    writer = open_store()
    written = two_conversations(writer)
    page = writer.memory.message_changes(None, limit=5)
    assert page.has_more
    restarted = open_store()
    rest, _, _ = drain(restarted.memory.message_changes, page.cursor, limit=5)
    seen = [*page.items, *rest]
    assert_seen(seen, written, exact)
    assert len(seen) == len(written)  # no duplicate, even on the approximate path


def test_new_writes_come_on_the_next_poll_and_an_idle_poll_brings_nothing(
    open_store: StoreFactory, exact: bool
) -> None:
    store = open_store()
    two_conversations(store)
    _, cursor, _ = drain(store.memory.message_changes, None, limit=100)
    idle = store.memory.message_changes(cursor, limit=100)
    assert list(idle.items) == [] and not idle.has_more
    newer = user_text("thread-002", 7, "The blender arrived cracked", resource="user_d82c07")
    store.memory.save_messages([newer])
    after = store.memory.message_changes(idle.cursor, limit=100)
    if exact:
        assert ids(list(after.items)) == [newer.id]
    else:  # the whole changed thread comes again
        assert ids(list(after.items))[-1] == newer.id and len(after.items) == 4
    assert list(store.memory.message_changes(after.cursor, limit=100).items) == []


def test_an_edited_message_keeps_its_place_in_the_feed(open_store: StoreFactory, exact: bool) -> None:
    store = open_store()
    written = two_conversations(store)
    _, cursor, _ = drain(store.memory.message_changes, None, limit=100)
    edited = user_text("thread-001", 0, "Message 0, corrected")
    store.memory.save_messages([edited])
    after_edit = list(store.memory.message_changes(cursor, limit=100).items)
    if exact:  # the edit is found through thread_changes, not as a new message
        assert after_edit == []
    else:  # the edited thread comes again, with the new text
        assert [m.parts[0].get("text") for m in after_edit if m.id == edited.id] == ["Message 0, corrected"]
    again, _, _ = drain(store.memory.message_changes, None, limit=100)
    assert_seen(again, written, exact)
    assert next(m for m in again if m.id == edited.id).parts[0]["text"] == "Message 0, corrected"


def test_thread_changes_bring_a_thread_again_when_it_changes(open_store: StoreFactory) -> None:
    store = open_store()
    store.memory.save_thread(thread(1))
    store.memory.save_thread(thread(2))
    first, cursor, _ = drain(store.memory.thread_changes, None, limit=1)
    assert [t.id for t in first] == ["thread-001", "thread-002"]
    assert list(store.memory.thread_changes(cursor, limit=10).items) == []

    store.memory.save_messages([user_text("thread-001", 0, "Is my refund through?")])
    after_message, cursor, _ = drain(store.memory.thread_changes, cursor, limit=10)
    assert [t.id for t in after_message] == ["thread-001"]

    store.memory.update_thread("thread-002", title="Cracked blender jar")
    after_rename, cursor, _ = drain(store.memory.thread_changes, cursor, limit=10)
    assert [(t.id, t.title) for t in after_rename] == [("thread-002", "Cracked blender jar")]
    assert list(store.memory.thread_changes(cursor, limit=10).items) == []


def test_resource_changes_bring_a_resource_again_after_a_working_memory_edit(
    open_store: StoreFactory,
) -> None:
    store = open_store()
    store.memory.save_resource(resource("user_8f2c1a"))
    store.memory.save_resource(resource("user_d82c07"))
    first, cursor, _ = drain(store.memory.resource_changes, None, limit=10)
    assert sorted(r.id for r in first) == ["user_8f2c1a", "user_d82c07"]
    store.memory.update_resource("user_d82c07", working_memory="# User\n- **Name**: Ade\n")
    edited, cursor, _ = drain(store.memory.resource_changes, cursor, limit=10)
    assert [(r.id, r.working_memory) for r in edited] == [("user_d82c07", "# User\n- **Name**: Ade\n")]
    assert list(store.memory.resource_changes(cursor, limit=10).items) == []


def test_a_fresh_change_waits_until_it_has_settled(open_store: StoreFactory) -> None:
    store = open_store(settle=1.0)
    store.memory.save_thread(thread(1))
    _, cursor, _ = drain(store.memory.thread_changes, None, limit=10)
    store.memory.update_thread("thread-001", title="Renamed just now")
    # Not yet: a writer that commits a little late must still land after the cursor.
    assert list(store.memory.thread_changes(cursor, limit=10).items) == []
    time.sleep(1.2)
    settled = store.memory.thread_changes(cursor, limit=10)
    assert [t.title for t in settled.items] == ["Renamed just now"]


def test_existing_thread_ids_leaves_out_a_deleted_thread(open_store: StoreFactory) -> None:
    store = open_store()
    two_conversations(store)
    assert store.memory.existing_thread_ids(["thread-001", "thread-002", "thread-404"]) == {
        "thread-001",
        "thread-002",
    }
    store.memory.delete_thread("thread-001")
    assert store.memory.existing_thread_ids(["thread-001", "thread-002"]) == {"thread-002"}
    assert store.memory.existing_thread_ids([]) == set()


def test_existing_thread_ids_refuses_an_unbounded_list(open_store: StoreFactory) -> None:
    store = open_store()
    with pytest.raises(InvalidRequest, match="at most 1000"):
        store.memory.existing_thread_ids([f"thread-{n}" for n in range(1001)])


def test_a_cursor_from_another_feed_or_a_bad_limit_is_refused(open_store: StoreFactory) -> None:
    store = open_store()
    two_conversations(store)
    thread_cursor = store.memory.thread_changes(None, limit=1).cursor
    with pytest.raises(InvalidRequest, match="another feed"):
        store.memory.message_changes(thread_cursor)
    message_cursor = store.memory.message_changes(None, limit=1).cursor
    with pytest.raises(InvalidRequest, match="another feed"):
        store.memory.resource_changes(message_cursor)
    with pytest.raises(InvalidRequest):
        store.memory.message_changes("not-a-cursor")
    for limit in (0, 1001):
        with pytest.raises(InvalidRequest, match="limit"):
            store.memory.message_changes(None, limit=limit)
