"""Workflow snapshots and scores: @mastra/libsql 1.23.1 semantics, including on JSONB rows written
the way Mastra writes them."""

from __future__ import annotations

import math
import sqlite3
import uuid
from pathlib import Path

import pytest

from storeclient.codec import now
from storeclient.errors import InvalidRequest
from storeclient.sqlite import SQLiteStore

from .mastra_samples import (
    WEATHER_THREAD,
    at,
    failed_snapshot,
    iso,
    score_payload,
    success_snapshot,
    suspended_snapshot,
    write_mastra_rows,
)

# --- workflows ------------------------------------------------------------------------------------


def _runs(store: SQLiteStore) -> None:
    store.workflows.persist_workflow_snapshot(
        "payment-flow",
        "run-f",
        failed_snapshot("run-f"),
        resource_id="user-bob",
        created_at=at(10),
        updated_at=at(11),
    )
    store.workflows.persist_workflow_snapshot(
        "order-approval",
        "run-s",
        suspended_snapshot("run-s", WEATHER_THREAD),
        resource_id="user-alice",
        created_at=at(20),
    )
    store.workflows.persist_workflow_snapshot(
        "order-approval", "run-ok", success_snapshot("run-ok"), resource_id="user-alice", created_at=at(30)
    )


def test_snapshot_round_trip_and_upsert(store: SQLiteStore) -> None:
    snap = failed_snapshot("run-1")
    store.workflows.persist_workflow_snapshot(
        "payment-flow", "run-1", snap, resource_id="user-bob", created_at=at(1), updated_at=at(2)
    )
    assert store.workflows.load_workflow_snapshot("payment-flow", "run-1") == snap
    assert store.workflows.load_workflow_snapshot("payment-flow", "nope") is None
    # Re-persisting keeps createdAt and the resourceId when none is given; replaces the rest.
    store.workflows.persist_workflow_snapshot(
        "payment-flow", "run-1", {**snap, "status": "success"}, updated_at=at(9)
    )
    run = store.workflows.get_workflow_run_by_id("run-1")
    assert run is not None
    assert (run.status, run.resource_id, run.created_at, run.updated_at) == (
        "success",
        "user-bob",
        at(1),
        at(9),
    )
    # A JSON string is accepted as is; anything but a JSON object is refused.
    store.workflows.persist_workflow_snapshot("payment-flow", "run-2", '{"status":"running","value":{}}')
    assert store.workflows.load_workflow_snapshot("payment-flow", "run-2") == {
        "status": "running",
        "value": {},
    }
    for bad in ("{oops", "[1,2]", '"text"'):
        with pytest.raises(InvalidRequest):
            store.workflows.persist_workflow_snapshot("payment-flow", "run-3", bad)
    with pytest.raises(InvalidRequest):
        store.workflows.persist_workflow_snapshot("payment-flow", "run-3", {"x": float("nan")})


def test_persist_defaults_to_now(store: SQLiteStore) -> None:
    before = now()
    store.workflows.persist_workflow_snapshot("w", "r", {"status": "running"})
    run = store.workflows.get_workflow_run_by_id("r", workflow_name="w")
    assert run is not None and run.created_at >= before and run.updated_at == run.created_at


def test_list_workflow_runs(store: SQLiteStore) -> None:
    assert (store.workflows.list_workflow_runs().runs, store.workflows.list_workflow_runs().total) == ([], 0)
    _runs(store)
    every = store.workflows.list_workflow_runs()
    assert [r.run_id for r in every.runs] == ["run-ok", "run-s", "run-f"] and every.total == 3
    assert [r.run_id for r in store.workflows.list_workflow_runs(workflow_name="order-approval").runs] == [
        "run-ok",
        "run-s",
    ]
    assert [r.run_id for r in store.workflows.list_workflow_runs(status="suspended").runs] == ["run-s"]
    assert store.workflows.list_workflow_runs(resource_id="user-alice").total == 2
    assert store.workflows.list_workflow_runs(resource_id="nobody").runs == []
    ranged = store.workflows.list_workflow_runs(from_date=at(10), to_date=at(20))  # inclusive
    assert [r.run_id for r in ranged.runs] == ["run-s", "run-f"]
    p0 = store.workflows.list_workflow_runs(page=0, per_page=2)
    p1 = store.workflows.list_workflow_runs(page=1, per_page=2)
    assert ([r.run_id for r in p0.runs], p0.total) == (["run-ok", "run-s"], 3)
    assert ([r.run_id for r in p1.runs], p1.total) == (["run-f"], 3)
    # Pagination only when both are numbers (Mastra's rule); per_page=False is "not a number".
    assert len(store.workflows.list_workflow_runs(per_page=1).runs) == 3
    assert len(store.workflows.list_workflow_runs(page=1).runs) == 3
    assert len(store.workflows.list_workflow_runs(page=0, per_page=False).runs) == 3
    zero = store.workflows.list_workflow_runs(page=0, per_page=0)
    assert (zero.runs, zero.total) == ([], 3)
    beyond = store.workflows.list_workflow_runs(page=7, per_page=2)
    assert (beyond.runs, beyond.total) == ([], 3)
    with pytest.raises(InvalidRequest):
        store.workflows.list_workflow_runs(page=-1, per_page=2)
    with pytest.raises(InvalidRequest):
        store.workflows.list_workflow_runs(page=0, per_page=-2)


