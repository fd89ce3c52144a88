"""A run's status, start, end and duration for the top of its page and the runs list."""

from __future__ import annotations

from collections.abc import Mapping

from storeclient.codec import parse_datetime
from storeclient.models import WorkflowRun

from .records import (
    CONTEXT_RESERVED,
    FINISHED_STATUSES,
    LIVE_STATUSES,
    RunSummary,
    parse_error,
    parse_record,
)


def summarize(run: WorkflowRun) -> RunSummary:
    """Status, start, end and duration of a run, from the step times in its snapshot when it has
    them (they are exact; the record's ``createdAt``/``updatedAt`` are when the snapshot was saved),
    else from the record's timestamps."""
    snapshot = run.snapshot if isinstance(run.snapshot, Mapping) else {}
    status = run.status
    context = snapshot.get("context")
    times: list[int] = []
    starts: list[int] = []
    if isinstance(context, Mapping):
        for key, value in context.items():
            record = parse_record(str(key), value) if key not in CONTEXT_RESERVED else None
            if record is None:
                continue
            if record.started_at is not None:
                starts.append(record.started_at)
            times += [t for t in (record.ended_at, record.suspended_at, record.resumed_at) if t is not None]
    created_ms = int(run.created_at.timestamp() * 1000)
    updated_ms = int(run.updated_at.timestamp() * 1000)
    start_ms = min(starts) if starts else created_ms
    finished = status in FINISHED_STATUSES
    end_ms = max([*times, *starts]) if times or starts else updated_ms
    if status in LIVE_STATUSES:
        # Still moving: the duration so far runs to the last save.
        end_ms = max(end_ms, updated_ms)
    duration = max(0, end_ms - start_ms)
    return RunSummary(
        status=status,
        started_at=parse_datetime(start_ms),
        ended_at=parse_datetime(end_ms) if finished else None,
        duration_ms=duration,
        duration_final=finished,
        has_result="result" in snapshot,
        result=snapshot.get("result"),
        error=parse_error(snapshot.get("error")),
        tripwire=snapshot.get("tripwire"),
    )
