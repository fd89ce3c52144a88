"""dashboard.workflows.graph: a snapshot turned into nodes, a timeline and wait reasons (no Django)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.workflows.graph import (
    NOT_REACHED,
    TIMELINE_SCALE,
    UNRECORDED,
    build_graph,
    foreach_items,
    nested_workflow_ids,
    parse_error,
    parse_record,
    summarize,
)
from storeclient.models import WorkflowRun

from . import workflow_snapshots as ws


def graph_of(fixture, nested=None):
    return build_graph(fixture.snapshot, nested)


def statuses(graph):
    return {node.key or node.label: node.status for top in graph.nodes for node in top.walk()}


@pytest.mark.parametrize("case", list(ws.EXPECTED))
def test_every_step_has_the_status_of_its_context_record_or_not_reached(case):
    builder, expected = ws.EXPECTED[case]
    found = statuses(graph_of(builder()))
    assert {key: found.get(key) for key in expected} == expected


def test_a_parallel_block_holds_its_branches_at_their_execution_paths():
    graph = graph_of(ws.refund_suspended())
    block = graph.nodes[1]
    assert block.kind == "parallel"
    assert [(c.key, c.path) for c in block.children] == [
        ("check-fraud", (1, 0)),
        ("check-return-window", (1, 1)),
    ]
    assert block.status == "success"


def test_the_suspended_step_after_a_parallel_block_is_on_the_suspended_path():
    graph = graph_of(ws.refund_suspended())
    approval = graph.step("manager-approval")
    assert approval.highlights == ("suspended",)
    assert graph.nodes[1].highlights == ()


def test_a_running_step_is_on_the_active_path():
    graph = graph_of(ws.refund_running())
    assert graph.step("manager-approval").highlights == ("active",)
    assert graph.step("fetch-order").highlights == ()


def test_a_conditional_pairs_each_branch_with_its_condition_and_counts_the_branches_taken():
    graph = graph_of(ws.catalog_success())
    branch = graph.nodes[3]
    assert branch.kind == "conditional"
    assert [(c.key, c.condition.id) for c in branch.children] == [
        ("notify-slack", "notify-slack-condition"),
        ("notify-email", "notify-email-condition"),
    ]
    assert branch.children[0].condition.fn == "async ({ inputData }) => inputData.failures > 0"
    assert branch.label == "2 conditions, 1 taken"
    assert branch.status == "success"


def test_a_loop_keeps_its_kind_and_condition():
    loop = graph_of(ws.catalog_success()).step("poll-index-job")
    assert (loop.kind, loop.loop_type, loop.condition.id) == ("loop", "dountil", "poll-index-job-condition")
    legacy = graph_of(ws.legacy_wait_for_event()).step("retry-carrier-lookup")
    assert (legacy.kind, legacy.loop_type) == ("loop", "dowhile")


def test_a_failed_foreach_shows_which_item_failed_and_which_never_started():
    node = graph_of(ws.catalog_failed_foreach()).step("upsert-sku")
    assert node.kind == "foreach"
    assert node.concurrency == 1
    assert [i.status for i in node.items] == ["success", "success", "failed", NOT_REACHED]
    assert node.record.error.message == "Shopify Admin API 429: rate limit exceeded (MXR-5)"


def test_a_running_foreach_shows_unfinished_items_as_pending():
    node = graph_of(ws.catalog_foreach_running()).step("upsert-sku")
    assert node.concurrency == 2
    assert [i.status for i in node.items] == ["success", "pending", "pending", "pending"]


def test_a_suspended_foreach_reads_each_items_status_from_mastras_bookkeeping():
    node = graph_of(ws.catalog_suspended_foreach()).step("upsert-sku")
    assert [i.status for i in node.items] == ["success", "suspended", "suspended"]


def test_foreach_items_need_a_list_somewhere():
    record = parse_record("upsert-sku", {"status": "success", "output": {"not": "a list"}})
    assert foreach_items(record) == []


def test_sleeps_carry_their_duration_or_date():
    graph = graph_of(ws.catalog_success())
    cooldown = graph.step("cooldown")
    assert (cooldown.kind, cooldown.sleep_ms, cooldown.status) == ("sleep", 2000, "success")
    onboarding = graph_of(ws.onboarding_pending())
    until = onboarding.nodes[2]
    assert (until.kind, until.until, until.status, until.key) == (
        "sleepUntil",
        "2026-02-01T09:00:00.000Z",
        NOT_REACHED,
        "wait-for-launch",
    )


def test_a_nested_workflow_takes_its_steps_statuses_from_its_own_run_snapshot():
    parent, nested = ws.onboarding_nested_success()
    assert nested_workflow_ids(parent.snapshot) == ["welcome-sequence"]
    graph = graph_of(parent, {"welcome-sequence": nested.snapshot})
    node = graph.step("welcome-sequence")
    assert node.kind == "workflow" and node.nested_snapshot
    assert [(c.key, c.kind, c.status) for c in node.children] == [
        ("welcome-sequence.send-welcome", "step", "success"),
        ("welcome-sequence.wait-a-day", "sleep", "success"),
        ("welcome-sequence.send-tips", "step", "success"),
    ]
    assert graph.step("welcome-sequence.send-tips").record.raw["output"] == {
        "sent": ["welcome", "tips"],
        "opened": True,
    }


def test_without_its_own_snapshot_a_nested_workflow_follows_the_suspend_path_its_parent_recorded():
    graph = graph_of(ws.onboarding_nested_suspended())
    node = graph.step("welcome-sequence")
    assert not node.nested_snapshot
    assert [(c.label, c.status) for c in node.children] == [
        ("send-welcome", UNRECORDED),
        ("wait-a-day", UNRECORDED),
        ("send-tips", "suspended"),
    ]
    assert graph.step("welcome-sequence.send-tips").highlights == ("suspended",)
    [wait] = graph.waits
    assert (wait.key, wait.nested_path, wait.resume_labels) == (
        "welcome-sequence",
        ("send-tips",),
        (("email-confirmed", None),),
    )
    assert wait.suspend_payload == {"reason": "Customer has not confirmed their e-mail address"}


def test_a_suspended_run_says_which_step_waits_with_what_payload_and_labels():
    [wait] = graph_of(ws.refund_suspended()).waits
    assert (wait.key, wait.kind, wait.path) == ("manager-approval", "suspended", (2,))
    assert wait.suspend_payload == ws.APPROVAL_ASK
    assert wait.resume_labels == (("approve", None), ("reject", None))


def test_a_suspended_foreach_lists_a_resume_label_per_item():
    [wait] = graph_of(ws.catalog_suspended_foreach()).waits
    assert wait.resume_labels == (("sign-off-KTL-210", 1), ("sign-off-MXR-5", 2))
    assert "__workflow_meta" not in wait.suspend_payload


def test_a_legacy_wait_for_event_is_found_through_the_event_keyed_waiting_path():
    graph = graph_of(ws.legacy_wait_for_event())
    node = graph.step("await-pickup")
    assert (node.kind, node.event, node.timeout_ms) == (
        "waitForEvent",
        "carrier-pickup-confirmed",
        172_800_000,
    )
    assert node.highlights == ("waiting",)
    [wait] = graph.waits
    assert (wait.key, wait.kind, wait.event) == ("await-pickup", "waiting", "carrier-pickup-confirmed")


def test_unknown_entry_types_become_raw_nodes_and_the_rest_still_draws():
    graph = graph_of(ws.unknown_step_type())
    assert [n.kind for n in graph.nodes] == ["step", "unknown", "step", "unknown"]
    assert graph.nodes[1].raw == {"type": "agentLoop", "agent": "travelAgent", "maxSteps": 8}
    assert graph.nodes[3].raw == "not-an-entry"
    assert graph.nodes[1].highlights == ("active",)
    assert [n.key for n in graph.other_steps] == ["legacy-extra"]
    assert any("type this dashboard does not know" in note for note in graph.notes)


def test_a_snapshot_without_context_or_graph_gives_notes_not_errors():
    graph = graph_of(ws.missing_context())
    assert graph.is_empty
    assert len(graph.notes) == 2
    assert graph.timeline.rows == []


@pytest.mark.parametrize("snapshot", [None, "text", [], {"context": "nope", "serializedStepGraph": {"a": 1}}])
def test_any_shape_builds_without_raising(snapshot):
    build_graph(snapshot)


def test_the_timeline_orders_steps_by_start_and_scales_them_to_the_axis():
    timeline = graph_of(ws.refund_success()).timeline
    assert [r.key for r in timeline.rows] == [
        "fetch-order",
        "check-fraud",
        "check-return-window",
        "manager-approval",
        "issue-refund",
    ]
    assert timeline.rows[0].x == 0
    assert all(r.x >= 0 and r.x + r.width <= TIMELINE_SCALE + 0.01 for r in timeline.rows)
    approval = timeline.rows[3]
    # Suspended for half an hour, then resumed: the pause covers nearly the whole axis.
    assert approval.pause_x is not None and approval.pause_width > 900
    assert timeline.rows[1].width >= 3  # tiny steps stay visible


def test_a_running_step_is_an_open_bar_to_the_end_of_the_axis():
    row = graph_of(ws.refund_running()).timeline.rows[-1]
    assert row.key == "manager-approval" and row.open_ended
    assert row.x + row.width == pytest.approx(TIMELINE_SCALE)


def test_errors_are_read_from_serialized_errors_and_plain_strings():
    error = parse_error(ws.stack("boom", "x.ts:1:1"))
    assert (error.name, error.message) == ("Error", "boom")
    assert error.stack.startswith("Error: boom\n    at x.ts:1:1")
    assert parse_error("Error: model returned invalid JSON").message == "Error: model returned invalid JSON"
    assert parse_error({"code": "E_TIMEOUT"}).extra == {"code": "E_TIMEOUT"}
    assert parse_error(None) is None


def _run(fixture):
    return WorkflowRun(
        fixture.workflow_name,
        fixture.run_id,
        fixture.created_at,
        fixture.updated_at or fixture.created_at + timedelta(seconds=2),
        fixture.snapshot,
        fixture.resource_id,
    )


def test_a_finished_runs_duration_comes_from_its_step_times():
    summary = summarize(_run(ws.refund_success()))
    assert summary.duration_final
    assert summary.duration_ms == ws.at(1_801_912) - ws.at(10)
    assert summary.result["refundId"] == "re_3f9a1c7d2b8e"


def test_a_suspended_runs_duration_runs_to_the_suspension():
    summary = summarize(_run(ws.refund_suspended()))
    assert not summary.duration_final and summary.ended_at is None
    assert summary.duration_ms == 655 - 10


def test_a_run_without_step_times_falls_back_to_its_record_times():
    fixture = ws.onboarding_pending()
    summary = summarize(_run(fixture))
    assert summary.duration_ms == 2_000
    assert summary.live
