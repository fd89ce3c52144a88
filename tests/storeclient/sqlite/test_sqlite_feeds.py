"""Cursor feeds: newest first, opaque keyset cursors, every row exactly once across pages (also with
equal timestamps and while rows are added), bad cursors rejected."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from storeclient.errors import InvalidRequest
from storeclient.models import Feed, Resource, Thread
from storeclient.sqlite import SQLiteStore

from .mastra_samples import at, failed_snapshot, success_snapshot, suspended_snapshot, user_message


def walk[T](fetch: Callable[[str | None], Feed[T]]) -> list[T]:
    items: list[T] = []
    cursor: str | None = None
    for _ in range(10_000):
        page = fetch(cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items
        assert page.items, "a page with a next cursor must not be empty"
    raise AssertionError("feed did not end")


def _threads(store: SQLiteStore, n: int, *, same_time: bool = False) -> list[Thread]:
    out = []
    for i in range(n):
        t = Thread(
            id=f"thread-{i:04d}",
            resource_id="user-alice" if i % 3 else "user-bob",
            title=f"Order A-{10_000 + i} refund" if i % 2 else f"Croissant recipe {i} 100%_done",
            metadata={"channel": "web"},
            created_at=at(0),
            updated_at=at(0 if same_time else i // 2),  # pairs share a timestamp even when spread
        )
        store.memory.save_thread(t)
        out.append(t)
    return out


@pytest.mark.parametrize("same_time", [False, True])
@pytest.mark.parametrize("limit", [1, 3, 7, 50])
def test_thread_feed_walks_everything_once_in_order(store: SQLiteStore, same_time: bool, limit: int) -> None:
    threads = _threads(store, 23, same_time=same_time)
    got = walk(lambda c: store.memory.thread_feed(cursor=c, limit=limit))
    assert [t.id for t in got] == [
        t.id for t in sorted(threads, key=lambda t: (t.updated_at, t.id), reverse=True)
    ]


def test_thread_feed_filters(store: SQLiteStore) -> None:
    threads = _threads(store, 30)
    bob = walk(lambda c: store.memory.thread_feed(resource_id="user-bob", cursor=c, limit=4))
    assert {t.id for t in bob} == {t.id for t in threads if t.resource_id == "user-bob"}
    refunds = walk(lambda c: store.memory.thread_feed(title_contains="REFUND", cursor=c, limit=4))
    assert len(refunds) == 15 and all("refund" in t.title for t in refunds)
    # LIKE wildcards in the search text are literal.
    assert len(walk(lambda c: store.memory.thread_feed(title_contains="100%_", cursor=c))) == 15
    assert store.memory.thread_feed(title_contains="refund%").items == []
    assert store.memory.thread_feed(title_contains="e_1").items == []
    both = store.memory.thread_feed(resource_id="user-bob", title_contains="refund", limit=100)
    assert {t.id for t in both.items} == {
        t.id for t in threads if t.resource_id == "user-bob" and "refund" in t.title
    }
    assert both.next_cursor is None and both.capped is False and both.note is None


def test_thread_feed_is_stable_while_threads_change(store: SQLiteStore) -> None:
    _threads(store, 10)
    first = store.memory.thread_feed(limit=4)
    # A new thread arrives at the top, and one already shown is bumped: later pages do not shift.
    store.memory.save_thread(replace(first.items[0], id="thread-new", updated_at=at(10_000)))
    rest = walk(lambda c: store.memory.thread_feed(cursor=c or first.next_cursor, limit=4))
    seen = [t.id for t in first.items] + [t.id for t in rest]
    assert len(seen) == len(set(seen)) == 10


def test_message_feed_newest_first_with_ties(store: SQLiteStore) -> None:
    msgs = [user_message("thread-1", i, f"m{i}", t=i // 3) for i in range(40)]  # triples share createdAt
    store.memory.save_messages(msgs)
    store.memory.save_messages([user_message("thread-2", 1, "other thread", t=1000)])
    got = walk(lambda c: store.memory.message_feed("thread-1", cursor=c, limit=6))
    assert [m.id for m in got] == [
        m.id for m in sorted(msgs, key=lambda m: (m.created_at, m.id), reverse=True)
    ]
    assert store.memory.message_feed("nothing").items == []


def test_resource_feed(store: SQLiteStore) -> None:
    for i in range(12):
        store.memory.save_resource(
            Resource(
                id=f"user-{i:02d}",
                created_at=at(0),
                updated_at=at(i % 4),
                working_memory=f"# {i}",
                metadata={},
            )
        )
    got = walk(lambda c: store.memory.resource_feed(cursor=c, limit=5))
    assert [r.id for r in got] == [
        r.id for r in sorted(got, key=lambda r: (r.updated_at, r.id), reverse=True)
    ]
    assert len({r.id for r in got}) == 12


def test_run_feed_filters_and_order(store: SQLiteStore) -> None:
    for i in range(15):
        name = "order-approval" if i % 2 else "payment-flow"
        snap = [
            failed_snapshot(f"run-{i:02d}"),
            suspended_snapshot(f"run-{i:02d}"),
            success_snapshot(f"run-{i:02d}"),
        ][i % 3]
        store.workflows.persist_workflow_snapshot(
            name, f"run-{i:02d}", snap, resource_id=f"user-{i % 2}", created_at=at(i // 2), updated_at=at(i)
        )
    everything = walk(lambda c: store.workflows.run_feed(cursor=c, limit=4))
    assert [r.run_id for r in everything] == [
        r.run_id for r in sorted(everything, key=lambda r: (r.created_at, r.run_id), reverse=True)
    ]
    assert len(everything) == 15
    failed = walk(lambda c: store.workflows.run_feed(status="failed", cursor=c, limit=2))
    assert {r.run_id for r in failed} == {f"run-{i:02d}" for i in range(0, 15, 3)}
    assert all(r.status == "failed" for r in failed)
    wf = walk(lambda c: store.workflows.run_feed(workflow_name="payment-flow", cursor=c, limit=3))
    assert {r.workflow_name for r in wf} == {"payment-flow"} and len(wf) == 8
    res = walk(
        lambda c: store.workflows.run_feed(resource_id="user-1", status="suspended", cursor=c, limit=3)
    )
    assert {(r.resource_id, r.status) for r in res} == {("user-1", "suspended")}
    ranged = walk(lambda c: store.workflows.run_feed(from_date=at(2), to_date=at(4), cursor=c, limit=2))
    assert sorted(r.run_id for r in ranged) == [f"run-{i:02d}" for i in range(4, 10)]


def test_run_feed_same_run_id_in_two_workflows(store: SQLiteStore) -> None:
    for name in ("a-flow", "b-flow", "c-flow"):
        store.workflows.persist_workflow_snapshot(
            name, "run-same", failed_snapshot("run-same"), created_at=at(5)
        )
    got = walk(lambda c: store.workflows.run_feed(cursor=c, limit=1))
    assert [r.workflow_name for r in got] == ["c-flow", "b-flow", "a-flow"]


def test_run_feed_includes_runs_without_created_at_last(store: SQLiteStore, db_path: Any) -> None:
    import sqlite3

    for i in range(3):
        store.workflows.persist_workflow_snapshot(
            "w", f"run-{i}", failed_snapshot(f"run-{i}"), created_at=at(i)
        )
    conn = sqlite3.connect(db_path)
    conn.executemany(
        "INSERT INTO mastra_workflow_snapshot (workflow_name, run_id, snapshot) VALUES (?, ?, ?)",
        [("w", f"legacy-{i}", '{"status":"success"}') for i in range(3)],
    )
    conn.commit()
    conn.close()
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO mastra_workflow_snapshot (workflow_name, run_id, snapshot) VALUES ('w', NULL, '{}')"
    )
    conn.commit()
    conn.close()
    got = walk(lambda c: store.workflows.run_feed(cursor=c, limit=2))
    assert [r.run_id for r in got] == ["run-2", "run-1", "run-0", "legacy-2", "legacy-1", "legacy-0"]


def test_score_feed_newest_and_lowest_first(store: SQLiteStore) -> None:
    values = [0.5, 0.1, 0.9, 0.1, 0.7, 0.5, 0.3, 0.1]
    saved = [
        store.scores.save_score(
            {
                "scorerId": "answer-relevancy",
                "runId": f"r{i}",
                "score": v,
                "source": "LIVE" if i % 2 else "TEST",
                "entityId": "weather-agent",
                "entityType": "AGENT",
            },
            created_at=at(i // 2),
        )
        for i, v in enumerate(values)
    ]
    store.scores.save_score(
        {"scorerId": "other", "runId": "x", "score": 0.0, "source": "LIVE", "entityId": "e"}
    )
    newest = walk(lambda c: store.scores.score_feed("answer-relevancy", cursor=c, limit=3))
    assert [s.id for s in newest] == [
        s.id for s in sorted(saved, key=lambda s: (s.created_at, s.id), reverse=True)
    ]
    lowest = walk(lambda c: store.scores.score_feed("answer-relevancy", lowest_first=True, cursor=c, limit=3))
    assert [s.id for s in lowest] == [s.id for s in sorted(saved, key=lambda s: (s.score, s.id))]
    live = walk(lambda c: store.scores.score_feed("answer-relevancy", source="LIVE", cursor=c, limit=2))
    assert len(live) == 4 and {s.source for s in live} == {"LIVE"}
    ranged = store.scores.score_feed("answer-relevancy", from_date=at(1), to_date=at(2), limit=50)
    assert len(ranged.items) == 4
    assert store.scores.score_feed("answer-relevancy", entity_type="WORKFLOW").items == []


def _cursor(feed: str, key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"f": feed, "k": key}).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64-%%%",
        base64.urlsafe_b64encode(b"[1,2]").decode(),
        _cursor("runs", ["2025-01-01T00:00:00.000Z", "x", "y"]),  # another feed's cursor
        _cursor("threads", ["2025-01-01T00:00:00.000Z"]),  # wrong arity
        _cursor("threads", [None, "id"]),  # NULL where the key is NOT NULL
    ],
)
def test_bad_cursors_are_rejected(store: SQLiteStore, cursor: str) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.thread_feed(cursor=cursor)


@pytest.mark.parametrize("limit", [0, -1, 1001, True])
def test_bad_limits_are_rejected(store: SQLiteStore, limit: int) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.thread_feed(limit=limit)


def test_cursor_is_opaque_keyset(store: SQLiteStore) -> None:
    _threads(store, 3)
    page = store.memory.thread_feed(limit=1)
    assert page.next_cursor is not None
    state = json.loads(base64.urlsafe_b64decode(page.next_cursor + "=" * (-len(page.next_cursor) % 4)))
    assert state == {"f": "threads", "k": ["2025-06-02T09:00:01.000Z", "thread-0002"]}


def test_workflow_names_and_scorer_ids(store: SQLiteStore) -> None:
    for i, name in enumerate(["payment-flow", "order-approval", "payment-flow", "zeta", "alpha"]):
        store.workflows.persist_workflow_snapshot(name, f"run-{i}", failed_snapshot(f"run-{i}"))
    assert store.workflows.workflow_names() == ["alpha", "order-approval", "payment-flow", "zeta"]
    for sid in ["toxicity", "answer-relevancy", "toxicity", "faithfulness"]:
        store.scores.save_score(
            {"scorerId": sid, "runId": "r", "score": 0.5, "source": "LIVE", "entityId": "e"}
        )
    assert store.scores.scorer_ids() == ["answer-relevancy", "faithfulness", "toxicity"]


def test_distinct_values_without_dashboard_indexes(store: SQLiteStore, db_path: Any) -> None:
    import sqlite3

    store.scores.save_score({"scorerId": "b", "runId": "r", "score": 0.5, "source": "LIVE", "entityId": "e"})
    store.scores.save_score({"scorerId": "a", "runId": "r", "score": 0.5, "source": "LIVE", "entityId": "e"})
    conn = sqlite3.connect(db_path)
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE 'dashboard_idx_scores%'"
    ).fetchall():
        conn.execute(f"DROP INDEX {name}")
    conn.commit()
    conn.close()
    assert store.scores.scorer_ids() == ["a", "b"]
