"""Workflow snapshots: persist/load, run lists with Mastra's filters, and the dashboard's feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from storeclient.interface import Store

from .records import snapshot_with_status, suspended_snapshot

DAY = [datetime(2026, 1, d, 12, 0, tzinfo=UTC) for d in range(1, 10)]


def seed_runs(store: Store) -> None:
    statuses = ["success", "failed", "suspended", "running"]
    for i, status in enumerate(statuses):
        store.workflows.persist_workflow_snapshot(
            "refund-approval" if i % 2 == 0 else "catalog-sync",
            f"run-{i}",
            snapshot_with_status(f"run-{i}", status),
            resource_id="user_a" if i < 2 else "user_b",
            created_at=DAY[i],
            updated_at=DAY[i],
        )


def test_a_snapshot_round_trips_deep_equal(store: Store) -> None:
    snap = suspended_snapshot("run-1")
    store.workflows.persist_workflow_snapshot("refund-approval", "run-1", snap, resource_id="user_8f2c1a")
    assert store.workflows.load_workflow_snapshot("refund-approval", "run-1") == snap
    run = store.workflows.get_workflow_run_by_id("run-1", workflow_name="refund-approval")
    assert run is not None and run.status == "suspended" and run.resource_id == "user_8f2c1a"
    assert store.workflows.get_workflow_run_by_id("run-1") == run


def test_unknown_runs_are_none(store: Store) -> None:
    assert store.workflows.load_workflow_snapshot("refund-approval", "nope") is None
    assert store.workflows.get_workflow_run_by_id("nope") is None


def test_re_persisting_overwrites_the_snapshot_but_keeps_created_at(store: Store) -> None:
    store.workflows.persist_workflow_snapshot(
        "w", "r", snapshot_with_status("r", "running"), created_at=DAY[0]
    )
    store.workflows.persist_workflow_snapshot("w", "r", snapshot_with_status("r", "success"))
    run = store.workflows.get_workflow_run_by_id("r", workflow_name="w")
    assert run is not None and run.status == "success" and run.created_at == DAY[0]


def test_runs_list_newest_first_with_each_filter(store: Store) -> None:
    seed_runs(store)
    assert [r.run_id for r in store.workflows.list_workflow_runs().runs] == [
        "run-3",
        "run-2",
        "run-1",
        "run-0",
    ]
    assert {r.run_id for r in store.workflows.list_workflow_runs(workflow_name="catalog-sync").runs} == {
        "run-1",
        "run-3",
    }
    assert [r.run_id for r in store.workflows.list_workflow_runs(status="failed").runs] == ["run-1"]
    assert {r.run_id for r in store.workflows.list_workflow_runs(resource_id="user_b").runs} == {
        "run-2",
        "run-3",
    }
    ranged = store.workflows.list_workflow_runs(from_date=DAY[1], to_date=DAY[2])
    assert [r.run_id for r in ranged.runs] == ["run-2", "run-1"]


def test_runs_paginate_only_when_page_and_per_page_are_both_given(store: Store) -> None:
    seed_runs(store)
    assert len(store.workflows.list_workflow_runs(per_page=2).runs) == 4
    page = store.workflows.list_workflow_runs(page=1, per_page=3)
    assert [r.run_id for r in page.runs] == ["run-0"] and page.total == 4


def test_deleting_a_run(store: Store) -> None:
    seed_runs(store)
    store.workflows.delete_workflow_run_by_id("run-0", workflow_name="refund-approval")
    assert store.workflows.get_workflow_run_by_id("run-0") is None


def test_a_snapshot_stored_as_an_object_or_as_text_reads_the_same(store: Store, write_raw) -> None:  # type: ignore[no-untyped-def]
    snap = suspended_snapshot("legacy")
    base = {
        "workflow_name": "refund-approval",
        "resourceId": "user_8f2c1a",
        "createdAt": "2025-06-02T09:30:00.000Z",
        "updatedAt": "2025-06-02T09:30:00.000Z",
    }
    write_raw(
        "mastra_workflow_snapshot",
        {**base, "id": "refund-approval-legacy", "run_id": "legacy", "snapshot": snap},
    )
    write_raw(
        "mastra_workflow_snapshot",
        {
            **base,
            "id": "refund-approval-text",
            "run_id": "text",
            "snapshot": json.dumps(snapshot_with_status("text", "failed")),
        },
    )
    legacy = store.workflows.get_workflow_run_by_id("legacy", workflow_name="refund-approval")
    text = store.workflows.get_workflow_run_by_id("text", workflow_name="refund-approval")
    assert legacy is not None and legacy.snapshot == snap
    assert text is not None and text.status == "failed"


def test_an_unparseable_snapshot_is_kept_as_text_with_a_reason(store: Store, write_raw) -> None:  # type: ignore[no-untyped-def]
    write_raw(
        "mastra_workflow_snapshot",
        {
            "id": "w-broken",
            "workflow_name": "w",
            "run_id": "broken",
            "snapshot": '{"status": "running", "context": {',
            "createdAt": "2025-06-02T09:30:00.000Z",
            "updatedAt": "2025-06-02T09:30:00.000Z",
        },
    )
    run = store.workflows.get_workflow_run_by_id("broken", workflow_name="w")
    assert run is not None
    assert run.snapshot == '{"status": "running", "context": {'
    assert run.snapshot_error and "JSON" in run.snapshot_error
    assert run.status is None


def test_run_feed_filters_and_pages(store: Store) -> None:
    seed_runs(store)
    first = store.workflows.run_feed(limit=3)
    assert [r.run_id for r in first.items] == ["run-3", "run-2", "run-1"]
    rest = store.workflows.run_feed(cursor=first.next_cursor, limit=3)
    assert [r.run_id for r in rest.items] == ["run-0"] and rest.next_cursor is None
    assert [r.run_id for r in store.workflows.run_feed(status="suspended").items] == ["run-2"]
    assert [
        r.run_id
        for r in store.workflows.run_feed(workflow_name="refund-approval", resource_id="user_b").items
    ] == ["run-2"]


def test_workflow_names_and_status_counts(store: Store) -> None:
    seed_runs(store)
    assert store.workflows.workflow_names() == ["catalog-sync", "refund-approval"]
    counts = store.workflows.status_counts()
    assert {k: v.value for k, v in counts.items()} == {
        "failed": 1,
        "running": 1,
        "success": 1,
        "suspended": 1,
    }
    only_a = store.workflows.status_counts(resource_id="user_a")
    assert {k: v.value for k, v in only_a.items()} == {"failed": 1, "success": 1}
