"""/workflows/<name>/<run_id>/: one run's summary, step graph, timeline, step panel and raw snapshot."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine

from dashboard.core.store import use_store
from tests.support.counting_store import CountingStore

from . import workflow_snapshots as ws
from .html_query import find_all, find_one
from .support import HTMX


def node(response, key):
    """The drawn graph node of step ``key``."""
    return find_one(response.content, "div", cls="wf-node", data_step_key=key)


def partial(target):
    return {**HTMX, "HX-Target": target}


@pytest.mark.parametrize("case", list(ws.EXPECTED))
def test_each_step_is_drawn_in_the_status_of_its_record(vera_client, empty_store, case):
    builder, expected = ws.EXPECTED[case]
    fixture = builder().persist(empty_store)
    response = vera_client.get(fixture.url)
    assert response.status_code == 200
    for key, status in expected.items():
        drawn = node(response, key)
        assert drawn.get("data-status") == status, key
        css = status if status in ("not-reached", "unrecorded") else status
        assert f"wf-status-{css}" in drawn.classes, key
    summary = find_one(response.content, "dd", data_summary_status=...)
    assert summary.text.strip() == fixture.snapshot["status"]


def test_a_suspended_step_after_a_parallel_block_says_why_the_run_waits(vera_client, empty_store):
    fixture = ws.refund_suspended().persist(empty_store)
    response = vera_client.get(fixture.url)
    block = find_one(response.content, "div", cls="wf-parallel")
    assert block.get("data-status") == "success"
    assert [
        n.get("data-step-key")
        for n in find_all(response.content, "div", cls="wf-node", data_path=...)
        if n.get("data-path", "").startswith("1.")
    ] == ["check-fraud", "check-return-window"]
    approval = node(response, "manager-approval")
    assert "wf-on-suspended" in approval.classes
    why = find_one(response.content, "section", id="why-waiting")
    assert "Why this run is suspended" in why.text
    reason = find_one(response.content, "div", data_step_key="manager-approval", data_wait_kind="suspended")
    assert "Refund of $84.50 exceeds the $50 auto-approve limit" in reason.text
    assert [c.text for c in find_all(response.content, "code") if c.text in ("approve", "reject")] == [
        "approve",
        "reject",
    ]


def test_a_suspended_runs_page_opens_on_the_suspended_step(vera_client, empty_store):
    fixture = ws.refund_suspended().persist(empty_store)
    response = vera_client.get(fixture.url)
    panel = find_one(response.content, "aside", id="step-panel")
    assert panel.get("data-selected-step") == "manager-approval"
    assert "is-selected" in node(response, "manager-approval").classes
    assert find_one(response.content, "details", data_field="suspendPayload")


def test_a_failed_foreach_item_is_marked_on_the_foreach_node(vera_client, empty_store):
    fixture = ws.catalog_failed_foreach().persist(empty_store)
    response = vera_client.get(fixture.url)
    items = find_all(response.content, "li", cls="wf-item", data_item_index=...)
    assert [(i.get("data-item-index"), i.get("data-status")) for i in items] == [
        ("0", "success"),
        ("1", "success"),
        ("2", "failed"),
        ("3", "not-reached"),
    ]
    foreach = node(response, "upsert-sku")
    assert foreach.get("data-kind") == "foreach"
    assert "concurrency 1" in foreach.text
    assert "4 items: 1 failed, 2 success, 1 not reached" in " ".join(foreach.text.split())


def test_a_failed_run_shows_the_error_message_and_stack(vera_client, empty_store):
    fixture = ws.refund_failed().persist(empty_store)
    response = vera_client.get(fixture.url, {"step": "check-fraud"})
    errors = find_all(response.content, "div", data_error=...)
    assert len(errors) == 2  # the run's error in the summary, the step's in the panel
    for error in errors:
        assert "Fraud service returned HTTP 503" in error.text
        assert "at scoreRefund (src/mastra/workflows/refund.ts:41:11)" in error.text


def test_a_legacy_string_error_is_shown_as_the_message(vera_client, empty_store):
    fixture = ws.moderation_failed_string_error().persist(empty_store)
    response = vera_client.get(fixture.url)
    error = find_all(response.content, "div", data_error=...)[0]
    assert "Error: model returned invalid JSON for schema ReviewLabel" in error.text


def test_a_tripwire_says_which_processor_stopped_the_run(vera_client, empty_store):
    fixture = ws.moderation_tripwire().persist(empty_store)
    response = vera_client.get(fixture.url)
    trip = find_one(response.content, "div", data_tripwire=...)
    assert "pii-detector stopped the run: Review contains a customer's phone number (PII)" in " ".join(
        trip.text.split()
    )


def test_a_conditional_shows_each_branch_condition(vera_client, empty_store):
    fixture = ws.catalog_success().persist(empty_store)
    response = vera_client.get(fixture.url)
    conditions = find_all(response.content, "details", cls="wf-condition", data_condition_id=...)
    ids = [c.get("data-condition-id") for c in conditions]
    assert ids == ["notify-slack-condition", "notify-email-condition", "poll-index-job-condition"]
    assert "async ({ inputData }) =&gt; inputData.failures &gt; 0" in response.content.decode()
    assert node(response, "poll-index-job").get("data-kind") == "loop"
    assert node(response, "cooldown").get("data-kind") == "sleep"


def test_a_nested_workflow_is_drawn_inside_its_step_with_statuses_from_its_own_run(vera_client, empty_store):
    parent, nested = ws.onboarding_nested_success()
    parent.persist(empty_store)
    nested.persist(empty_store)
    response = vera_client.get(parent.url)
    box = find_one(response.content, "div", cls="wf-nested", data_nested_workflow="welcome-sequence")
    assert "open its run" in box.text
    assert find_all(response.content, "a", href=nested.url)
    for key in ("welcome-sequence.send-welcome", "welcome-sequence.wait-a-day", "welcome-sequence.send-tips"):
        assert node(response, key).get("data-status") == "success"
    # A nested step opens with its own record.
    panel = vera_client.get(parent.url, {"step": "welcome-sequence.send-tips"}, headers=partial("step-panel"))
    assert "msg_01" in panel.content.decode()


def test_the_timeline_draws_bars_with_svg_attributes_and_no_inline_styles(vera_client, empty_store):
    fixture = ws.refund_success().persist(empty_store)
    response = vera_client.get(fixture.url)
    rows = find_all(response.content, "li", cls="wf-tl-row")
    assert [r.get("data-step-key") for r in rows] == [
        "fetch-order",
        "check-fraud",
        "check-return-window",
        "manager-approval",
        "issue-refund",
    ]
    bars = find_all(response.content, "rect", cls="wf-tl-bar")
    assert bars[0].get("x") == "0.0" and float(bars[-1].get("x")) > 990
    assert find_all(response.content, "rect", cls="wf-tl-pause")  # the half hour awaiting approval
    assert b" style=" not in response.content and b"<style" not in response.content


def test_selecting_a_step_returns_only_its_panel_for_htmx(vera_client, empty_store):
    fixture = ws.refund_success().persist(empty_store)
    response = vera_client.get(fixture.url, {"step": "manager-approval"}, headers=partial("step-panel"))
    assert response.status_code == 200
    assert b"<html" not in response.content and b"wf-node" not in response.content
    panel = find_one(response.content, "aside", id="step-panel")
    assert panel.get("data-selected-step") == "manager-approval"
    fields = [d.get("data-field") for d in find_all(response.content, "details", cls="step-field")]
    assert fields == ["payload", "output", "suspendPayload", "resumePayload"]
    assert "maria.k@acme-retail.example" in response.content.decode()
    timings = find_one(response.content, "dl", data_timings=...).text
    for label in ("Started", "Suspended", "Resumed", "Ended", "Took"):
        assert label in timings
    assert "HX-Target" in response["Vary"]


def test_step_links_keep_href_next_to_hx_get_and_push_the_url(vera_client, empty_store):
    fixture = ws.refund_success().persist(empty_store)
    response = vera_client.get(fixture.url)
    link = find_one(response.content, "a", cls="wf-node-id", data_select_step="issue-refund")
    assert link.get("href") == link.get("hx-get") == "?step=issue-refund"
    # Target, swap and history come from the sections around the links.
    for section in find_all(response.content, "section", data_step_links=...):
        assert (section.get("hx-target"), section.get("hx-swap"), section.get("hx-push-url")) == (
            "#step-panel",
            "outerHTML",
            "true",
        )
    assert len(find_all(response.content, "section", data_step_links=...)) == 2  # graph, timeline


def test_an_unknown_step_key_says_so(vera_client, empty_store):
    fixture = ws.refund_success().persist(empty_store)
    response = vera_client.get(fixture.url, {"step": "<b>nope</b>"})
    missing = find_one(response.content, "p", data_step_missing=...)
    assert "<b>nope</b>" in missing.text
    assert b"<b>nope</b>" not in response.content


@pytest.fixture
def moments_after_the_run():
    """The clock a few seconds after the fixtures' runs saved their snapshots: a live run is fresh."""
    with time_machine.travel(ws.T0 + timedelta(seconds=10), tick=False):
        yield


