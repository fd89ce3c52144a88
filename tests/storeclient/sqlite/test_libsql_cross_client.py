"""Cross-client: Mastra's own LibSQLStore (@mastra/libsql 1.23.1, run by tests/node/libsql_client.mjs)
and the Python SQLiteStore read each other's files, field for field.

1. Mastra writes a fresh mastra.db the way an app does (MessageList-built messages with a tool call,
   Markdown and JSON working memory, snapshots of real workflow runs, scores) and prints what its own
   API reads back; the Python store must read the same records from the file.
2. The Python store writes a fresh file; Mastra's API reads it (and updates two rows, which rewrites
   them as JSONB); the Python store must read what Mastra reads.

Intended differences, normalised below and documented in the store:
* A thread saved without metadata: Mastra returns ``metadata: null``, the Python model ``{}``.
* A message whose ``type`` is ``v2``: Mastra leaves ``type`` out, the Python model says ``"v2"``.
* A legacy v1 message: Mastra converts it through MessageList; the Python store returns the stored
  content (``Message.parts`` normalises it for display).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storeclient.models import Message
from storeclient.sqlite import SQLiteStore

from .mastra_samples import (
    TRIP_THREAD,
    WEATHER_THREAD,
    at,
    failed_snapshot,
    resources,
    score_payload,
    success_snapshot,
    suspended_snapshot,
    threads,
    weather_messages,
)
from .nodetools import needs_node, run_node

pytestmark = needs_node


def _json(value: Any) -> Any:
    """Python records as they look after JSON (numbers compare equal, tuples become lists)."""
    return json.loads(json.dumps(value))


def _ts_thread(thread: dict[str, Any]) -> dict[str, Any]:
    return {**thread, "metadata": thread["metadata"] if thread["metadata"] is not None else {}}


def _ts_message(message: dict[str, Any]) -> dict[str, Any]:
    return {"type": "v2", **message}


def _compare_store_with_ts(store: SQLiteStore, ids: dict[str, Any], ts: dict[str, Any]) -> None:
    for thread_id in ids["threads"]:
        thread = store.memory.get_thread_by_id(thread_id)
        assert thread is not None
        assert _json(thread.to_record()) == _ts_thread(ts["threads"][thread_id])
        ours = [_json(m.to_record()) for m in store.memory.list_messages(thread_id, per_page=False).messages]
        assert ours == [_ts_message(m) for m in ts["messages"][thread_id]]
    assert [t.id for t in store.memory.list_threads(per_page=False).threads] == ts["threadList"]
    assert [t.id for t in store.memory.list_threads(per_page=False, metadata={"pinned": True}).threads] == ts[
        "pinnedThreads"
    ]
    for resource_id in ids["resources"]:
        resource = store.memory.get_resource_by_id(resource_id)
        assert resource is not None
        assert _json(resource.to_record()) == ts["resources"][resource_id]
    for run in ids["runs"]:
        key = f"{run['workflowName']}/{run['runId']}"
        got = store.workflows.get_workflow_run_by_id(run["runId"], workflow_name=run["workflowName"])
        assert got is not None and got.snapshot_error is None
        assert _json(got.to_record()) == ts["workflowRuns"][key]
        assert (
            store.workflows.load_workflow_snapshot(run["workflowName"], run["runId"])
            == ts["workflowSnapshots"][key]
        )
    assert [f"{r.workflow_name}/{r.run_id}" for r in store.workflows.list_workflow_runs().runs] == ts[
        "runList"
    ]
    for status, keys in ts["runsByStatus"].items():
        assert [
            f"{r.workflow_name}/{r.run_id}" for r in store.workflows.list_workflow_runs(status=status).runs
        ] == keys
    for score_id in ids["scores"]:
        score = store.scores.get_score_by_id(score_id)
        assert score is not None
        assert _json(score.to_record()) == ts["scores"][score_id]
    for scorer_id in ids["scorers"]:
        assert [s.id for s in store.scores.list_scores_by_scorer_id(scorer_id).scores] == ts[
            "scoresByScorer"
        ][scorer_id]


def test_python_reads_what_mastra_writes(tmp_path: Path) -> None:
    path = tmp_path / "mastra.db"
    written = run_node("libsql_client.mjs", "write", str(path), stdin="{}")
    ids, ts = written["ids"], written["read"]
    store = SQLiteStore(path)
    assert not store.created_file and store.created_tables == []  # Mastra's file, used as is
    _compare_store_with_ts(store, ids, ts)
    # The dashboard's own views of the same file.
    assert {r.status for r in store.workflows.run_feed().items} == {"suspended", "success", "failed"}
    assert {k: v.value for k, v in store.workflows.status_counts().items()} == {
        "failed": 1,
        "success": 1,
        "suspended": 1,
    }
    assert store.workflows.workflow_names() == ["order-approval", "payment-flow"]
    assert store.scores.scorer_ids() == ["answer-relevancy", "approval-latency"]
    weather = store.memory.message_feed(WEATHER_THREAD).items
    assert [m.role for m in weather] == ["assistant", "user"]  # newest first
    tool = next(p for p in weather[0].parts if p.get("type") == "tool-invocation")
    assert tool["toolInvocation"]["result"]["tempC"] == 18
    trip = store.memory.get_thread_by_id(TRIP_THREAD)
    assert trip is not None and trip.working_memory is not None and "Lisbon" in trip.working_memory
    # A conflict-safe save over Mastra's JSONB row, then Mastra reads the result.
    saved = store.memory.save_thread_working_memory(
        TRIP_THREAD, "# Trip\n- **Budget**: 1200 EUR\n", expected=trip.memory_version
    )
    bob = store.memory.get_resource_by_id("user-bob")
    assert bob is not None
    store.memory.save_resource_working_memory(
        "user-bob", '{"name":"Bob","timezone":"Europe/Lisbon"}', expected=bob.memory_version
    )
    store.close()
    again = run_node(
        "libsql_client.mjs",
        "read",
        str(path),
        stdin=json.dumps({"threadIds": [TRIP_THREAD], "resourceIds": ["user-bob"]}),
    )
    assert _ts_thread(again["threads"][TRIP_THREAD]) == _json(saved.to_record())
    assert again["resources"]["user-bob"]["workingMemory"] == '{"name":"Bob","timezone":"Europe/Lisbon"}'
    assert again["resources"]["user-bob"]["metadata"] == {"plan": "free", "lastSeenChannel": "api"}


def _python_writes(store: SQLiteStore) -> dict[str, Any]:
    for thread in threads():
        store.memory.save_thread(thread)
    msgs = weather_messages()
    store.memory.save_messages(msgs)
    legacy = Message(
        id="legacy-v1",
        thread_id=TRIP_THREAD,
        resource_id="user-bob",
        role="user",
        created_at=at(1850),
        content="Hello from an old Mastra",
        type="text",
    )
    store.memory.save_messages([legacy])
    for resource in resources():
        store.memory.save_resource(resource)
    store.memory.update_resource(
        "user-carol", working_memory='{"name":"Carol","plan":"team"}', metadata={"seats": 3}
    )
    runs = [
        ("payment-flow", "run-failed", failed_snapshot("run-failed"), "user-bob", at(100)),
        (
            "order-approval",
            "run-suspended",
            suspended_snapshot("run-suspended", WEATHER_THREAD),
            "user-alice",
            at(200),
        ),
        ("order-approval", "run-success", success_snapshot("run-success"), "user-alice", at(300)),
    ]
    for name, run_id, snapshot, resource_id, created in runs:
        store.workflows.persist_workflow_snapshot(
            name, run_id, snapshot, resource_id=resource_id, created_at=created, updated_at=created
        )
    scores = [
        store.scores.save_score(score_payload(), created_at=at(400)),
        store.scores.save_score(score_payload(score=0.4, source="TEST", runId="run-2"), created_at=at(500)),
        store.scores.save_score(
            {
                "scorerId": "approval-latency",
                "runId": "run-success",
                "scorer": {"id": "approval-latency"},
                "score": 1,
                "input": {"orderId": "ord-1002"},
                "output": {"approved": True},
                "entityType": "WORKFLOW",
                "entity": {"id": "order-approval"},
                "entityId": "order-approval",
                "source": "TEST",
            },
            created_at=at(600),
        ),
    ]
    return {
        "threads": [t.id for t in threads()],
        "resources": ["user-alice", "user-bob", "user-carol"],
        "runs": [{"workflowName": n, "runId": r} for n, r, *_ in runs],
        "scores": [s.id for s in scores],
        "scorers": ["answer-relevancy", "approval-latency"],
    }


def test_mastra_reads_what_python_writes(tmp_path: Path) -> None:
    path = tmp_path / "mastra.db"
    store = SQLiteStore(path)
    ids = _python_writes(store)
    store.close()
    spec = {
        "threadIds": ids["threads"],
        "resourceIds": ids["resources"],
        "runs": ids["runs"],
        "scoreIds": ids["scores"],
        "scorerIds": ids["scorers"],
    }
    ts = run_node("libsql_client.mjs", "read", str(path), stdin=json.dumps(spec))
    store = SQLiteStore(path)
    # The v1 row is the one intended difference: Mastra converts it, we return what is stored.
    trip_ts = ts["messages"][TRIP_THREAD]
    assert [m["id"] for m in trip_ts] == ["legacy-v1"] and trip_ts[0]["content"]["format"] == 2
    assert trip_ts[0]["content"]["parts"][0]["text"] == "Hello from an old Mastra"
    [legacy] = store.memory.list_messages(TRIP_THREAD).messages
    assert legacy.content == "Hello from an old Mastra"
    assert any(p.get("text") == "Hello from an old Mastra" for p in legacy.parts)
    ts["messages"][TRIP_THREAD] = [_json(legacy.to_record())]
    _compare_store_with_ts(store, ids, ts)
    # Mastra's filters work on the JSON text this store writes.
    assert ts["pinnedThreads"] == [WEATHER_THREAD]
    assert ts["runsByStatus"]["suspended"] == ["order-approval/run-suspended"]
    store.close()


def test_mastra_updates_python_rows_and_python_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "mastra.db"
    store = SQLiteStore(path)
    ids = _python_writes(store)
    store.close()
    updates = [
        {
            "op": "updateThread",
            "id": WEATHER_THREAD,
            "title": "Weather in Paris (resolved)",
            "metadata": {"resolved": True},
        },
        {
            "op": "updateResource",
            "resourceId": "user-alice",
            "workingMemory": "# User Information\n- **First Name**: Alice\n",
            "metadata": {"plan": "team"},
        },
    ]
    ts = run_node(
        "libsql_client.mjs",
        "read",
        str(path),
        stdin=json.dumps({"threadIds": [WEATHER_THREAD], "resourceIds": ["user-alice"], "updates": updates}),
    )
    import sqlite3

    kinds = (
        sqlite3.connect(path)
        .execute(
            "SELECT (SELECT typeof(metadata) FROM mastra_threads WHERE id = ?), (SELECT typeof(metadata) FROM mastra_resources WHERE id = 'user-alice')",
            (WEATHER_THREAD,),
        )
        .fetchone()
    )
    assert kinds == ("blob", "blob")  # Mastra rewrote our text JSON as JSONB
    store = SQLiteStore(path)
    thread = store.memory.get_thread_by_id(WEATHER_THREAD)
    assert thread is not None and _json(thread.to_record()) == ts["threads"][WEATHER_THREAD]
    assert (
        isinstance(thread.metadata, dict)
        and thread.metadata["resolved"] is True
        and thread.metadata["tags"] == ["weather"]
    )
    alice = store.memory.get_resource_by_id("user-alice")
    assert alice is not None and _json(alice.to_record()) == ts["resources"]["user-alice"]
    assert alice.metadata == {"plan": "team", "locale": "fr-FR", "onboarded": True}
    assert ids["threads"][0] == WEATHER_THREAD
    store.close()


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NODE_NO_WARNINGS", "1")