def test_thread_id_filter_on_runs(store: SQLiteStore) -> None:
    _runs(store)
    snap = success_snapshot("run-t")
    snap["context"]["input"] = {"messageListState": {"memoryInfo": {"threadId": "thread-9"}}}
    store.workflows.persist_workflow_snapshot("agentic-loop", "run-t", snap, created_at=at(40))
    assert [r.run_id for r in store.workflows.list_workflow_runs(thread_id=WEATHER_THREAD).runs] == ["run-s"]
    assert [r.run_id for r in store.workflows.list_workflow_runs(thread_id="thread-9").runs] == ["run-t"]
    assert store.workflows.list_workflow_runs(thread_id="none").runs == []


def test_get_and_delete_run(store: SQLiteStore) -> None:
    _runs(store)
    store.workflows.persist_workflow_snapshot(
        "other-flow", "run-s", failed_snapshot("run-s"), created_at=at(99)
    )
    newest = store.workflows.get_workflow_run_by_id("run-s")
    assert newest is not None and newest.workflow_name == "other-flow"  # newest createdAt wins
    named = store.workflows.get_workflow_run_by_id("run-s", workflow_name="order-approval")
    assert named is not None and named.snapshot["context"]["manager-approval"]["status"] == "suspended"  # type: ignore[index]
    assert store.workflows.get_workflow_run_by_id("unknown") is None
    store.workflows.delete_workflow_run_by_id("run-s", workflow_name="order-approval")
    assert store.workflows.get_workflow_run_by_id("run-s", workflow_name="order-approval") is None
    assert store.workflows.get_workflow_run_by_id("run-s") is not None


def test_status_counts(store: SQLiteStore) -> None:
    _runs(store)
    store.workflows.persist_workflow_snapshot(
        "payment-flow", "run-f2", failed_snapshot("run-f2"), created_at=at(40)
    )
    store.workflows.persist_workflow_snapshot("payment-flow", "run-x", {"value": {}}, created_at=at(50))
    counts = store.workflows.status_counts()
    assert {k: (v.value, v.at_least) for k, v in counts.items()} == {
        "failed": (2, False),
        "success": (1, False),
        "suspended": (1, False),
        "unknown": (1, False),
    }
    assert {k: v.value for k, v in store.workflows.status_counts(workflow_name="payment-flow").items()} == {
        "failed": 2,
        "unknown": 1,
    }
    assert set(store.workflows.status_counts(resource_id="user-alice")) == {"success", "suspended"}
    assert {
        k: v.value for k, v in store.workflows.status_counts(from_date=at(30), to_date=at(40)).items()
    } == {
        "failed": 1,
        "success": 1,
    }
    capped = store.workflows.status_counts(cap=2)  # the newest two runs, flagged as lower bounds
    assert {k: (v.value, v.at_least) for k, v in capped.items()} == {
        "unknown": (1, True),
        "failed": (1, True),
    }
    exact = store.workflows.status_counts(cap=5)
    assert not any(v.at_least for v in exact.values())


