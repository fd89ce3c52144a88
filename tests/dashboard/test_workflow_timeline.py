"""dashboard.workflows.timeline: every recorded step as a bar on one time axis (no Django)."""

from __future__ import annotations

import pytest

from dashboard.workflows.graph import build_graph
from dashboard.workflows.timeline import TIMELINE_SCALE

from . import workflow_snapshots as ws


def graph_of(fixture):
    return build_graph(fixture.snapshot)


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
