"""Run-status counts kept by the indexer from ``run_changes`` on a SQLite store in Mastra's layout:
equal to the store's exact counts after inserts, status changes, deletions and a rebuild; the run
list shows them, exact beyond the store path's cap, and says where they came from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from dashboard.aggregates import runs
from dashboard.aggregates.models import RunState
from dashboard.aggregates.runs import status_counts
from dashboard.core.store import use_store
from dashboard.search.indexer import Indexer, IndexerState
from dashboard.workflows import views
from storeclient.sqlite import SQLiteStore
from tests.contract.records import snapshot_with_status

from .scores_data import NOW, index

pytestmark = pytest.mark.django_db

WORKFLOWS = ("order-approval", "refund-flow", "nightly-report")
STATUSES = ("success", "failed", "suspended", "running")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    with use_store(store):
        yield store
    store.close()


def persist(store: SQLiteStore, workflow: str, run_id: str, status: str, minutes_ago: float) -> None:
    moment = NOW - timedelta(minutes=minutes_ago)
    store.workflows.persist_workflow_snapshot(
        workflow, run_id, snapshot_with_status(run_id, status), created_at=moment, updated_at=moment
    )


def write_runs(store: SQLiteStore, count: int) -> None:
    for i in range(count):
        persist(store, WORKFLOWS[i % 3], f"run-{i:04d}", STATUSES[(i * 7) % 4], 500 - i)


def exact(store: SQLiteStore, workflow: str | None = None) -> dict[str, int]:
    return {k: c.value for k, c in store.workflows.status_counts(workflow_name=workflow).items()}


def test_the_counts_equal_the_stores_after_inserts(store):
    write_runs(store, 40)
    index(store)
    assert status_counts() == exact(store)
    for workflow in WORKFLOWS:
        assert status_counts(workflow) == exact(store, workflow)


def test_a_status_change_moves_the_run_to_its_new_count(store):
    write_runs(store, 12)
    index(store)
    persist(store, "order-approval", "run-0000", "canceled", 5)  # was "success"
    persist(store, "order-approval", "run-0003", "success", 4)
    index(store)
    assert status_counts("order-approval") == exact(store, "order-approval")
    assert status_counts()["canceled"] == 1
    assert RunState.objects.get(run_id="run-0000").status == "canceled"


def test_a_deleted_run_leaves_the_counts(store, monkeypatch):
    monkeypatch.setattr(runs, "SWEEP_EVERY", 0.0)
    write_runs(store, 12)
    index(store)
    store.workflows.delete_workflow_run_by_id("run-0001", workflow_name="refund-flow")
    index(store)
    assert status_counts() == exact(store)
    assert not RunState.objects.filter(run_id="run-0001").exists()


def test_a_rebuild_gives_the_same_counts(store):
    write_runs(store, 30)
    index(store)
    before = status_counts()
    RunState.objects.update(status="running")  # damage that only a rebuild repairs
    runs.recount(WORKFLOWS)
    assert Indexer(store).rebuild().drained
    assert status_counts() == before == exact(store)


def test_a_hostile_status_is_kept_as_text_and_counted(store):
    persist(store, "order-approval", "run-x", "<script>alert(1)</script>", 3)
    store.workflows.persist_workflow_snapshot("order-approval", "run-y", {"status": 7}, updated_at=NOW)
    index(store)
    assert status_counts() == exact(store) == {"<script>alert(1)</script>": 1, "unknown": 1}


def test_the_run_list_shows_exact_counts_from_the_index(store, vera_client, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 10)  # as 10,000 are to 20,000 runs
    write_runs(store, 40)
    capped = vera_client.get("/workflows/").content.decode()
    assert "10+" in capped and 'data-counts-source="store"' in capped
    assert "have not been built yet" in capped
    index(store)
    content = vera_client.get("/workflows/").content.decode()
    assert 'data-counts-source="index"' in content
    assert '<span class="status-chip-count">40</span>' in content
    assert f'<span class="status-chip-count">{exact(store)["failed"]}</span>' in content


def test_one_workflows_counts_come_from_the_index(store, vera_client):
    write_runs(store, 30)
    index(store)
    content = vera_client.get("/workflows/?workflow=refund-flow").content.decode()
    assert 'data-counts-source="index"' in content
    assert '<span class="status-chip-count">10</span>' in content


def test_a_narrowed_list_counts_in_the_store(store, vera_client):
    write_runs(store, 30)
    index(store)
    content = vera_client.get("/workflows/?name=order").content.decode()
    assert "data-counts-source" not in content
    assert '<span class="status-chip-count">10</span>' in content


def test_a_stale_index_is_not_used(store, vera_client):
    write_runs(store, 10)
    index(store)
    IndexerState.objects.update(synced_at=NOW - timedelta(hours=1))
    content = vera_client.get("/workflows/").content.decode()
    assert 'data-counts-source="store"' in content and "behind the store" in content