def test_runs_written_by_mastra_as_jsonb(store: SQLiteStore, db_path: Path) -> None:
    write_mastra_rows(
        db_path,
        "mastra_workflow_snapshot",
        [
            {
                "workflow_name": "payment-flow",
                "run_id": "f2ce27b1-6f4f-581c-b872-22f39bf84fcd",
                "resourceId": "user-bob",
                "snapshot": failed_snapshot(),
                "createdAt": "2026-11-26T16:29:00.921Z",
                "updatedAt": "2026-11-26T16:29:00.927Z",
            },
            {
                "workflow_name": "order-approval",
                "run_id": "run-s",
                "resourceId": "user-alice",
                "snapshot": suspended_snapshot("run-s", WEATHER_THREAD),
                "createdAt": "2026-11-26T16:29:00.950Z",
                "updatedAt": "2026-11-26T16:29:00.950Z",
            },
        ],
        {"snapshot"},
    )
    assert sqlite3.connect(db_path).execute(
        "SELECT DISTINCT typeof(snapshot) FROM mastra_workflow_snapshot"
    ).fetchall() == [("blob",)]
    run = store.workflows.get_workflow_run_by_id("f2ce27b1-6f4f-581c-b872-22f39bf84fcd")
    assert run is not None and run.snapshot == failed_snapshot() and run.status == "failed"
    assert [r.run_id for r in store.workflows.list_workflow_runs(status="failed").runs] == [run.run_id]
    assert [r.run_id for r in store.workflows.run_feed(status="suspended").items] == ["run-s"]
    assert [r.run_id for r in store.workflows.list_workflow_runs(thread_id=WEATHER_THREAD).runs] == ["run-s"]
    assert {k: v.value for k, v in store.workflows.status_counts().items()} == {"failed": 1, "suspended": 1}
    assert store.workflows.load_workflow_snapshot("order-approval", "run-s") == suspended_snapshot(
        "run-s", WEATHER_THREAD
    )
    # Our write over Mastra's row: text JSON now, still read the same.
    store.workflows.persist_workflow_snapshot("order-approval", "run-s", success_snapshot("run-s"))
    again = store.workflows.get_workflow_run_by_id("run-s")
    assert again is not None and again.status == "success" and again.created_at.year == 2026


# --- scores -------------------------------------------------------------------------------------


def test_save_score_like_mastra(store: SQLiteStore, db_path: Path) -> None:
    before = now()
    payload = score_payload(unknownKey="dropped", structuredOutput=True, extractStepResult=None)
    saved = store.scores.save_score(payload)
    uuid.UUID(saved.id, version=4)
    assert saved.created_at == saved.updated_at and saved.created_at >= before
    assert (saved.scorer_id, saved.run_id, saved.score, saved.source) == (
        "answer-relevancy",
        payload["runId"],
        0.92,
        "LIVE",
    )
    expected = {
        k: v
        for k, v in payload.items()
        if k
        not in ("scorerId", "runId", "score", "source", "unknownKey", "structuredOutput", "extractStepResult")
    }
    assert dict(saved.fields) == expected  # every non-null field round-trips, no extra keys
    assert store.scores.get_score_by_id(saved.id) == saved
    assert store.scores.get_score_by_id("nope") is None
    row = (
        sqlite3.connect(db_path)
        .execute('SELECT typeof(scorer), typeof(score), "extractStepResult", "createdAt" FROM mastra_scorers')
        .fetchone()
    )
    assert row[:3] == ("text", "real", None) and row[3].endswith("Z") and len(row[3]) == 24


def test_save_score_integer_and_backdated(store: SQLiteStore) -> None:
    saved = store.scores.save_score(score_payload(score=1), created_at=at(5))
    assert saved.score == 1.0 and isinstance(saved.score, float)
    assert saved.created_at == saved.updated_at == at(5)


def test_save_score_with_id_upserts_like_libsql(store: SQLiteStore) -> None:
    first = store.scores.save_score(score_payload(id="fixed-id", score=0.1))
    second = store.scores.save_score(score_payload(id="fixed-id", score=0.2))
    assert first.id == second.id == "fixed-id"
    assert store.scores.list_scores_by_scorer_id("answer-relevancy").total == 1
    got = store.scores.get_score_by_id("fixed-id")
    assert got is not None and got.score == 0.2


@pytest.mark.parametrize(
    "bad",
    [
        {"scorerId": None},
        {"runId": ""},
        {"score": "high"},
        {"score": True},
        {"score": math.inf},
        {"source": None},
        {"input": {"x": float("nan")}},
    ],
)
def test_save_score_validates(store: SQLiteStore, bad: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest):
        store.scores.save_score(score_payload(**bad))
    assert store.scores.list_scores_by_scorer_id("answer-relevancy").total == 0


def _scores(store: SQLiteStore) -> list[str]:
    ids = []
    for i in range(5):
        ids.append(
            store.scores.save_score(
                score_payload(
                    runId="run-a" if i < 3 else "run-b",
                    source="TEST" if i == 4 else "LIVE",
                    entityId="weather-agent" if i % 2 == 0 else "trip-agent",
                    score=i / 10,
                ),
                created_at=at(i),
            ).id
        )
    store.scores.save_score(
        score_payload(scorerId="toxicity", runId="run-a", entityId="other"), created_at=at(10)
    )
    return ids


