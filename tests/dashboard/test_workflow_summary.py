"""dashboard.workflows.summary and records: a run's status and duration, and step errors as stored (no Django)."""

from __future__ import annotations

from datetime import timedelta

from dashboard.workflows.records import parse_error
from dashboard.workflows.summary import summarize
from storeclient.models import WorkflowRun

from . import workflow_snapshots as ws


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
