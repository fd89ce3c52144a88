"""dashboard.workflows.graph: a snapshot turned into a tree of nodes, with notes for what it lacks (no Django)."""

from __future__ import annotations

import pytest

from dashboard.workflows.graph import build_graph, foreach_items, nested_workflow_ids
from dashboard.workflows.records import NOT_REACHED, UNRECORDED, parse_record

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


@pytest.mark.parametrize("meta", ["run-7b8c9d0e", ["send-tips"], 3])
def test_a_nested_workflow_whose_bookkeeping_is_not_an_object_draws_with_no_suspend_path(meta):
    fixture = ws.onboarding_nested_suspended()
    fixture.snapshot["context"]["welcome-sequence"]["suspendPayload"]["__workflow_meta"] = meta
    graph = graph_of(fixture)
    assert [c.status for c in graph.step("welcome-sequence").children] == [UNRECORDED] * 3
    [wait] = graph.waits
    assert (wait.key, wait.nested_path) == ("welcome-sequence", ())


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