def test_a_running_run_polls_and_a_finished_one_does_not(vera_client, empty_store, moments_after_the_run):
    running = ws.refund_running().persist(empty_store)
    live = find_one(vera_client.get(running.url).content, "div", id="run-live")
    assert live.get("data-poll") == "5000"
    assert live.get("data-poll-hidden") == "60000"
    done = ws.refund_success().persist(empty_store)
    assert find_one(vera_client.get(done.url).content, "div", id="run-live").get("data-poll") is None
    suspended = ws.refund_suspended().persist(empty_store)
    assert find_one(vera_client.get(suspended.url).content, "div", id="run-live").get("data-poll") is None


@pytest.mark.parametrize("builder", [ws.onboarding_pending, ws.catalog_waiting])
def test_pending_and_waiting_runs_poll_too(vera_client, empty_store, builder, moments_after_the_run):
    fixture = builder().persist(empty_store)
    assert find_one(vera_client.get(fixture.url).content, "div", id="run-live").get("data-poll") == "5000"


def test_a_poll_returns_the_live_region_and_the_step_panel_out_of_band(
    vera_client, empty_store, moments_after_the_run
):
    fixture = ws.refund_running().persist(empty_store)
    first = vera_client.get(fixture.url, {"step": "manager-approval"}, headers=partial("run-live"))
    assert b"<html" not in first.content
    assert find_one(first.content, "div", id="run-live").get("data-poll") == "5000"
    assert find_one(first.content, "aside", id="step-panel").get("hx-swap-oob") == "true"

    finished = ws.refund_success(fixture.run_id)
    finished.persist(empty_store)
    last = vera_client.get(fixture.url, {"step": "manager-approval"}, headers=partial("run-live"))
    region = find_one(last.content, "div", id="run-live")
    assert region.get("data-poll") is None and region.get("data-run-status") == "success"
    assert find_one(last.content, "span", data_step_status=...).text == "success"


