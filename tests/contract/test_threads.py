"""Threads: Mastra's ``listThreads``/``getThreadById``/``updateThread`` semantics on every store."""

from __future__ import annotations

import dataclasses

import pytest

from storeclient import InvalidRequest, StorageError
from storeclient.interface import Store

from .records import at, thread, user_text


def test_a_saved_thread_reads_back_field_for_field(store: Store) -> None:
    original = thread(1, title='Refund "urgent" 🧾 für Müller')
    store.memory.save_thread(original)
    assert store.memory.get_thread_by_id(original.id) == original


def test_an_unknown_thread_is_none(store: Store) -> None:
    assert store.memory.get_thread_by_id("no-such-thread") is None


def test_a_thread_is_hidden_when_the_resource_does_not_match(store: Store) -> None:
    store.memory.save_thread(thread(1, resource="user_a"))
    assert store.memory.get_thread_by_id("thread-001", resource_id="user_a") is not None
    assert store.memory.get_thread_by_id("thread-001", resource_id="user_b") is None


def test_threads_page_newest_created_first_with_totals(store: Store) -> None:
    for n in range(1, 18):
        store.memory.save_thread(thread(n))
    first = store.memory.list_threads(page=0, per_page=7)
    assert [t.id for t in first.threads] == [f"thread-{n:03d}" for n in range(17, 10, -1)]
    assert (first.total, first.has_more) == (17, True)
    last = store.memory.list_threads(page=2, per_page=7)
    assert [t.id for t in last.threads] == ["thread-003", "thread-002", "thread-001"]
    assert last.has_more is False
    beyond = store.memory.list_threads(page=5, per_page=7)
    assert beyond.threads == [] or list(beyond.threads) == []
    assert beyond.total == 17


def test_per_page_false_returns_every_thread_and_echoes_false(store: Store) -> None:
    for n in range(1, 4):
        store.memory.save_thread(thread(n))
    everything = store.memory.list_threads(per_page=False)
    assert len(everything.threads) == 3
    assert everything.per_page is False and everything.has_more is False


def test_per_page_larger_than_total_is_one_page(store: Store) -> None:
    store.memory.save_thread(thread(1))
    result = store.memory.list_threads(per_page=100)
    assert (len(result.threads), result.per_page, result.has_more) == (1, 100, False)


def test_empty_store_lists_nothing(store: Store) -> None:
    result = store.memory.list_threads()
    assert list(result.threads) == [] and result.total == 0 and not result.has_more


def test_threads_sort_by_each_field_and_direction(store: Store) -> None:
    # Updated order is the reverse of created order.
    for n in range(1, 4):
        t = thread(n)
        store.memory.save_thread(dataclasses.replace(t, updated_at=at(10_000 - n)))
    ids = lambda r: [t.id for t in r.threads]  # noqa: E731
    assert ids(store.memory.list_threads(order_by="createdAt", direction="ASC")) == [
        "thread-001",
        "thread-002",
        "thread-003",
    ]
    assert ids(store.memory.list_threads(order_by="updatedAt", direction="DESC")) == [
        "thread-001",
        "thread-002",
        "thread-003",
    ]
    assert ids(store.memory.list_threads(order_by="updatedAt", direction="ASC")) == [
        "thread-003",
        "thread-002",
        "thread-001",
    ]


def test_threads_filter_by_resource_and_metadata(store: Store) -> None:
    store.memory.save_thread(thread(1, resource="user_a", channel="slack"))
    store.memory.save_thread(thread(2, resource="user_a"))
    store.memory.save_thread(thread(3, resource="user_b", channel="slack"))
    by_resource = store.memory.list_threads(resource_id="user_a")
    assert {t.id for t in by_resource.threads} == {"thread-001", "thread-002"}
    by_both = store.memory.list_threads(resource_id="user_a", metadata={"channel": "slack"})
    assert [t.id for t in by_both.threads] == ["thread-001"]
    assert store.memory.list_threads(resource_id="nobody").total == 0


def test_unsafe_metadata_keys_are_refused_before_any_request(store: Store) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.list_threads(metadata={"a.b') OR 1=1 --": 1})


