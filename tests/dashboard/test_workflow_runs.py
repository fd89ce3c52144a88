"""/workflows/: runs across workflows, filters, status counts and cursor paging."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from storeclient.models import Feed

from . import workflow_snapshots as ws
from .html_query import find_all, find_one
from .support import HTMX

RUNS = "/workflows/"


@pytest.fixture
def runs(empty_store):
    """One run of every kind, created a minute apart (the last one newest)."""
    builders = [builder for builder, _ in ws.EXPECTED.values()]
    made = []
    for i, builder in enumerate(builders):
        fixture = builder()
        made.append(
            replace(fixture, created_at=ws.T0 + timedelta(minutes=i)).persist(
                empty_store, as_string=i % 2 == 0
            )
        )
    return made


def rows(response):
    return find_all(response.content, "tr", data_run_id=...)


def test_runs_are_listed_newest_first_with_their_status(vera_client, runs):
    response = vera_client.get(RUNS)
    assert response.status_code == 200
    listed = [(r.get("data-run-id"), r.get("data-status")) for r in rows(response)]
    expected = [(f.run_id, f.snapshot["status"]) for f in reversed(runs)]
    assert listed == expected


def test_a_row_links_to_the_run_and_its_resource_and_shows_the_duration(vera_client, runs):
    fixture = ws.refund_success()
    response = vera_client.get(RUNS, {"workflow": "refund-approval", "status": "success"})
    [row] = rows(response)
    assert row.get("data-run-id") == fixture.run_id
    assert find_all(response.content, "a", href=fixture.url)
    assert find_all(response.content, "a", href="/resources/user_8f2c1a/")
    # 10 ms to 1,801,912 ms: the exact step times, not the snapshot's save times.
    assert "30 min 1 s" in row.text


def test_the_workflow_filter_keeps_only_that_workflows_runs(vera_client, runs):
    response = vera_client.get(RUNS, {"workflow": "catalog-sync"})
    names = {f.run_id for f in runs if f.workflow_name == "catalog-sync"}
    assert {r.get("data-run-id") for r in rows(response)} == names
    selected = find_one(response.content, "option", value="catalog-sync")
    assert "selected" in selected.attrs


def test_status_counts_follow_the_filter_and_link_to_each_status(vera_client, runs):
    response = vera_client.get(RUNS, {"workflow": "refund-approval"})
    chips = {
        c.get("data-status"): c for c in find_all(response.content, "a", cls="status-chip", data_status=...)
    }
    assert set(chips) == {"running", "success", "failed", "suspended", "canceled"}
    counts = {status: chip.text.split()[-1] for status, chip in chips.items()}
    assert counts == {"running": "1", "success": "1", "failed": "1", "suspended": "1", "canceled": "1"}
    href = chips["failed"].get("href")
    assert "workflow=refund-approval" in href and "status=failed" in href
    assert chips["failed"].get("hx-get") == href


def test_the_status_filter_marks_its_chip_and_keeps_the_other_counts(vera_client, runs):
    response = vera_client.get(RUNS, {"status": "waiting"})
    assert {r.get("data-status") for r in rows(response)} == {"waiting"}
    assert len(rows(response)) == 2
    selected = find_one(response.content, "a", cls="is-selected")
    assert selected.get("data-status") == "waiting"
    assert find_one(response.content, "a", cls="status-chip-success").text.split()[-1] == "2"


def test_every_mastra_status_is_offered_in_the_status_filter(vera_client, runs):
    response = vera_client.get(RUNS)
    offered = [o.get("value") for o in find_all(response.content, "option") if o.get("value")]
    for status in (
        "running",
        "success",
        "failed",
        "tripwire",
        "suspended",
        "waiting",
        "pending",
        "canceled",
        "bailed",
        "paused",
    ):
        assert status in offered


def test_a_status_mastra_does_not_define_is_shown_as_it_is(vera_client, empty_store):
    ws.missing_context().persist(empty_store)
    response = vera_client.get(RUNS)
    [row] = rows(response)
    assert row.get("data-status") == "completed"
    assert find_one(response.content, "span", cls="badge-unknown").text == "completed"
    chip = find_one(response.content, "a", cls="status-chip-unknown")
    assert chip.get("data-status") == "completed"
    response = vera_client.get(RUNS, {"status": "completed"})
    assert len(rows(response)) == 1


def test_the_resource_filter(vera_client, runs):
    response = vera_client.get(RUNS, {"resource": "user_5e1a77"})
    assert {r.get("data-run-id") for r in rows(response)} == {
        f.run_id for f in runs if f.resource_id == "user_5e1a77"
    }


def test_the_resource_box_matches_the_start_of_the_id_in_any_case(vera_client, runs):
    response = vera_client.get(RUNS, {"resource": "USER_5E"})
    assert {r.get("data-run-id") for r in rows(response)} == {
        f.run_id for f in runs if (f.resource_id or "").startswith("user_5e")
    }
    assert "grouped by resource" in find_one(response.content, "p", id="run-order").text


def test_the_name_box_finds_workflows_by_the_start_of_their_name_and_counts_follow(vera_client, runs):
    response = vera_client.get(RUNS, {"name": "REFUND"})
    refund = [f for f in runs if f.workflow_name.startswith("refund")]
    assert refund and len(refund) < len(runs)
    assert {r.get("data-run-id") for r in rows(response)} == {f.run_id for f in refund}
    assert find_one(response.content, "input", name="name").get("value") == "REFUND"
    all_chip = find_one(response.content, "nav", cls="status-chips").text
    assert f"All {len(refund)}" in " ".join(all_chip.split())
    assert "grouped by workflow" in find_one(response.content, "p", id="run-order").text


def test_the_date_range_includes_whole_days(vera_client, empty_store):
    day1 = replace(ws.refund_success(), created_at=ws.T0 - timedelta(days=1)).persist(empty_store)
    day2 = ws.refund_running().persist(empty_store)
    replace(ws.refund_failed(), created_at=ws.T0 + timedelta(days=1)).persist(empty_store)
    response = vera_client.get(RUNS, {"since": "2026-01-08", "until": "2026-01-09"})
    assert [r.get("data-run-id") for r in rows(response)] == [day2.run_id, day1.run_id]


def test_invalid_filters_are_refused_with_a_link_that_keeps_the_valid_ones(vera_client, runs):
    response = vera_client.get(
        RUNS, {"since": "2026-01-01", "until": "2025-12-01", "workflow": "catalog-sync", "cursor": "x"}
    )
    assert response.status_code == 400
    panel = find_one(response.content, "article", data_bad_query=...)
    assert "These filters are not valid" in panel.text
    assert "The end date is before the start date." in panel.text
    # The link drops the bad date and the page position; the workflow and the start date stay.
    assert find_one(response.content, "a", data_reset=...).get("href") == (
        "/workflows/?since=2026-01-01&workflow=catalog-sync"
    )


def test_runs_page_through_a_cursor_in_the_query_string(vera_client, empty_store):
    made = [
        replace(
            ws.refund_success(f"00000000-0000-4000-8000-{i:012d}"), created_at=ws.T0 + timedelta(minutes=i)
        ).persist(empty_store)
        for i in range(30)
    ]
    first = vera_client.get(RUNS)
    assert len(rows(first)) == 25
    older = find_one(first.content, "a", rel="next")
    assert "cursor=" in older.get("href") and older.get("hx-get") == older.get("href")

    # The pager swaps only the table, and the URL it pushes renders the same page in full.
    page = vera_client.get(older.get("href"), headers={**HTMX, "HX-Target": "run-table"})
    assert b"<html" not in page.content and b"run-filters" not in page.content
    assert [r.get("data-run-id") for r in rows(page)] == [f.run_id for f in reversed(made[:5])]
    assert "HX-Target" in page["Vary"] and "HX-Request" in page["Vary"]
    full = vera_client.get(older.get("href"))
    assert [r.get("data-run-id") for r in rows(full)] == [f.run_id for f in reversed(made[:5])]
    assert find_one(full.content, "a", rel="prev").get("href") == RUNS


def test_a_stale_page_link_is_refused_with_a_link_to_the_first_page(vera_client, runs):
    response = vera_client.get(RUNS, {"cursor": "not-a-cursor", "back": "", "status": "failed"})
    assert response.status_code == 400
    assert "That page link is not valid" in find_one(response.content, "article", data_bad_query=...).text
    assert find_one(response.content, "a", data_reset=...).get("href") == "/workflows/?status=failed"


def test_a_stale_page_link_from_the_pager_swaps_the_panel_into_the_table(vera_client, runs):
    response = vera_client.get(RUNS, {"cursor": "not-a-cursor"}, headers={**HTMX, "HX-Target": "run-table"})
    assert response.status_code == 400 and response["X-Dashboard-Swap-Error"] == "true"
    assert find_one(response.content, "article", id="run-table", data_bad_query=...)
    assert b"<html" not in response.content


def test_a_filter_change_from_htmx_returns_the_results_region(vera_client, runs):
    response = vera_client.get(RUNS, {"status": "failed"}, headers={**HTMX, "HX-Target": "run-results"})
    assert b"<html" not in response.content
    assert find_all(response.content, "div", id="run-results")
    assert {r.get("data-status") for r in rows(response)} == {"failed"}


class _CappedWorkflows:
    """Like the standard Convex handler past 10,000 runs: the feed says it saw only part."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def run_feed(self, **kwargs):
        feed = self._inner.run_feed(**kwargs)
        return Feed(
            items=feed.items,
            next_cursor=feed.next_cursor,
            capped=True,
            note="Only the newest 10,000 runs were read.",
        )