def test_the_raw_snapshot_loads_on_demand(vera_client, empty_store):
    fixture = ws.refund_suspended().persist(empty_store)
    page = vera_client.get(fixture.url)
    link = find_one(page.content, "a", hx_target="#raw-snapshot")
    assert "raw=1" in link.get("href")
    response = vera_client.get(fixture.url, {"raw": "1"}, headers=partial("raw-snapshot"))
    assert b"<html" not in response.content
    raw = find_one(response.content, "div", data_raw_snapshot=...)
    assert "serializedStepGraph" in raw.text and "Raw JSON" in raw.text


@pytest.mark.parametrize("as_string", [True, False], ids=["stored as a JSON string", "stored as an object"])
def test_a_snapshot_reads_the_same_stored_as_a_string_or_an_object(vera_client, empty_store, as_string):
    fixture = ws.catalog_failed_foreach().persist(empty_store, as_string=as_string)
    response = vera_client.get(fixture.url)
    assert response.status_code == 200
    assert node(response, "upsert-sku").get("data-status") == "failed"


def test_a_snapshot_that_is_not_json_is_shown_as_escaped_text_with_a_note(vera_client, empty_store):
    fixture = ws.write_raw(empty_store, ws.not_json())
    response = vera_client.get(fixture.url)
    assert response.status_code == 200
    note = find_one(response.content, "article", data_snapshot_error=...)
    assert "could not be read" in note.text
    raw = find_one(response.content, "pre", data_raw_text=...)
    assert raw.text == fixture.snapshot
    assert b"{<script>" not in response.content and b"{&lt;script&gt;" in response.content
    # Selecting a step or polling such a run does not fail either.
    assert vera_client.get(fixture.url, {"step": "x"}, headers=partial("step-panel")).status_code == 200