def test_negative_pages_are_refused(store: Store) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.list_threads(page=-1)
    with pytest.raises(InvalidRequest):
        store.memory.list_threads(page=1, per_page=False)


def test_update_thread_renames_and_merges_metadata(store: Store) -> None:
    store.memory.save_thread(thread(1))
    updated = store.memory.update_thread("thread-001", title="Renamed", metadata={"pinned": True})
    assert updated.title == "Renamed"
    assert updated.metadata == {"channel": "web", "agentId": "supportAgent", "pinned": True}
    assert updated.updated_at > thread(1).updated_at
    assert store.memory.get_thread_by_id("thread-001") == updated


def test_update_thread_without_title_keeps_the_title(store: Store) -> None:
    store.memory.save_thread(thread(1))
    updated = store.memory.update_thread("thread-001", metadata={"pinned": True})
    assert updated.title == thread(1).title


def test_updating_a_missing_thread_fails_clearly(store: Store) -> None:
    with pytest.raises(StorageError, match="not found"):
        store.memory.update_thread("nope", title="x")


def test_deleting_a_thread_deletes_its_messages(store: Store) -> None:
    store.memory.save_thread(thread(1))
    store.memory.save_messages([user_text("thread-001", i, f"hi {i}") for i in range(3)])
    store.memory.delete_thread("thread-001")
    assert store.memory.get_thread_by_id("thread-001") is None
    assert store.memory.list_messages("thread-001").total == 0


def test_saving_a_message_bumps_the_threads_updated_at(store: Store) -> None:
    store.memory.save_thread(thread(1))
    store.memory.save_messages([user_text("thread-001", 1, "hello")])
    stored = store.memory.get_thread_by_id("thread-001")
    assert stored is not None and stored.updated_at > thread(1).updated_at


def test_legacy_metadata_stored_as_a_json_string_is_parsed(store: Store, write_raw) -> None:  # type: ignore[no-untyped-def]
    record = thread(1).to_record()
    record["metadata"] = '{"channel": "email", "workingMemory": "# Notes"}'
    write_raw("mastra_threads", record)
    loaded = store.memory.get_thread_by_id("thread-001")
    assert loaded is not None
    assert loaded.metadata == {"channel": "email", "workingMemory": "# Notes"}
    assert loaded.working_memory == "# Notes"


def test_malformed_metadata_is_kept_as_its_raw_text(store: Store, write_raw) -> None:  # type: ignore[no-untyped-def]
    record = thread(1).to_record()
    record["metadata"] = "{not json"
    write_raw("mastra_threads", record)
    loaded = store.memory.get_thread_by_id("thread-001")
    assert loaded is not None and loaded.metadata == "{not json"


def test_updating_malformed_metadata_replaces_it_as_mastra_does(store: Store, write_raw) -> None:  # type: ignore[no-untyped-def]
    # Mastra's merge treats metadata it cannot parse as {}: the update is applied, not refused.
    record = thread(1).to_record()
    record["metadata"] = "{not json"
    write_raw("mastra_threads", record)
    updated = store.memory.update_thread("thread-001", metadata={"channel": "email"})
    assert updated.metadata == {"channel": "email"}


def test_thread_feed_walks_every_thread_newest_update_first_without_gaps(store: Store) -> None:
    for n in range(1, 12):
        store.memory.save_thread(thread(n))
    seen: list[str] = []
    cursor = None
    while True:
        feed = store.memory.thread_feed(cursor=cursor, limit=4)
        seen.extend(t.id for t in feed.items)
        cursor = feed.next_cursor
        if cursor is None:
            break
    assert seen == [f"thread-{n:03d}" for n in range(11, 0, -1)]


def test_thread_feed_filters_by_resource_and_title(store: Store) -> None:
    store.memory.save_thread(thread(1, resource="user_a", title="Blender refund"))
    store.memory.save_thread(thread(2, resource="user_a", title="Shipping address"))
    store.memory.save_thread(thread(3, resource="user_b", title="Blender warranty"))
    assert [t.id for t in store.memory.thread_feed(resource_id="user_a").items] == [
        "thread-002",
        "thread-001",
    ]
    assert [t.id for t in store.memory.thread_feed(title_contains="blender").items] == [
        "thread-003",
        "thread-001",
    ]
