"""Encodings found in real files: Mastra's JSONB rows, legacy JSON text, v1 messages, malformed
cells (shown raw, never fatal to a list), unicode, and a ~900 KB record."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storeclient.models import Message, Resource, Thread
from storeclient.sqlite import SQLiteStore

from .mastra_samples import (
    BOB_WM,
    WEATHER_ASSISTANT_CONTENT,
    WEATHER_THREAD,
    at,
    iso,
    resources,
    threads,
    write_mastra_rows,
)


def _raw(db_path: Path, sql: str, params: tuple[object, ...] = ()) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_threads_and_resources_written_by_mastra_as_jsonb(store: SQLiteStore, db_path: Path) -> None:
    write_mastra_rows(
        db_path,
        "mastra_threads",
        [{**t.to_record(), "metadata": t.metadata} for t in threads()],
        {"metadata"},
    )
    write_mastra_rows(
        db_path,
        "mastra_resources",
        [{**r.to_record(), "workingMemory": r.working_memory} for r in resources()],
        {"metadata"},
    )
    assert {t.id: t for t in store.memory.list_threads().threads} == {t.id: t for t in threads()}
    for r in resources():
        assert store.memory.get_resource_by_id(r.id) == r
    # The metadata filter works on the JSONB blobs (Python 3.40 SQLite alone could not read them).
    assert [t.id for t in store.memory.list_threads(metadata={"pinned": True}).threads] == [WEATHER_THREAD]
    # update_thread merges into Mastra's JSONB metadata and writes JSON text back.
    merged = store.memory.update_thread(WEATHER_THREAD, metadata={"archived": True})
    assert merged.metadata == {**threads()[0].metadata, "archived": True}  # type: ignore[dict-item]
    assert store.memory.update_resource("user-bob", metadata={"plan": "pro"}).metadata == {
        "plan": "pro",
        "lastSeenChannel": "api",
    }


def test_json_working_memory_is_returned_byte_for_byte(store: SQLiteStore, db_path: Path) -> None:
    pretty = json.dumps(json.loads(BOB_WM), indent=2)
    store.memory.save_resource(
        Resource(id="user-bob", created_at=at(0), updated_at=at(0), working_memory=pretty, metadata={})
    )
    got = store.memory.get_resource_by_id("user-bob")
    # Mastra's getResourceById re-serialises JSON-looking text compactly; the editor needs the bytes.
    assert got is not None and got.working_memory == pretty


def test_legacy_metadata_as_json_text_and_malformed(store: SQLiteStore, db_path: Path) -> None:
    stamp = iso(at(0))
    _raw(
        db_path,
        "INSERT INTO mastra_threads VALUES ('t-text', 'r', 'Text meta', ?, ?, ?)",
        ('{"channel":"email"}', stamp, stamp),
    )
    _raw(
        db_path,
        "INSERT INTO mastra_threads VALUES ('t-bad', 'r', 'Bad meta', ?, ?, ?)",
        ("{'single': quotes}", stamp, stamp),
    )
    _raw(db_path, "INSERT INTO mastra_threads VALUES ('t-null', 'r', 'No meta', NULL, ?, ?)", (stamp, stamp))
    _raw(db_path, "INSERT INTO mastra_resources VALUES ('r-bad', 'wm', ?, ?, ?)", ("not json", stamp, stamp))
    got = {t.id: t.metadata for t in store.memory.list_threads(resource_id="r").threads}
    assert got == {"t-text": {"channel": "email"}, "t-bad": "{'single': quotes}", "t-null": {}}
    assert (
        store.memory.list_threads(metadata={"channel": "email"}).total == 1
    )  # malformed rows just do not match
    feed = store.memory.thread_feed(resource_id="r")
    assert {t.id for t in feed.items} == {"t-text", "t-bad", "t-null"}
    res = store.memory.get_resource_by_id("r-bad")
    assert res is not None and res.metadata == "not json"
    # Merging into malformed metadata replaces it (it cannot be merged into).
    assert store.memory.update_thread("t-bad", metadata={"fixed": True}).metadata == {"fixed": True}


def test_v1_messages_and_malformed_content(store: SQLiteStore, db_path: Path) -> None:
    rows = [
        ("v1-string", '"Hello from 2024"', "user", "text"),
        (
            "v1-array",
            json.dumps(
                [
                    {"type": "text", "text": "Part one"},
                    {"type": "tool-call", "toolCallId": "c1", "toolName": "search", "args": {"q": "paris"}},
                ]
            ),
            "assistant",
            "tool-call",
        ),
        (
            "v1-tool",
            json.dumps(
                [{"type": "tool-result", "toolCallId": "c1", "toolName": "search", "result": {"hits": 3}}]
            ),
            "tool",
            "tool-result",
        ),
        ("bare", "plain words, not JSON", "user", "text"),
        ("broken", '{"format":2,"parts":[', "assistant", "v2"),
    ]
    for i, (mid, content, role, kind) in enumerate(rows):
        _raw(
            db_path,
            "INSERT INTO mastra_messages (id, thread_id, content, role, type, \"createdAt\", \"resourceId\") VALUES (?, 'legacy', ?, ?, ?, ?, 'r')",
            (mid, content, role, kind, iso(at(i))),
        )
    got = {m.id: m for m in store.memory.list_messages("legacy").messages}
    assert got["v1-string"].content == "Hello from 2024" and got["v1-string"].type == "text"
    assert got["v1-array"].content[1]["toolName"] == "search" and got["v1-array"].type == "tool-call"
    assert got["v1-tool"].role == "tool" and got["v1-tool"].display_role == "assistant"
    assert got["bare"].content == "plain words, not JSON"
    assert got["broken"].content == '{"format":2,"parts":['  # raw, not an error
    assert [m.id for m in store.memory.message_feed("legacy", limit=2).items] == ["broken", "bare"]
    # Mastra's metadata filter skips rows whose content is not JSON instead of failing.
    assert store.memory.list_messages("legacy", metadata={"x": 1}).total == 0


def test_v1_string_content_round_trips(store: SQLiteStore, db_path: Path) -> None:
    msg = Message(
        id="m",
        thread_id="t",
        resource_id="r",
        role="user",
        created_at=at(0),
        content="just a string",
        type="text",
    )
    store.memory.save_messages([msg])
    stored = sqlite3.connect(db_path).execute("SELECT content, type FROM mastra_messages").fetchone()
    assert stored == ("just a string", "text")  # as Mastra: strings are stored as given
    assert store.memory.list_messages("t").messages == [msg]


def test_malformed_snapshots_and_score_cells(store: SQLiteStore, db_path: Path) -> None:
    _raw(
        db_path,
        "INSERT INTO mastra_workflow_snapshot VALUES ('w', 'bad', NULL, ?, ?, ?)",
        ('{"status": "fail', iso(at(1)), iso(at(1))),
    )
    _raw(
        db_path,
        "INSERT INTO mastra_workflow_snapshot VALUES ('w', 'blob', NULL, ?, ?, ?)",
        (b"\x0d\xff\xfe", iso(at(2)), iso(at(2))),
    )
    _raw(
        db_path,
        "INSERT INTO mastra_workflow_snapshot VALUES ('w', 'list', NULL, ?, ?, ?)",
        ("[1,2]", iso(at(3)), iso(at(3))),
    )
    _raw(
        db_path,
        "INSERT INTO mastra_workflow_snapshot VALUES ('w', 'twice', NULL, ?, ?, ?)",
        (json.dumps(json.dumps({"status": "success"})), iso(at(4)), iso(at(4))),
    )
    _raw(
        db_path,
        "INSERT INTO mastra_workflow_snapshot VALUES ('w', 'empty', NULL, NULL, ?, ?)",
        (iso(at(5)), iso(at(5))),
    )
    runs = {r.run_id: r for r in store.workflows.list_workflow_runs().runs}
    assert runs["bad"].snapshot == '{"status": "fail' and "not valid JSON" in (
        runs["bad"].snapshot_error or ""
    )
    assert isinstance(runs["blob"].snapshot, str) and runs["blob"].snapshot_error
    assert runs["list"].snapshot == "[1,2]" and runs["list"].snapshot_error
    assert runs["twice"].status is None and runs["twice"].snapshot_error  # as Mastra's filter sees it
    assert runs["empty"].snapshot_error and runs["empty"].status is None
    assert store.workflows.load_workflow_snapshot("w", "bad") is None
    assert {k: v.value for k, v in store.workflows.status_counts().items()} == {"unknown": 5}
    assert store.workflows.run_feed(status="success").items == []
    _raw(
        db_path,
        'INSERT INTO mastra_scorers (id, "scorerId", "runId", score, source, scorer, input, "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ("s1", "sc", "r", 0.5, "LIVE", "{broken", b"\x0d", iso(at(0)), iso(at(0))),
    )
    score = store.scores.get_score_by_id("s1")
    assert score is not None and score.get("scorer") == "{broken" and isinstance(score.get("input"), str)


@pytest.mark.parametrize(
    "text",
    ["Grüße aus München 🍺", "日本語のタイトル", "עברית", "emoji 👩‍👩‍👧‍👦 zwj", "quote \" and ' and \\ back"],
)
def test_unicode_everywhere(store: SQLiteStore, text: str) -> None:
    thread = Thread(
        id=f"t-{text}",
        resource_id=f"r-{text}",
        title=text,
        metadata={"k": text},
        created_at=at(0),
        updated_at=at(0),
    )
    store.memory.save_thread(thread)
    assert store.memory.get_thread_by_id(thread.id) == thread
    assert store.memory.list_threads(metadata={"k": text}).threads == [thread]
    assert store.memory.thread_feed(title_contains=text[:5]).items == [thread]
    msg = Message(
        id=f"m-{text}",
        thread_id=thread.id,
        resource_id=thread.resource_id,
        role="user",
        created_at=at(1),
        content={"format": 2, "parts": [{"type": "text", "text": text}], "content": text},
    )
    store.memory.save_messages([msg])
    assert store.memory.list_messages(thread.id).messages == [msg]
    res = store.memory.update_resource(
        thread.resource_id, working_memory=f"# {text}", metadata={"name": text}
    )
    assert store.memory.get_resource_by_id(thread.resource_id) == res


def test_a_900_kb_record(store: SQLiteStore, db_path: Path) -> None:
    big_text = ("Paris weather log — 18 °C, cloudy. " * 26_000)[:900_000]
    content = {
        **WEATHER_ASSISTANT_CONTENT,
        "parts": [*WEATHER_ASSISTANT_CONTENT["parts"], {"type": "text", "text": big_text}],
    }
    msg = Message(
        id="huge",
        thread_id=WEATHER_THREAD,
        resource_id="user-alice",
        role="assistant",
        created_at=at(0),
        content=content,
    )
    store.memory.save_messages([msg])
    assert store.memory.list_messages(WEATHER_THREAD).messages == [msg]
    snapshot = {"status": "success", "result": {"report": big_text}, "context": {"input": {"n": 1}}}
    store.workflows.persist_workflow_snapshot("report", "big", snapshot)
    assert store.workflows.load_workflow_snapshot("report", "big") == snapshot
    # The same record as Mastra's JSONB (4-byte size headers), read and filtered on.
    write_mastra_rows(
        db_path,
        "mastra_workflow_snapshot",
        [
            {
                "workflow_name": "report",
                "run_id": "big-jsonb",
                "snapshot": snapshot,
                "createdAt": iso(at(1)),
                "updatedAt": iso(at(1)),
            }
        ],
        {"snapshot"},
    )
    run = store.workflows.get_workflow_run_by_id("big-jsonb")
    assert run is not None and run.snapshot == snapshot
    assert {r.run_id for r in store.workflows.list_workflow_runs(status="success").runs} == {
        "big",
        "big-jsonb",
    }
    wm = "# Notes\n" + "- " + "x" * 900_000
    assert store.memory.update_resource("user-alice", working_memory=wm).working_memory == wm
