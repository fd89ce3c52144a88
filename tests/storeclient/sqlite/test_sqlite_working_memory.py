"""Conflict-safe working-memory saves: one conditional statement, atomic across threads and
processes; a stale version raises ConflictError carrying the current value and writes nothing."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from storeclient.codec import to_iso
from storeclient.errors import ConflictError, MalformedRecordError, StorageError
from storeclient.models import MemoryVersion, Resource, Thread
from storeclient.sqlite import SQLiteStore

from . import race_worker
from .mastra_samples import ALICE_WM, TRIP_THREAD, at, resources, threads, to_jsonb, write_mastra_rows


def test_resource_save_with_current_version(store: SQLiteStore) -> None:
    alice = resources()[0]
    store.memory.save_resource(alice)
    saved = store.memory.save_resource_working_memory(
        "user-alice", "# Alice v2", expected=alice.memory_version
    )
    assert saved.working_memory == "# Alice v2"
    assert saved.metadata == alice.metadata and saved.created_at == alice.created_at
    assert saved.updated_at > alice.updated_at
    assert store.memory.get_resource_by_id("user-alice") == saved
    # The returned version is the next base.
    again = store.memory.save_resource_working_memory(
        "user-alice", "# Alice v3", expected=saved.memory_version
    )
    assert again.working_memory == "# Alice v3"


def test_resource_stale_version_conflicts_and_writes_nothing(store: SQLiteStore) -> None:
    alice = resources()[0]
    store.memory.save_resource(alice)
    mine = alice.memory_version
    theirs = store.memory.update_resource("user-alice", working_memory="# Changed by the agent")
    with pytest.raises(ConflictError) as info:
        store.memory.save_resource_working_memory("user-alice", "# My edit", expected=mine)
    assert info.value.current == theirs
    assert store.memory.get_resource_by_id("user-alice") == theirs


def test_resource_same_timestamp_different_content_conflicts(store: SQLiteStore) -> None:
    alice = resources()[0]
    store.memory.save_resource(alice)
    # Another writer changed the text without moving updatedAt (same millisecond): the hash catches it.
    store.memory.save_resource(replace(alice, working_memory="# Same ms, other text"))
    with pytest.raises(ConflictError):
        store.memory.save_resource_working_memory("user-alice", "# Mine", expected=alice.memory_version)
    # A -> B -> A by someone else moves updatedAt: caught as well.
    store.memory.save_resource(alice)
    store.memory.update_resource("user-alice", working_memory="# B")
    store.memory.update_resource("user-alice", working_memory=ALICE_WM)
    with pytest.raises(ConflictError):
        store.memory.save_resource_working_memory("user-alice", "# Mine", expected=alice.memory_version)


def test_resource_expected_none(store: SQLiteStore) -> None:
    created = store.memory.save_resource_working_memory("user-new", "# Fresh", expected=None)
    assert (created.working_memory, created.metadata) == ("# Fresh", {})
    with pytest.raises(ConflictError) as info:
        store.memory.save_resource_working_memory("user-new", "# Other", expected=None)
    assert info.value.current == created
    # An existing resource without working memory (NULL or "") may be filled, keeping its metadata.
    store.memory.save_resource(
        Resource(
            id="user-empty", created_at=at(0), updated_at=at(0), working_memory="", metadata={"plan": "pro"}
        )
    )
    filled = store.memory.save_resource_working_memory("user-empty", "# Now", expected=None)
    assert (filled.working_memory, filled.metadata, filled.created_at) == ("# Now", {"plan": "pro"}, at(0))


def test_resource_missing_with_a_version(store: SQLiteStore) -> None:
    with pytest.raises(ConflictError) as info:
        store.memory.save_resource_working_memory("ghost", "# x", expected=MemoryVersion.of(at(0), "# old"))
    assert info.value.current is None
    assert store.memory.get_resource_by_id("ghost") is None


def test_version_stamp_never_repeats(store: SQLiteStore) -> None:
    future = at(0) + timedelta(days=365 * 50)  # the stored updatedAt is ahead of our clock
    store.memory.save_resource(
        Resource(id="r", created_at=at(0), updated_at=future, working_memory="a", metadata={})
    )
    saved = store.memory.save_resource_working_memory("r", "b", expected=MemoryVersion.of(future, "a"))
    assert saved.updated_at == future + timedelta(milliseconds=1)


def test_non_canonical_stored_timestamp_still_matches(store: SQLiteStore, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(
        'INSERT INTO mastra_resources (id, "workingMemory", metadata, "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?)',
        ("r", "# wm", "{}", "2025-06-02T09:00:00Z", "2025-06-02T09:00:00Z"),
    )
    conn.commit()
    conn.close()
    current = store.memory.get_resource_by_id("r")
    assert current is not None
    saved = store.memory.save_resource_working_memory("r", "# new", expected=current.memory_version)
    assert saved.working_memory == "# new"


def test_thread_save_keeps_title_and_other_metadata(store: SQLiteStore) -> None:
    trip = threads()[1]
    store.memory.save_thread(trip)
    saved = store.memory.save_thread_working_memory(
        TRIP_THREAD, "# Trip\n- **Budget**: 1200 EUR\n", expected=trip.memory_version
    )
    assert saved.title == trip.title and saved.working_memory == "# Trip\n- **Budget**: 1200 EUR\n"
    assert isinstance(saved.metadata, dict) and saved.metadata["channel"] == "api"
    assert store.memory.get_thread_by_id(TRIP_THREAD) == saved
    with pytest.raises(ConflictError) as info:
        store.memory.save_thread_working_memory(TRIP_THREAD, "# stale", expected=trip.memory_version)
    assert info.value.current == saved


def test_thread_expected_none_and_errors(store: SQLiteStore, db_path: Path) -> None:
    weather = threads()[0]  # no working memory yet
    store.memory.save_thread(weather)
    saved = store.memory.save_thread_working_memory(weather.id, "# First", expected=None)
    assert saved.working_memory == "# First" and saved.metadata["tags"] == ["weather"]  # type: ignore[index]
    with pytest.raises(ConflictError):
        store.memory.save_thread_working_memory(weather.id, "# Again", expected=None)
    with pytest.raises(StorageError):
        store.memory.save_thread_working_memory("ghost", "# x", expected=None)
    bare = Thread(id="t-null", resource_id="r", title="No metadata", created_at=at(0), updated_at=at(0))
    store.memory.save_thread(bare)
    sqlite3.connect(db_path).execute(
        "UPDATE mastra_threads SET metadata = NULL WHERE id = 't-null'"
    ).connection.commit()
    assert store.memory.save_thread_working_memory("t-null", "# wm", expected=None).metadata == {
        "workingMemory": "# wm"
    }
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO mastra_threads VALUES ('t-bad', 'r', 'Bad', '{broken', ?, ?)",
        (to_iso(at(0)), to_iso(at(0))),
    )
    conn.commit()
    conn.close()
    with pytest.raises(MalformedRecordError):
        store.memory.save_thread_working_memory("t-bad", "# wm", expected=None)
    assert sqlite3.connect(db_path).execute(
        "SELECT metadata FROM mastra_threads WHERE id='t-bad'"
    ).fetchone() == ("{broken",)


def test_thread_save_over_mastra_jsonb_metadata(store: SQLiteStore, db_path: Path) -> None:
    trip = threads()[1]
    record = {**trip.to_record(), "metadata": trip.metadata}
    write_mastra_rows(db_path, "mastra_threads", [record], {"metadata"})
    current = store.memory.get_thread_by_id(TRIP_THREAD)
    assert current == trip
    saved = store.memory.save_thread_working_memory(TRIP_THREAD, "# edited", expected=current.memory_version)  # type: ignore[union-attr]
    assert saved.metadata == {**trip.metadata, "workingMemory": "# edited"}  # type: ignore[dict-item]
    kind = sqlite3.connect(db_path).execute("SELECT typeof(metadata) FROM mastra_threads").fetchone()[0]
    assert kind == "text"


@pytest.mark.parametrize("kind", ["resource", "thread"])
def test_twenty_threads_race_from_one_version(store: SQLiteStore, kind: str) -> None:
    store.memory.save_resource(resources()[0])
    store.memory.save_thread(threads()[1])
    base = (
        store.memory.get_resource_by_id("user-alice")
        if kind == "resource"
        else store.memory.get_thread_by_id(TRIP_THREAD)
    )
    assert base is not None
    version = base.memory_version
    barrier = threading.Barrier(20)
    outcomes: list[tuple[str, str | None]] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        barrier.wait()
        result: tuple[str, str | None]
        try:
            if kind == "resource":
                store.memory.save_resource_working_memory("user-alice", f"# thread {i}", expected=version)
            else:
                store.memory.save_thread_working_memory(TRIP_THREAD, f"# thread {i}", expected=version)
            result = ("ok", f"# thread {i}")
        except ConflictError as exc:
            result = ("conflict", exc.current.working_memory)
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    winners = [v for r, v in outcomes if r == "ok"]
    assert len(winners) == 1 and len(outcomes) == 20, outcomes
    # Every loser saw the winner's value as the current one.
    assert {v for r, v in outcomes if r == "conflict"} == set(winners)
    final = (
        store.memory.get_resource_by_id("user-alice")
        if kind == "resource"
        else store.memory.get_thread_by_id(TRIP_THREAD)
    )
    assert final is not None and final.working_memory == winners[0]


def race_context() -> multiprocessing.context.BaseContext:
    """Fresh worker processes (no fork of this threaded pytest process), forked from one server
    that imported the worker module once: spawning each would import storeclient again, about a
    second per process on a loaded machine."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([race_worker.__name__])
    return ctx


