"""Threads, messages and resources: @mastra/libsql 1.23.1 semantics (defaults, orders, pagination
edges, filters, include windows), on the SQLite store."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from storeclient.codec import now
from storeclient.errors import InvalidRequest, StorageError
from storeclient.models import Message, Resource, Thread
from storeclient.sqlite import SQLiteStore

from .mastra_samples import (
    ALICE_WM,
    TRIP_THREAD,
    WEATHER_THREAD,
    at,
    resources,
    threads,
    user_message,
    weather_messages,
)


def _thread(
    n: int,
    *,
    resource: str = "user-alice",
    created: float | None = None,
    updated: float | None = None,
    **meta: object,
) -> Thread:
    return Thread(
        id=f"thread-{n:03d}",
        resource_id=resource,
        title=f"Conversation {n}",
        metadata={"channel": "web", **meta},
        created_at=at(created if created is not None else n * 10),
        updated_at=at(updated if updated is not None else 10_000 - n),
    )


def _conversation(
    store: SQLiteStore, thread_id: str, count: int, *, resource: str = "user-alice", start: float = 0
) -> list[Message]:
    msgs = [
        user_message(thread_id, i, f"Message {i} ✓", resource=resource, t=start + i) for i in range(count)
    ]
    store.memory.save_messages(msgs)
    return msgs


# --- threads ------------------------------------------------------------------------------------


def test_thread_round_trip(store: SQLiteStore) -> None:
    for t in threads():
        assert store.memory.save_thread(t) == t
    for t in threads():
        assert store.memory.get_thread_by_id(t.id) == t
    assert store.memory.get_thread_by_id("nope") is None
    assert store.memory.get_thread_by_id(WEATHER_THREAD, resource_id="user-alice") is not None
    assert store.memory.get_thread_by_id(WEATHER_THREAD, resource_id="user-bob") is None


def test_save_thread_writes_plain_json_text(store: SQLiteStore, db_path: Path) -> None:
    store.memory.save_thread(threads()[0])
    conn = sqlite3.connect(db_path)
    kind, text, created = conn.execute(
        'SELECT typeof(metadata), metadata, "createdAt" FROM mastra_threads'
    ).fetchone()
    assert kind == "text"
    assert text == '{"channel":"web","tags":["weather"],"pinned":true}'
    assert created == "2025-06-02T09:10:00.000Z"


def test_list_threads_defaults_and_orders(store: SQLiteStore) -> None:
    for n in range(1, 6):
        store.memory.save_thread(_thread(n))
    page = store.memory.list_threads()
    assert (page.total, page.page, page.per_page, page.has_more) == (5, 0, 100, False)
    assert [t.id for t in page.threads] == [f"thread-{n:03d}" for n in (5, 4, 3, 2, 1)]  # createdAt DESC
    asc = store.memory.list_threads(direction="ASC")
    assert [t.id for t in asc.threads] == [f"thread-{n:03d}" for n in (1, 2, 3, 4, 5)]
    by_updated = store.memory.list_threads(order_by="updatedAt")
    assert [t.id for t in by_updated.threads] == [f"thread-{n:03d}" for n in (1, 2, 3, 4, 5)]  # updated desc
    by_updated_asc = store.memory.list_threads(order_by="updatedAt", direction="ASC")
    assert [t.id for t in by_updated_asc.threads][0] == "thread-005"
    # Unknown field / direction fall back like parseOrderBy.
    assert store.memory.list_threads(order_by="title", direction="sideways").threads == page.threads  # type: ignore[arg-type]


def test_list_threads_pagination_edges(store: SQLiteStore) -> None:
    for n in range(1, 18):
        store.memory.save_thread(_thread(n))
    p0 = store.memory.list_threads(per_page=7)
    assert (len(p0.threads), p0.total, p0.has_more) == (7, 17, True)
    p2 = store.memory.list_threads(page=2, per_page=7)
    assert (len(p2.threads), p2.has_more) == (3, False)
    beyond = store.memory.list_threads(page=5, per_page=7)
    assert (beyond.threads, beyond.total, beyond.has_more) == ([], 17, False)
    big = store.memory.list_threads(per_page=100)
    assert (len(big.threads), big.per_page, big.has_more) == (17, 100, False)
    everything = store.memory.list_threads(per_page=False)
    assert (len(everything.threads), everything.per_page, everything.has_more) == (17, False, False)
    zero = store.memory.list_threads(per_page=0)
    assert (zero.threads, zero.total, zero.has_more) == ([], 17, True)  # offset + 0 < total, as Mastra
    seen = [t.id for p in range(3) for t in store.memory.list_threads(page=p, per_page=7).threads]
    assert sorted(seen) == sorted(f"thread-{n:03d}" for n in range(1, 18))  # no dup, no gap


def test_list_threads_equal_timestamps_page_stably(store: SQLiteStore) -> None:
    for n in range(1, 11):
        store.memory.save_thread(_thread(n, created=100))
    seen = [t.id for p in range(5) for t in store.memory.list_threads(page=p, per_page=2).threads]
    assert len(seen) == len(set(seen)) == 10


@pytest.mark.parametrize(
    ("page", "per_page"),
    [(-1, 10), (1, False), (0, -5), (0, True)],
)
def test_list_threads_rejects_bad_pages(store: SQLiteStore, page: int, per_page: int) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.list_threads(page=page, per_page=per_page)


def test_list_threads_empty(store: SQLiteStore) -> None:
    empty = store.memory.list_threads(resource_id="nobody", per_page=5)
    assert (empty.threads, empty.total, empty.page, empty.per_page, empty.has_more) == ([], 0, 0, 5, False)


def test_list_threads_filters(store: SQLiteStore) -> None:
    for t in threads():
        store.memory.save_thread(t)
    store.memory.save_thread(_thread(9, resource="user-carol", channel="api", pinned=True))
    alice = store.memory.list_threads(resource_id="user-alice")
    assert {t.id for t in alice.threads} == {WEATHER_THREAD, "b2f7c1e0-0000-4000-8000-000000000003"}
    assert {t.id for t in store.memory.list_threads(metadata={"channel": "api"}).threads} == {
        TRIP_THREAD,
        "thread-009",
    }
    # AND of several keys; booleans as 1/0 like Mastra's json_extract filter.
    pinned = store.memory.list_threads(metadata={"channel": "web", "pinned": True})
    assert [t.id for t in pinned.threads] == [WEATHER_THREAD]
    assert [t.id for t in store.memory.list_threads(metadata={"pinned": False}).threads] == [
        "b2f7c1e0-0000-4000-8000-000000000003"
    ]
    assert [t.id for t in store.memory.list_threads(metadata={"score": 3}).threads] == [
        "b2f7c1e0-0000-4000-8000-000000000003"
    ]
    # None means "missing or null"; threads lacking a key never match a value.
    no_tags = store.memory.list_threads(metadata={"tags": None})
    assert WEATHER_THREAD not in {t.id for t in no_tags.threads} and len(no_tags.threads) == 3
    both = store.memory.list_threads(resource_id="user-carol", metadata={"pinned": True})
    assert [t.id for t in both.threads] == ["thread-009"]
    assert store.memory.list_threads(metadata={"channel": "fax"}).total == 0
    paged = store.memory.list_threads(metadata={"channel": "api"}, per_page=1)
    assert (paged.total, paged.has_more) == (2, True)
    assert store.memory.list_threads(metadata={"channel": "api"}, per_page=1, page=1).has_more is False


@pytest.mark.parametrize(
    "metadata",
    [
        {"bad-key": "x"},
        {"1abc": "x"},
        {"a.b": "x"},
        {"__proto__": "x"},
        {"constructor": 1},
        {"x" * 129: 1},
        {"key\n": 1},
        {"ok": {"nested": 1}},
        {"ok": [1]},
        {"ok": float("nan")},
        {"$.x') OR 1=1 --": 1},
    ],
)
def test_list_threads_rejects_unsafe_metadata_filters(
    store: SQLiteStore, metadata: dict[str, object]
) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.list_threads(metadata=metadata)


def test_update_thread_merges_and_bumps(store: SQLiteStore) -> None:
    trip = threads()[1]
    store.memory.save_thread(trip)
    before = now()
    updated = store.memory.update_thread(
        TRIP_THREAD, title="Lisbon in July", metadata={"channel": "web", "x": 1}
    )
    assert updated.title == "Lisbon in July"
    assert isinstance(updated.metadata, dict)
    assert updated.metadata["workingMemory"] == trip.working_memory
    assert (updated.metadata["channel"], updated.metadata["x"]) == ("web", 1)
    assert updated.updated_at >= before and updated.created_at == trip.created_at
    assert store.memory.get_thread_by_id(TRIP_THREAD) == updated
    listed = store.memory.list_threads(resource_id="user-bob").threads[0]
    assert listed == updated  # consistent timestamps between get and list
    title_only = store.memory.update_thread(TRIP_THREAD, metadata={"y": 2})
    assert title_only.title == "Lisbon in July"
    with pytest.raises(StorageError):
        store.memory.update_thread("missing", title="x")


def test_delete_thread_deletes_messages_only_of_that_thread(store: SQLiteStore) -> None:
    for t in threads():
        store.memory.save_thread(t)
    store.memory.save_messages(weather_messages())
    _conversation(store, TRIP_THREAD, 3, resource="user-bob")
    store.memory.delete_thread(WEATHER_THREAD)
    assert store.memory.get_thread_by_id(WEATHER_THREAD) is None
    assert store.memory.list_messages(WEATHER_THREAD).total == 0
    assert store.memory.list_messages(TRIP_THREAD).total == 3
    assert store.memory.get_resource_by_id("user-alice") is None or True  # resources untouched
    store.memory.delete_thread("never-existed")  # no error


# --- messages -----------------------------------------------------------------------------------


def test_messages_round_trip_exactly(store: SQLiteStore, db_path: Path) -> None:
    store.memory.save_thread(threads()[0])
    msgs = weather_messages()
    assert store.memory.save_messages(msgs) == msgs
    listed = store.memory.list_messages(WEATHER_THREAD)
    assert list(listed.messages) == msgs
    assert (listed.total, listed.page, listed.per_page, listed.has_more) == (3, 0, 40, False)
    raw = (
        sqlite3.connect(db_path)
        .execute(
            "SELECT content, type, typeof(content) FROM mastra_messages WHERE id = 'fcab4d6f-0461-505f-a64c-eca052af2836'"
        )
        .fetchone()
    )
    assert raw[1:] == ("v2", "text")
    assert raw[0].startswith('{"format":2,"parts":[{"type":"reasoning"')
    assert "18 °C" in raw[0]  # non-ASCII kept as is, like JSON.stringify


def test_save_messages_bumps_each_thread_and_keeps_created_at(store: SQLiteStore) -> None:
    t1, t2 = _thread(1), _thread(2)
    store.memory.save_thread(t1)
    store.memory.save_thread(t2)
    before = now()
    store.memory.save_messages([user_message(t1.id, 1, "a"), user_message(t2.id, 2, "b")])
    for tid in (t1.id, t2.id):
        got = store.memory.get_thread_by_id(tid)
        assert got is not None and got.updated_at >= before
    # Upsert: same id, new content and a new thread -> moved, createdAt kept.
    original = user_message(t1.id, 1, "a")
    moved = replace(
        original,
        thread_id=t2.id,
        content={"format": 2, "parts": [{"type": "text", "text": "edited"}]},
        created_at=at(99_999),
    )
    store.memory.save_messages([moved])
    assert store.memory.list_messages(t1.id).total == 0
    got = store.memory.list_messages(t2.id).messages
    assert len(got) == 2
    edited = next(m for m in got if m.id == original.id)
    assert edited.content["parts"][0]["text"] == "edited" and edited.created_at == original.created_at


def test_save_messages_is_all_or_nothing(store: SQLiteStore) -> None:
    store.memory.save_thread(_thread(1))
    good = user_message("thread-001", 1, "ok")
    with pytest.raises(InvalidRequest):
        store.memory.save_messages([good, replace(good, id="x2", resource_id=None)])
    with pytest.raises(InvalidRequest):
        store.memory.save_messages([replace(good, thread_id="")])
    assert store.memory.list_messages("thread-001").total == 0
    assert store.memory.save_messages([]) == []


def test_list_messages_pagination_and_order(store: SQLiteStore) -> None:
    store.memory.save_thread(_thread(1))
    msgs = _conversation(store, "thread-001", 5)
    pages = [store.memory.list_messages("thread-001", per_page=2, page=p) for p in range(3)]
    assert [len(p.messages) for p in pages] == [2, 2, 1]
    assert [p.has_more for p in pages] == [True, True, False]
    assert [m.id for p in pages for m in p.messages] == [m.id for m in msgs]
    desc = store.memory.list_messages("thread-001", per_page=2, direction="DESC")
    assert [m.id for m in desc.messages] == [msgs[4].id, msgs[3].id]
    assert (desc.total, desc.has_more) == (5, True)
    everything = store.memory.list_messages("thread-001", per_page=False, page=3)
    assert (len(everything.messages), everything.per_page, everything.page, everything.has_more) == (
        5,
        False,
        3,
        False,
    )
    zero = store.memory.list_messages("thread-001", per_page=0)
    assert (zero.messages, zero.total, zero.has_more) == ([], 0, False)
    beyond = store.memory.list_messages("thread-001", per_page=2, page=9)
    assert (beyond.messages, beyond.total, beyond.has_more) == ([], 5, False)
    empty = store.memory.list_messages("no-such-thread")
    assert (empty.messages, empty.total) == ([], 0)


@pytest.mark.parametrize("thread_id", ["", "  ", [], ["ok", " "]])
def test_list_messages_rejects_blank_thread_ids(store: SQLiteStore, thread_id: str | list[str]) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.list_messages(thread_id)


def test_list_messages_rejects_negative_numbers(store: SQLiteStore) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.list_messages("t", per_page=-5)
    with pytest.raises(InvalidRequest):
        store.memory.list_messages("t", page=-1)


def test_list_messages_filters(store: SQLiteStore) -> None:
    store.memory.save_thread(_thread(1))
    msgs = _conversation(store, "thread-001", 6)
    # A message of another resource in the same thread.
    store.memory.save_messages([user_message("thread-001", 50, "other", resource="user-bob", t=2.5)])
    assert store.memory.list_messages("thread-001", resource_id="user-alice").total == 6
    assert store.memory.list_messages("thread-001").total == 7
    start, end = at(2), at(4)
    assert store.memory.list_messages("thread-001", resource_id="user-alice", date_from=start).total == 4
    assert store.memory.list_messages("thread-001", resource_id="user-alice", date_to=end).total == 5
    both = store.memory.list_messages("thread-001", resource_id="user-alice", date_from=start, date_to=end)
    assert [m.id for m in both.messages] == [m.id for m in msgs[2:5]]
    excl = store.memory.list_messages(
        "thread-001",
        resource_id="user-alice",
        date_from=start,
        date_to=end,
        start_exclusive=True,
        end_exclusive=True,
    )
    assert [m.id for m in excl.messages] == [msgs[3].id]
    iso = store.memory.list_messages(
        "thread-001", resource_id="user-alice", date_from="2025-06-02T09:00:02.000Z"
    )
    assert iso.total == 4
    ms = store.memory.list_messages(
        "thread-001", resource_id="user-alice", date_from=at(2) + timedelta(milliseconds=1)
    )
    assert ms.total == 3
    paged = store.memory.list_messages(
        "thread-001", resource_id="user-alice", date_from=start, per_page=2, page=1
    )
    assert ([m.id for m in paged.messages], paged.total, paged.has_more) == (
        [msgs[4].id, msgs[5].id],
        4,
        False,
    )


def test_list_messages_metadata_filter(store: SQLiteStore) -> None:
    store.memory.save_thread(threads()[0])
    store.memory.save_messages(weather_messages())
    store.memory.save_messages(
        [
            Message(
                id="legacy",
                thread_id=WEATHER_THREAD,
                resource_id="user-alice",
                role="user",
                created_at=at(1),
                content="plain text, not JSON",
                type="text",
            )
        ]
    )
    hit = store.memory.list_messages(WEATHER_THREAD, metadata={"source": "slack"})
    assert [m.id for m in hit.messages] == [f"{WEATHER_THREAD[:8]}-u002"]
    assert store.memory.list_messages(WEATHER_THREAD, metadata={"urgent": True}).total == 1
    assert store.memory.list_messages(WEATHER_THREAD, metadata={"urgent": 1}).total == 0  # typed, as libsql
    assert store.memory.list_messages(WEATHER_THREAD, metadata={"retries": 2}).total == 1
    assert store.memory.list_messages(WEATHER_THREAD, metadata={"source": "email"}).total == 0
    with pytest.raises(InvalidRequest):
        store.memory.list_messages(WEATHER_THREAD, metadata={"bad key": 1})


def _seed_include(store: SQLiteStore) -> tuple[list[Message], list[Message]]:
    store.memory.save_thread(_thread(1))
    store.memory.save_thread(_thread(2))
    a = _conversation(store, "thread-001", 5)
    b = _conversation(store, "thread-002", 3, start=100)
    return a, b


def test_include_windows(store: SQLiteStore) -> None:
    a, b = _seed_include(store)
    ids = lambda page: [m.id for m in page.messages]  # noqa: E731
    prev = store.memory.list_messages(
        "thread-001", per_page=0, include=[{"id": a[3].id, "withPreviousMessages": 2}]
    )
    assert (ids(prev), prev.total, prev.has_more) == ([a[1].id, a[2].id, a[3].id], 0, False)
    nxt = store.memory.list_messages(
        "thread-001", per_page=0, include=[{"id": a[1].id, "withNextMessages": 2}]
    )
    assert ids(nxt) == [a[1].id, a[2].id, a[3].id]
    both = store.memory.list_messages(
        "thread-001", per_page=0, include=[{"id": a[2].id, "withPreviousMessages": 1, "withNextMessages": 1}]
    )
    assert ids(both) == [a[1].id, a[2].id, a[3].id]
    overlap = store.memory.list_messages(
        "thread-001",
        per_page=0,
        include=[{"id": a[1].id, "withNextMessages": 2}, {"id": a[3].id, "withPreviousMessages": 2}],
    )
    assert ids(overlap) == [a[1].id, a[2].id, a[3].id]  # deduplicated
    cross = store.memory.list_messages(
        "thread-001", per_page=2, include=[{"id": b[1].id, "withPreviousMessages": 1}]
    )
    assert ids(cross) == [a[0].id, a[1].id, b[0].id, b[1].id]
    assert (cross.total, cross.has_more) == (5, True)
    unknown = store.memory.list_messages("thread-001", include=[{"id": "nope", "withNextMessages": 3}])
    assert len(unknown.messages) == 5
    covering = store.memory.list_messages(
        "thread-001", per_page=3, include=[{"id": a[2].id, "withNextMessages": 10}]
    )
    assert (len(covering.messages), covering.total, covering.has_more) == (5, 5, False)
    desc = store.memory.list_messages("thread-001", per_page=2, direction="DESC", include=[{"id": b[0].id}])
    assert ids(desc) == [b[0].id, a[4].id, a[3].id]
    scoped = store.memory.list_messages(
        "thread-001", resource_id="user-bob", per_page=0, include=[{"id": a[3].id, "withPreviousMessages": 2}]
    )
    assert ids(scoped) == []  # the target is another resource's: not leaked


def test_list_messages_by_id(store: SQLiteStore) -> None:
    a, b = _seed_include(store)
    got = store.memory.list_messages_by_id([b[0].id, a[2].id, "missing", a[0].id])
    assert [m.id for m in got] == [a[0].id, a[2].id, b[0].id]
    assert store.memory.list_messages_by_id([]) == []


# --- resources ------------------------------------------------------------------------------------


def test_resource_round_trip(store: SQLiteStore, db_path: Path) -> None:
    for r in resources():
        assert store.memory.save_resource(r) == r
        assert store.memory.get_resource_by_id(r.id) == r
    assert store.memory.get_resource_by_id("nobody") is None
    wm = (
        sqlite3.connect(db_path)
        .execute("SELECT \"workingMemory\" FROM mastra_resources WHERE id='user-bob'")
        .fetchone()[0]
    )
    assert wm == resources()[1].working_memory  # byte for byte; not re-serialised


def test_update_resource(store: SQLiteStore) -> None:
    alice = resources()[0]
    store.memory.save_resource(alice)
    both = store.memory.update_resource(
        "user-alice", working_memory="# New", metadata={"plan": "team", "seats": 5}
    )
    assert both.working_memory == "# New"
    assert both.metadata == {"plan": "team", "locale": "fr-FR", "onboarded": True, "seats": 5}
    assert both.updated_at > alice.updated_at and both.created_at == alice.created_at
    wm_only = store.memory.update_resource("user-alice", working_memory=ALICE_WM)
    assert wm_only.metadata == both.metadata and wm_only.working_memory == ALICE_WM
    meta_only = store.memory.update_resource("user-alice", metadata={"nested": {"a": None, "b": [1, 2]}})
    assert meta_only.working_memory == ALICE_WM and meta_only.metadata["nested"] == {"a": None, "b": [1, 2]}
    created = store.memory.update_resource("user-new", working_memory="")
    assert (created.working_memory, created.metadata) == ("", {})
    bare = store.memory.update_resource("user-bare")
    assert not bare.working_memory and bare.metadata == {}
    big = "x" * 10_240
    assert store.memory.update_resource("user-bare", working_memory=big).working_memory == big


def test_resource_without_metadata_reads_empty(store: SQLiteStore) -> None:
    store.memory.save_resource(
        Resource(id="r", created_at=at(0), updated_at=at(0), working_memory=None, metadata={})
    )
    got = store.memory.get_resource_by_id("r")
    assert got is not None and got.metadata == {} and got.working_memory is None


def test_values_json_cannot_hold_are_refused_before_writing(store: SQLiteStore) -> None:
    bad = Thread(
        id="t", resource_id="r", title="x", metadata={"when": object()}, created_at=at(0), updated_at=at(0)
    )
    with pytest.raises(InvalidRequest):
        store.memory.save_thread(bad)
    with pytest.raises(InvalidRequest):
        store.memory.save_messages([replace(user_message("t", 1, "x"), content={"n": float("nan")})])
    assert store.memory.get_thread_by_id("t") is None and store.memory.list_messages("t").total == 0
    # Dates inside metadata are written as ISO strings, like JSON.stringify does.
    ok = replace(bad, metadata={"when": at(1)})
    store.memory.save_thread(ok)
    got = store.memory.get_thread_by_id("t")
    assert got is not None and got.metadata == {"when": "2025-06-02T09:00:01.000Z"}


@pytest.mark.parametrize("value", ["yesterday", "", "2025-13-45"])
def test_bad_date_filters_are_refused(store: SQLiteStore, value: str) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.list_messages("t", date_from=value)


def test_epoch_date_filter_is_a_date(store: SQLiteStore) -> None:
    store.memory.save_messages([user_message("t", 1, "x")])
    assert store.memory.list_messages("t", date_from="1970-01-01T00:00:00.000Z").total == 1