def test_list_scores(store: SQLiteStore) -> None:
    ids = _scores(store)
    page = store.scores.list_scores_by_scorer_id("answer-relevancy")
    assert [s.id for s in page.scores] == ids[::-1]  # newest first
    assert (page.total, page.page, page.per_page, page.has_more) == (5, 0, 100, False)
    p1 = store.scores.list_scores_by_scorer_id("answer-relevancy", per_page=2, page=1)
    assert ([s.id for s in p1.scores], p1.has_more) == ([ids[2], ids[1]], True)
    last = store.scores.list_scores_by_scorer_id("answer-relevancy", per_page=2, page=2)
    assert ([s.id for s in last.scores], last.has_more) == ([ids[0]], False)
    assert store.scores.list_scores_by_scorer_id("answer-relevancy", source="TEST").total == 1
    assert store.scores.list_scores_by_scorer_id("answer-relevancy", entity_id="trip-agent").total == 2
    assert store.scores.list_scores_by_scorer_id("answer-relevancy", entity_type="WORKFLOW").total == 0
    everything = store.scores.list_scores_by_scorer_id("answer-relevancy", per_page=False)
    assert (len(everything.scores), everything.per_page, everything.has_more) == (5, False, False)
    zero = store.scores.list_scores_by_scorer_id("answer-relevancy", per_page=0)
    assert (zero.scores, zero.total, zero.has_more) == ([], 5, True)  # end (0) < total, as libsql
    none = store.scores.list_scores_by_scorer_id("unknown", per_page=7)
    assert (none.scores, none.total, none.per_page, none.has_more) == ([], 0, 7, False)
    by_run = store.scores.list_scores_by_run_id("run-a", per_page=10)
    assert (by_run.total, by_run.page, by_run.per_page, by_run.has_more) == (4, 0, 10, False)
    by_entity = store.scores.list_scores_by_entity_id("weather-agent", "AGENT")
    assert [s.id for s in by_entity.scores] == [ids[4], ids[2], ids[0]]
    with pytest.raises(InvalidRequest):
        store.scores.list_scores_by_scorer_id("answer-relevancy", page=-1)
    with pytest.raises(InvalidRequest):
        store.scores.list_scores_by_run_id("run-a", per_page=-1)


def test_scores_written_by_mastra_as_jsonb(store: SQLiteStore, db_path: Path) -> None:
    payload = score_payload()
    record = {
        **payload,
        "id": "5a6d1619-9a00-408a-9f48-5dd8bb414fb1",
        "createdAt": "2026-11-26T16:29:00.936Z",
        "updatedAt": "2026-11-26T16:29:00.936Z",
    }
    jsonb_cols = {
        "scorer",
        "preprocessStepResult",
        "analyzeStepResult",
        "metadata",
        "input",
        "output",
        "requestContext",
        "entity",
    }
    write_mastra_rows(db_path, "mastra_scorers", [record], jsonb_cols)
    got = store.scores.get_score_by_id(record["id"])
    assert got is not None
    assert got.to_record() == dict(record.items())
    assert got.get("input")["systemMessages"][0]["content"] == "You are a helpful weather assistant."


def test_score_series(store: SQLiteStore) -> None:
    for i in range(50):
        store.scores.save_score(
            score_payload(score=i / 50, source="LIVE" if i % 5 else "TEST"), created_at=at(i)
        )
    full = store.scores.score_series("answer-relevancy")
    assert (len(full.points), full.total, full.sampled) == (50, 50, False)
    assert [p.created_at for p in full.points] == [at(i) for i in range(50)]
    sampled = store.scores.score_series("answer-relevancy", max_points=10)
    assert (len(sampled.points), sampled.total, sampled.sampled) == (10, 50, True)
    assert sampled.points[0].created_at == at(0) and sampled.points[-1].created_at == at(49)
    gaps = [
        (b.created_at - a.created_at).total_seconds()
        for a, b in zip(sampled.points, sampled.points[1:], strict=False)
    ]
    assert max(gaps) - min(gaps) <= 1  # evenly spread
    one = store.scores.score_series("answer-relevancy", max_points=1)
    assert [p.created_at for p in one.points] == [at(49)]
    ranged = store.scores.score_series("answer-relevancy", from_date=at(10), to_date=at(19), source="LIVE")
    assert ranged.total == 8 and all(at(10) <= p.created_at <= at(19) for p in ranged.points)
    assert store.scores.score_series("unknown").points == []
    with pytest.raises(InvalidRequest):
        store.scores.score_series("answer-relevancy", max_points=0)


def test_iso_helper_matches_codec() -> None:
    assert iso(at(1.5)) == "2025-06-02T09:00:01.500Z"