@pytest.mark.parametrize("kind", ["resource", "thread"])
def test_processes_race_from_one_version(db_path: Path, kind: str) -> None:
    store = SQLiteStore(db_path)
    store.memory.save_resource(resources()[0])
    store.memory.save_thread(threads()[1])
    target = "user-alice" if kind == "resource" else TRIP_THREAD
    base = (
        store.memory.get_resource_by_id(target)
        if kind == "resource"
        else store.memory.get_thread_by_id(target)
    )
    assert base is not None
    ctx = race_context()
    n = 8
    barrier = ctx.Barrier(n)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=race_worker.save_from_base,
            args=(
                str(db_path),
                kind,
                target,
                base.memory_version.token(),
                f"# process {i}",
                barrier,
                results,
            ),
        )
        for i in range(n)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [o for o in outcomes if o[0] == "error"] == []
    winners = [v for r, v in outcomes if r == "ok"]
    assert len(winners) == 1, outcomes
    final = (
        store.memory.get_resource_by_id(target)
        if kind == "resource"
        else store.memory.get_thread_by_id(target)
    )
    assert final is not None and final.working_memory == winners[0]
    store.close()


def test_memory_version_token_round_trip() -> None:
    version = resources()[0].memory_version
    assert MemoryVersion.from_token(version.token()) == version
    assert to_jsonb({"a": 1})  # the helper is importable here too


def test_mixed_reads_and_writes_from_many_threads(store: SQLiteStore) -> None:
    """Django serves requests from threads: readers and writers share one store without errors, and
    every write lands."""
    from .mastra_samples import user_message

    store.memory.save_thread(threads()[0])
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(40):
                if n % 2:
                    store.memory.save_messages([user_message(f"thread-{n}", i, f"msg {i}", t=i)])
                    store.memory.update_resource(f"user-{n}", metadata={"i": i})
                else:
                    store.memory.thread_feed(limit=10)
                    store.memory.list_messages(f"thread-{n - 1 if n else 1}", per_page=5, direction="DESC")
                    store.counts()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    for n in (1, 3, 5, 7):
        assert store.memory.list_messages(f"thread-{n}", per_page=False).total == 40
        got = store.memory.get_resource_by_id(f"user-{n}")
        assert got is not None and got.metadata == {"i": 39}