def test_a_snapshot_without_context_or_graph_renders_with_notes(vera_client, empty_store):
    fixture = ws.missing_context().persist(empty_store)
    response = vera_client.get(fixture.url)
    assert response.status_code == 200
    notes = [n.text for n in find_all(response.content, "p", data_graph_note=...)]
    assert any("no step context" in n for n in notes) and any("no step graph" in n for n in notes)
    assert find_one(response.content, "dd", data_summary_status=...).text == "completed"


def test_unknown_entry_types_are_shown_as_raw_json_nodes(vera_client, empty_store):
    fixture = ws.unknown_step_type().persist(empty_store)
    response = vera_client.get(fixture.url)
    assert response.status_code == 200
    unknown = find_all(response.content, "div", cls="wf-unknown")
    assert len(unknown) == 2
    assert "agentLoop" in unknown[0].text and "travelAgent" in unknown[0].text
    assert node(response, "plan-trip").get("data-status") == "success"
    assert node(response, "legacy-extra").get("data-status") == "success"  # recorded, not in the graph


def test_snapshot_text_is_escaped_everywhere(vera_client, empty_store):
    fixture = ws.refund_suspended("4a4a4a4a-0000-4000-8000-000000000001")
    snapshot = json.loads(json.dumps(fixture.snapshot))
    hostile = '<img src=x onerror="alert(1)">'
    snapshot["serializedStepGraph"][0]["step"]["description"] = hostile
    snapshot["context"]["manager-approval"]["suspendPayload"] = {"message": hostile}
    snapshot["error"] = {"name": hostile, "message": hostile, "stack": hostile}
    snapshot["resumeLabels"] = {hostile: {"stepId": "manager-approval"}}
    replace(fixture, snapshot=snapshot).persist(empty_store)
    response = vera_client.get(fixture.url)
    assert response.status_code == 200
    assert hostile.encode() not in response.content
    assert b"&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in response.content


def test_an_unknown_run_is_a_404_with_a_way_back(vera_client, empty_store):
    response = vera_client.get("/workflows/refund-approval/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert "No run 00000000-0000-4000-8000-000000000000 of workflow refund-approval" in (
        find_one(response.content, "article", data_not_found=...).text
    )
    assert find_all(response.content, "a", href="/workflows/")


def test_the_run_page_reads_the_run_and_each_nested_run_once(vera_client, empty_store):
    parent, nested = ws.onboarding_nested_success()
    parent.persist(empty_store)
    nested.persist(empty_store)
    counting = CountingStore(empty_store)
    with use_store(counting):
        vera_client.get(parent.url)
    workflow_reads = [(n, kw.get("workflow_name")) for n, _, kw in counting.log if n.startswith("workflows.")]
    assert workflow_reads == [
        ("workflows.get_workflow_run_by_id", "customer-onboarding"),
        ("workflows.get_workflow_run_by_id", "welcome-sequence"),
    ]


def test_every_demo_run_renders(vera_client, demo_set):
    for run in demo_set.runs:
        response = vera_client.get(f"/workflows/{run.workflow_name}/{run.run_id}/")
        assert response.status_code == 200, run.run_id
        assert find_one(response.content, "dd", data_summary_status=...).text == run.snapshot["status"]
