"""``message_changes`` on a ``mastra.db``: it follows rowid (write order), and survives what
renumbers rowids (``VACUUM``, a deleted tail whose rowids are reused); Mastra's own writes count."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from storeclient.models import Message, Thread
from storeclient.sqlite import SQLiteStore
from tests.contract.records import thread, user_text

from .nodetools import needs_node, run_node


def drain(store: SQLiteStore, cursor: str | None = None) -> tuple[list[str], str]:
    seen: list[str] = []
    while True:
        page = store.memory.message_changes(cursor, limit=2)
        seen.extend(m.id for m in page.items)
        cursor = page.cursor
        if not page.has_more:
            return seen, cursor


def say(store: SQLiteStore, thread_n: int, n: int) -> Message:
    message = user_text(f"thread-{thread_n:03d}", n, f"message {n}")
    store.memory.save_messages([message])
    return message


def test_messages_written_into_the_rowids_of_a_deleted_thread_are_still_seen(store: SQLiteStore) -> None:
    store.memory.save_thread(thread(1))
    store.memory.save_thread(thread(2))
    say(store, 1, 0)
    for n in (1, 2):
        say(store, 2, n)
    _, cursor = drain(store)
    # The newest rows go away, so SQLite hands their rowids to the next inserts: below the cursor.
    store.memory.delete_thread("thread-002")
    store.memory.save_thread(thread(3))
    reused = [say(store, 3, n).id for n in (3, 4, 5)]
    seen, cursor = drain(store, cursor)
    assert set(reused) <= set(seen)
    assert drain(store, cursor)[0] == []


def test_the_feed_continues_after_the_rows_were_renumbered(store: SQLiteStore, db_path: Path) -> None:
    store.memory.save_thread(thread(1))
    store.memory.save_thread(thread(2))
    for n in range(4):
        say(store, 1, n)
    say(store, 2, 9)
    store.memory.delete_thread("thread-001")
    _, cursor = drain(store)
    # What a dump-and-restore does (and VACUUM may do: the table has no INTEGER PRIMARY KEY):
    # the same rows, numbered from 1 again, so the cursor's rowid now points past them.
    with sqlite3.connect(db_path, autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE copy AS SELECT * FROM mastra_messages ORDER BY rowid")
        conn.execute("DELETE FROM mastra_messages")
        conn.execute("INSERT INTO mastra_messages SELECT * FROM copy")
        assert conn.execute("SELECT rowid FROM mastra_messages").fetchall() == [(1,)]
    later = [say(store, 2, n).id for n in (10, 11)]
    assert drain(store, cursor)[0] == later


def test_an_empty_store_gives_a_cursor_that_sees_the_first_message(store: SQLiteStore) -> None:
    seen, cursor = drain(store)
    assert seen == []
    store.memory.save_thread(thread(1))
    first = say(store, 1, 0)
    assert drain(store, cursor)[0] == [first.id]


@needs_node
def test_messages_written_by_mastra_come_in_the_order_mastra_saved_them(tmp_path: Path) -> None:
    path = tmp_path / "mastra.db"
    written = run_node("libsql_client.mjs", "write", str(path), stdin="{}")
    with sqlite3.connect(path) as conn:
        in_write_order = [r[0] for r in conn.execute("SELECT id FROM mastra_messages ORDER BY rowid")]
    mastra_ids = {m["id"] for messages in written["read"]["messages"].values() for m in messages}
    with SQLiteStore(path, create=False, change_settle_seconds=0) as store:
        seen, _ = drain(store)
        assert seen == in_write_order and set(seen) == mastra_ids and len(seen) >= 3
        _, thread_cursor = _drain_threads(store, None)
        renamed = written["ids"]["threads"][0]
        update = {"op": "updateThread", "id": renamed, "title": "Renamed in Mastra", "metadata": {}}
        run_node("libsql_client.mjs", "read", str(path), stdin=json.dumps({"updates": [update]}))
        changed, _ = _drain_threads(store, thread_cursor)
        assert [(t.id, t.title) for t in changed] == [(renamed, "Renamed in Mastra")]


def _drain_threads(store: SQLiteStore, cursor: str | None) -> tuple[list[Thread], str]:
    seen: list[Thread] = []
    while True:
        page = store.memory.thread_changes(cursor, limit=50)
        seen.extend(page.items)
        cursor = page.cursor
        if not page.has_more:
            return seen, cursor


def test_a_last_message_deleted_and_saved_again_does_not_hide_the_ones_between(store: SQLiteStore) -> None:
    store.memory.save_thread(thread(1))
    store.memory.save_thread(thread(2))
    last = say(store, 1, 0)
    _, cursor = drain(store)
    store.memory.delete_thread("thread-001")
    between = [say(store, 2, n).id for n in (1, 2)]
    store.memory.save_thread(thread(1))
    store.memory.save_messages([last])  # the same id again, now at the top
    seen, _ = drain(store, cursor)
    assert set(between) <= set(seen) and last.id in seen


def test_hostile_rows_pass_through_the_feeds_without_stopping_them(store: SQLiteStore, db_path: Path) -> None:
    store.memory.save_thread(thread(1))
    with sqlite3.connect(db_path, autocommit=True) as conn:
        rows = [
            (
                b"\xff\xfe",
                "thread-001",
                "not json {",
                "user",
                "v2",
                "2026-01-09T14:02:11.481Z",
                "user_8f2c1a",
            ),
            ("m-number-date", "thread-001", '{"format":2,"parts":[]}', "user", "v2", 12345, "user_8f2c1a"),
            ("m-blob-date", "thread-001", b"\x00\x01", "assistant", "v1", b"\x00", None),
        ]
        conn.executemany("INSERT INTO mastra_messages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("INSERT INTO mastra_threads VALUES ('t-odd', 'user_x', 'odd', x'00', 'garbage', x'01')")
    seen, cursor = drain(store)
    assert len(seen) == 3
    later = say(store, 1, 7)
    assert drain(store, cursor)[0] == [later.id]
    with SQLiteStore(db_path, change_settle_seconds=0) as fresh:
        threads = fresh.memory.thread_changes(None, limit=10)
        # The BLOB updatedAt never settles (it sorts after every text); the rest come through.
        assert [t.id for t in threads.items] == ["thread-001"]
