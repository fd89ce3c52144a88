"""Resources and working memory, including the conflict-safe saves the editor relies on."""

from __future__ import annotations

import pytest

from storeclient import ConflictError, MalformedRecordError
from storeclient.interface import Store
from storeclient.models import MemoryVersion

from .records import resource, thread


def test_a_saved_resource_reads_back_field_for_field(store: Store) -> None:
    original = resource()
    store.memory.save_resource(original)
    assert store.memory.get_resource_by_id(original.id) == original


def test_an_unknown_resource_is_none(store: Store) -> None:
    assert store.memory.get_resource_by_id("nobody") is None


def test_update_resource_creates_a_missing_resource(store: Store) -> None:
    created = store.memory.update_resource("user_new", working_memory="# Notes\n- likes tea")
    assert created.working_memory == "# Notes\n- likes tea"
    assert store.memory.get_resource_by_id("user_new") == created


def test_updating_only_working_memory_keeps_metadata(store: Store) -> None:
    store.memory.save_resource(resource())
    updated = store.memory.update_resource("user_8f2c1a", working_memory='{"name":"Dana"}')
    assert updated.working_memory == '{"name":"Dana"}'
    assert updated.metadata == {"plan": "pro", "crmId": "0035e00001XyZ9"}
    assert updated.updated_at > resource().updated_at


def test_updating_metadata_merges_it_and_keeps_working_memory(store: Store) -> None:
    store.memory.save_resource(resource())
    updated = store.memory.update_resource("user_8f2c1a", metadata={"plan": "team", "seats": 5})
    assert updated.metadata == {"plan": "team", "crmId": "0035e00001XyZ9", "seats": 5}
    assert updated.working_memory == resource().working_memory


def test_empty_working_memory_round_trips_as_empty(store: Store) -> None:
    store.memory.save_resource(resource(working_memory=""))
    loaded = store.memory.get_resource_by_id("user_8f2c1a")
    assert loaded is not None and loaded.working_memory == ""


def test_a_save_from_the_current_version_applies(store: Store) -> None:
    store.memory.save_resource(resource())
    base = store.memory.get_resource_by_id("user_8f2c1a")
    assert base is not None
    saved = store.memory.save_resource_working_memory("user_8f2c1a", "# Fixed", expected=base.memory_version)
    assert saved.working_memory == "# Fixed"
    assert saved.metadata == base.metadata


def test_a_save_from_a_stale_version_conflicts_and_writes_nothing(store: Store) -> None:
    store.memory.save_resource(resource())
    base = store.memory.get_resource_by_id("user_8f2c1a")
    assert base is not None
    store.memory.save_resource_working_memory("user_8f2c1a", "# Alice's edit", expected=base.memory_version)
    with pytest.raises(ConflictError) as caught:
        store.memory.save_resource_working_memory("user_8f2c1a", "# Bob's edit", expected=base.memory_version)
    assert caught.value.current.working_memory == "# Alice's edit"
    stored = store.memory.get_resource_by_id("user_8f2c1a")
    assert stored is not None and stored.working_memory == "# Alice's edit"


def test_a_version_with_the_right_time_but_other_content_conflicts(store: Store) -> None:
    store.memory.save_resource(resource())
    base = store.memory.get_resource_by_id("user_8f2c1a")
    assert base is not None
    forged = MemoryVersion(base.memory_version.updated_at, "0" * 32)
    with pytest.raises(ConflictError):
        store.memory.save_resource_working_memory("user_8f2c1a", "# Edit", expected=forged)


def test_creating_working_memory_conflicts_if_someone_created_it_first(store: Store) -> None:
    store.memory.update_resource("user_x", working_memory="# First")
    with pytest.raises(ConflictError):
        store.memory.save_resource_working_memory("user_x", "# Second", expected=None)


def test_thread_scoped_working_memory_saves_keep_title_and_metadata(store: Store) -> None:
    store.memory.save_thread(thread(1, workingMemory="# Trip\n- Lisbon"))
    base = store.memory.get_thread_by_id("thread-001")
    assert base is not None and base.working_memory == "# Trip\n- Lisbon"
    saved = store.memory.save_thread_working_memory(
        "thread-001", "# Trip\n- Porto", expected=base.memory_version
    )
    assert saved.working_memory == "# Trip\n- Porto"
    assert saved.title == base.title
    assert isinstance(saved.metadata, dict) and saved.metadata["channel"] == "web"
    with pytest.raises(ConflictError) as caught:
        store.memory.save_thread_working_memory("thread-001", "# Trip\n- Faro", expected=base.memory_version)
    assert caught.value.current.working_memory == "# Trip\n- Porto"


def test_working_memory_is_refused_for_a_thread_whose_metadata_is_not_an_object(
    store: Store, write_raw
) -> None:  # type: ignore[no-untyped-def]
    # A legacy row with broken metadata: setting working memory would have to throw the text away.
    record = thread(1).to_record()
    record["metadata"] = "{not json"
    write_raw("mastra_threads", record)
    loaded = store.memory.get_thread_by_id("thread-001")
    assert loaded is not None
    for expected in (None, loaded.memory_version):
        with pytest.raises(MalformedRecordError) as caught:
            store.memory.save_thread_working_memory("thread-001", "# Trip", expected=expected)
        assert (caught.value.kind, caught.value.record_id, caught.value.field) == (
            "thread",
            "thread-001",
            "metadata",
        )
        assert "not a JSON object" in caught.value.message and "nothing was saved" in caught.value.message
    after = store.memory.get_thread_by_id("thread-001")
    assert after is not None and after.metadata == "{not json"


def test_a_stale_save_to_a_thread_with_malformed_metadata_is_a_conflict_first(
    store: Store, write_raw
) -> None:  # type: ignore[no-untyped-def]
    record = thread(1).to_record()
    record["metadata"] = "{not json"
    write_raw("mastra_threads", record)
    forged = MemoryVersion(updated_at="2020-01-01T00:00:00.000Z", content_hash="0" * 32)
    with pytest.raises(ConflictError):
        store.memory.save_thread_working_memory("thread-001", "# Trip", expected=forged)


def test_resource_feed_lists_newest_update_first(store: Store) -> None:
    store.memory.save_resource(resource("user_a"))
    store.memory.update_resource("user_b", working_memory="# B")
    feed = store.memory.resource_feed(limit=10)
    assert [r.id for r in feed.items] == ["user_b", "user_a"]
