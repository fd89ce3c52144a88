"""Working-memory values the indexer sees in the store become versions of the timeline
(``dashboard.memory_editor.snapshots``): each new value once, with the store's time; never a value a
dashboard edit or an indexed agent turn already accounts for; never a value it cannot keep whole."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.core.store import use_store
from dashboard.memory_editor.models import MemorySnapshot, SnapshotFeedState
from dashboard.memory_editor.snapshots import MAX_SNAPSHOTS, write_snapshots
from dashboard.memory_editor.timeline import build_timeline
from dashboard.search.indexer import Indexer
from storeclient.convex import ConvexStore
from storeclient.interface import Store
from storeclient.models import Resource, Thread
from storeclient.sqlite import SQLiteStore

from .search.records import at, message, text

pytestmark = pytest.mark.django_db

RESOURCE_ID = "user_mei"
V1 = "# User\n- Name: Mei"
V2 = "# User\n- Name: Mei\n- City: Osaka"
V3 = "# User\n- Name: Mei\n- City: Kyoto"


@pytest.fixture(params=["sqlite", "convex"])
def store(request, tmp_path) -> Iterator[Store]:
    if request.param == "sqlite":
        made: Store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    else:
        server = request.getfixturevalue("convex_backend")
        made = ConvexStore(server.url, server.admin_key, change_settle_seconds=0)
    made.memory.save_resource(Resource(RESOURCE_ID, at(0), at(0), V1))
    with use_store(made):
        yield made
    made.close()


def write_memory(store: Store, value: str) -> None:
    """What an agent turn (or a script) does: replace the stored value."""
    current = store.memory.get_resource_by_id(RESOURCE_ID)
    assert current is not None
    store.memory.save_resource_working_memory(RESOURCE_ID, value, expected=current.memory_version)


def timeline(store: Store):
    resource = store.memory.get_resource_by_id(RESOURCE_ID)
    assert resource is not None
    return build_timeline("resource", RESOURCE_ID, resource.working_memory, store)


def test_each_value_seen_between_polls_is_a_version_in_order(store, vera_client):
    indexer = Indexer(store)
    assert indexer.poll().drained
    write_memory(store, V2)
    assert indexer.poll().drained
    write_memory(store, V3)
    assert indexer.poll().drained
    assert indexer.poll().drained  # an idle poll adds nothing
    versions = timeline(store).versions
    assert [(v.author, v.text) for v in versions] == [("seen", V1), ("seen", V2), ("seen", V3)]
    assert all(v.at is not None for v in versions) and versions[0].at <= versions[1].at <= versions[2].at
    body = vera_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/").content.decode()
    assert body.count('data-author="seen"') == 3 and 'data-author="elsewhere"' not in body


def test_a_dashboard_edit_is_one_version_by_its_author_not_also_a_seen_one(store, eddie_client):
    indexer = Indexer(store)
    assert indexer.poll().drained
    current = store.memory.get_resource_by_id(RESOURCE_ID)
    response = eddie_client.post(
        f"/resources/{RESOURCE_ID}/memory/",
        {"version": current.memory_version.token(), "base": V1, "draft": V2, "action": "save"},
    )
    assert response.status_code in (200, 303), response.content.decode()[:500]
    assert store.memory.get_resource_by_id(RESOURCE_ID).working_memory == V2
    assert indexer.poll().drained
    assert MemorySnapshot.objects.filter(target_id=RESOURCE_ID).count() == 2  # the indexer saw both
    assert [(v.author, v.text) for v in timeline(store).versions] == [("seen", V1), ("person", V2)]


def test_a_seen_version_can_be_restored(store, eddie_client):
    indexer = Indexer(store)
    assert indexer.poll().drained
    write_memory(store, V2)
    assert indexer.poll().drained
    first = timeline(store).versions[0]
    current = store.memory.get_resource_by_id(RESOURCE_ID)
    response = eddie_client.post(
        f"/resources/{RESOURCE_ID}/memory/",
        {"version": current.memory_version.token(), "restore_version": first.key, "confirmed": "on"},
    )
    assert response.status_code == 303
    assert store.memory.get_resource_by_id(RESOURCE_ID).working_memory == V1


def test_a_thread_scoped_memory_is_seen_and_a_new_message_alone_adds_nothing(store):
    thread = Thread("thr-mei", RESOURCE_ID, "Trip", at(1), at(1), {"workingMemory": V1})
    store.memory.save_thread(thread)
    indexer = Indexer(store)
    assert indexer.poll().drained
    # A new turn moves the thread's updatedAt; its memory is unchanged.
    store.memory.save_messages([message("m-1", thread, "user", 2, text("hello"))])
    assert indexer.poll().drained
    saved = store.memory.get_thread_by_id(thread.id)
    store.memory.save_thread_working_memory(thread.id, V2, expected=saved.memory_version)
    assert indexer.poll().drained
    versions = build_timeline("thread", thread.id, V2, store).versions
    assert [(v.author, v.text) for v in versions] == [("seen", V1), ("seen", V2)]


def test_a_rebuild_keeps_the_values_the_store_no_longer_holds(store):
    indexer = Indexer(store)
    assert indexer.poll().drained
    write_memory(store, V2)
    assert indexer.poll().drained
    assert indexer.rebuild().drained
    assert [v.text for v in timeline(store).versions] == [V1, V2]


def test_a_value_it_cannot_keep_whole_is_counted_not_cut(store, vera_client):
    indexer = Indexer(store)
    assert indexer.poll().drained
    write_memory(store, V2 + "\x00 hidden")
    assert indexer.poll().drained
    assert SnapshotFeedState.objects.get().skipped == 1
    assert [v.text for v in MemorySnapshot.objects.order_by("pk")] == [V1]
    response = vera_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/")
    assert response.status_code == 200


def test_each_memory_keeps_its_newest_snapshots(db):
    for n in range(MAX_SNAPSHOTS + 5):
        write_snapshots([("resource", RESOURCE_ID, f"value {n}", at(n))])
    kept = list(
        MemorySnapshot.objects.filter(target_id=RESOURCE_ID).order_by("pk").values_list("text", flat=True)
    )
    assert len(kept) == MAX_SNAPSHOTS and kept[0] == "value 5" and kept[-1] == f"value {MAX_SNAPSHOTS + 4}"


def test_a_hostile_id_or_a_missing_memory_is_passed_over(db):
    skipped = write_snapshots(
        [
            ("resource", "a\x00b", "x", at(0)),
            ("resource", "r" * 10_000, "x", at(0)),
            ("thread", "t1", None, at(0)),
        ]
    )
    assert skipped == 0 and not MemorySnapshot.objects.exists()
