"""dashboard.workflows.waits: why a suspended or waiting run is stopped, step by step (no Django)."""

from __future__ import annotations

from dashboard.workflows.graph import build_graph

from . import workflow_snapshots as ws


def graph_of(fixture):
    return build_graph(fixture.snapshot)


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


def test_a_step_whose_record_says_suspended_is_a_wait_even_without_a_suspended_path():
    snapshot = {**ws.refund_suspended().snapshot, "suspendedPaths": {}}
    [wait] = build_graph(snapshot).waits
    assert (wait.key, wait.kind, wait.path) == ("manager-approval", "suspended", ())
    assert wait.resume_labels == (("approve", None), ("reject", None))


def test_a_step_named_by_both_path_maps_is_a_suspended_wait_once():
    fixture = ws.refund_suspended()
    snapshot = {**fixture.snapshot, "waitingPaths": dict(fixture.snapshot["suspendedPaths"])}
    assert [(w.key, w.kind) for w in build_graph(snapshot).waits] == [("manager-approval", "suspended")]
