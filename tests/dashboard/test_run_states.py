"""Honest run states: runs left in each state by Mastra's own workflow engine (tests/node/
workflow_states.mjs, @mastra/core on LibSQL and on Convex) and by the fixtures, read hours or months
later. A page must say how long a run has been suspended, that a silent run may be stuck (and stop
polling), that a sleep is past its wake time, and count foreach items and parallel branches as the
snapshot records them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from dashboard.core.store import use_store
from dashboard.demo.cast import Ids
from dashboard.demo.runs import build_run
from storeclient.convex import ConvexStore
from storeclient.sqlite import SQLiteStore
from tests.storeclient.sqlite.nodetools import needs_node, run_node

from . import workflow_snapshots as ws
from .html_query import find_all, find_one


def _url(run: dict[str, str]) -> str:
    return f"/workflows/{run['workflowName']}/{run['runId']}/"


@pytest.fixture(params=["sqlite", pytest.param("convex", marks=pytest.mark.convex)])
def engine_runs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Runs in every state, written by Mastra's engine; the clock then moves 8 hours on."""
    if request.param == "sqlite":
        path = tmp_path / "mastra.db"
        runs = run_node("workflow_states.mjs", str(path))["runs"]
        store: Any = SQLiteStore(path)
    else:
        server = request.getfixturevalue("convex_backend")
        runs = run_node("workflow_states.mjs", "--convex", server.url, server.admin_key)["runs"]
        store = ConvexStore(server.url, server.admin_key)
    with use_store(store), time_machine.travel(datetime.now(UTC) + timedelta(hours=8), tick=False):
        yield runs
    store.close()


pytestmark = needs_node


def test_a_running_run_silent_for_hours_may_be_stuck_and_stops_refreshing(vera_client, engine_runs):
    response = vera_client.get(_url(engine_runs["stuck"]))
    live = find_one(response.content, "div", id="run-live")
    assert live.get("data-poll") is None
    assert (
        find_one(response.content, data_run_state="stuck").text.strip() == "no update for 8 h — may be stuck"
    )
    assert b"Refreshes by itself" not in response.content
    assert "until the last update" in find_one(response.content, "dd", data_summary_duration=...).text


def test_a_suspended_run_says_how_long_it_has_waited_not_how_long_it_ran_so_far(vera_client, engine_runs):
    response = vera_client.get(_url(engine_runs["suspended"]))
    assert find_one(response.content, data_run_state="suspended").text.strip() == "suspended for 8 h"
    duration = find_one(response.content, "dd", data_summary_duration=...).text
    assert "of work before it suspended" in duration and "so far" not in duration


def test_a_sleep_past_its_wake_time_is_flagged_and_the_page_stops_refreshing(vera_client, engine_runs):
    response = vera_client.get(_url(engine_runs["sleeping"]))
    assert find_one(response.content, "div", id="run-live").get("data-poll") is None
    assert "past its wake time" in find_one(response.content, data_run_state="overdue").text
    overdue = find_one(response.content, data_overdue_wake=...).text
    assert "should have woken" in overdue and "7 h ago" in overdue
    assert b"it continues by itself" not in response.content


def test_a_failed_foreach_counts_the_items_mastra_recorded(vera_client, engine_runs):
    response = vera_client.get(_url(engine_runs["failed-foreach"]))
    items = find_all(response.content, "li", cls="wf-item")
    assert [i.get("data-status") for i in items] == ["success", "success", "failed", "not-reached"]
    assert "4 items: 1 failed, 2 success, 1 not reached" in " ".join(
        find_one(response.content, "div", data_step_key="upsert-sku").text.split()
    )


def test_a_failed_parallel_block_counts_its_branches(vera_client, engine_runs):
    response = vera_client.get(_url(engine_runs["failed-parallel"]))
    assert find_one(response.content, data_branch_counts=...).text.strip() == "1 failed, 1 success"


def test_a_resumed_run_that_succeeded_shows_no_waiting_legend(vera_client, engine_runs):
    response = vera_client.get(_url(engine_runs["success"]))
    assert b"waiting for a resume" not in response.content
    assert find_all(response.content, data_run_state=...) == []


def test_the_runs_list_flags_the_stuck_and_overdue_runs(vera_client, engine_runs):
    rows = {
        row.get("data-run-id"): " ".join(row.text.split())
        for row in find_all(vera_client.get("/workflows/").content, "tr", data_run_id=...)
    }
    assert "no update for 8 h — may be stuck" in rows[engine_runs["stuck"]["runId"]]
    assert "past its wake time" in rows[engine_runs["sleeping"]["runId"]]
    assert "suspended for 8 h" in rows[engine_runs["suspended"]["runId"]]
    assert "may be stuck" not in rows[engine_runs["success"]["runId"]]
    assert "suspended for" not in rows[engine_runs["success"]["runId"]]


# --- fixtures --------------------------------------------------------------------------------------


def test_a_failed_foreach_without_per_item_records_does_not_claim_items_were_not_reached(
    vera_client, empty_store
):
    run = ws.catalog_failed_foreach()
    step = run.snapshot["context"]["upsert-sku"]
    step.pop("output")  # what the demo data and older engines leave: the step failed, nothing per item
    run.persist(empty_store)
    response = vera_client.get(run.url)
    assert {i.get("data-status") for i in find_all(response.content, "li", cls="wf-item")} == {"no-result"}
    node = " ".join(find_one(response.content, "div", data_step_key="upsert-sku").text.split())
    assert "4 no result recorded" in node and "not reached" not in node


def test_a_sleep_until_a_date_long_past_is_flagged(vera_client, empty_store):
    created = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
    demo = build_run(
        random.Random(3), Ids(random.Random(3)), "customer-onboarding", "waiting", created, "user_x"
    )
    empty_store.workflows.persist_workflow_snapshot(
        demo.workflow_name, demo.run_id, demo.snapshot, created_at=created, updated_at=demo.updated_at
    )
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        response = vera_client.get(f"/workflows/{demo.workflow_name}/{demo.run_id}/")
    overdue = find_one(response.content, data_overdue_wake=...).text
    assert "2026-02-01 09:00:00" in overdue
    assert find_one(response.content, "div", id="run-live").get("data-poll") is None


def test_a_resumed_step_shows_the_resumed_legend_and_a_waiting_one_the_waiting_legend(
    vera_client, empty_store
):
    done = ws.refund_success().persist(empty_store)
    page = vera_client.get(done.url).content
    assert find_all(page, data_legend="waiting") == []
    assert len(find_all(page, data_legend="resumed")) == 1
    waiting = ws.refund_suspended().persist(empty_store)
    page = vera_client.get(waiting.url).content
    assert len(find_all(page, data_legend="waiting")) == 1


def test_the_overview_lanes_name_the_runs_mastra_left_behind(vera_client, engine_runs, settings):
    settings.ATTENTION_SUSPENDED_HOURS = 4
    page = vera_client.get("/health/attention/", headers={"HX-Request": "true"}).content
    lanes = {
        li.get("data-lane"): " ".join(li.text.split()) for li in find_all(page, "li", cls="attention-lane")
    }
    assert "shipping-label" in lanes["stuck-runs"] and "may be stuck" in lanes["stuck-runs"]
    assert "payment-reminder" in lanes["stuck-runs"] and "past its wake time" in lanes["stuck-runs"]
    assert "refund-approval" in lanes["suspended-runs"] and "suspended for 8 h" in lanes["suspended-runs"]
    assert "catalog-sync" in lanes["failed-runs"] and "order-checks" in lanes["failed-runs"]
    assert "Catalog API refused SKU-3: price missing" in lanes["failed-runs"]