class _CappedStore:
    def __init__(self, store):
        self._store = store
        self.workflows = _CappedWorkflows(store.workflows)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_a_capped_list_says_it_is_incomplete(vera_client, runs, empty_store):
    from dashboard.core.store import use_store

    with use_store(_CappedStore(empty_store)):
        response = vera_client.get(RUNS)
    banner = find_one(response.content, "div", data_feed_notice="capped")
    assert "Only the newest 10,000 runs were read." in banner.text


def test_an_unreadable_snapshot_is_listed_as_unreadable(vera_client, empty_store):
    ws.write_raw(empty_store, ws.not_json())
    response = vera_client.get(RUNS)
    [row] = rows(response)
    assert "unreadable" in row.text
    assert response.status_code == 200


def test_an_empty_store_says_where_runs_come_from(vera_client, empty_store):
    response = vera_client.get(RUNS)
    assert b"No workflow runs yet" in response.content


def test_the_demo_data_lists_without_errors(vera_client, demo_set):
    response = vera_client.get(RUNS)
    assert response.status_code == 200
    assert len(rows(response)) == 20


@pytest.mark.parametrize("param", ["since", "until"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_end_of_the_calendar_is_refused_not_a_server_error(vera_client, runs, param, day):
    response = vera_client.get(RUNS, {param: day, "workflow": "catalog-sync"})
    assert response.status_code == 400
    panel = find_one(response.content, "article", data_bad_query=...)
    assert "Pick a date between 1970-01-01 and 9999-12-30." in panel.text
    assert find_one(response.content, "a", data_reset=...).get("href") == "/workflows/?workflow=catalog-sync"
