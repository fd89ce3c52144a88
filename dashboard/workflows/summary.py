"""A run's status, start, end and duration for the top of its page, the runs list and the overview.

Everything that depends on how long ago something happened takes ``now`` from the caller, so a page
says "suspended for 4 h" of the moment it is rendered (and tests can freeze that moment).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

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
from .waits import wake_time_ms

#: The stuck threshold when the caller gives none (the settings' default).
DEFAULT_STUCK_AFTER = timedelta(minutes=60)


def summarize(
    run: WorkflowRun, *, now: datetime | None = None, stuck_after: timedelta = DEFAULT_STUCK_AFTER
) -> RunSummary:
    """Status, start, end and duration of a run, from the step times in its snapshot when it has
    them (they are exact; the record's ``createdAt``/``updatedAt`` are when the snapshot was saved),
    else from the record's timestamps.

    With ``now``: a live run (running, pending, waiting) silent for longer than ``stuck_after`` is
    ``stale``; a suspended run says how long it has waited; a sleeping run whose wake time has
    passed says when it should have woken; and a live run's duration runs to ``now``.
    """
    snapshot = run.snapshot if isinstance(run.snapshot, Mapping) else {}
    status = run.status
    context = snapshot.get("context")
    times: list[int] = []
    starts: list[int] = []
    suspensions: list[int] = []
    if isinstance(context, Mapping):
        for key, value in context.items():
            record = parse_record(str(key), value) if key not in CONTEXT_RESERVED else None
            if record is None:
                continue
            if record.started_at is not None:
                starts.append(record.started_at)
            if record.status == "suspended" and record.suspended_at is not None:
                suspensions.append(record.suspended_at)
            times += [t for t in (record.ended_at, record.suspended_at, record.resumed_at) if t is not None]
    created_ms = _ms(run.created_at)
    updated_ms = _ms(run.updated_at)
    now_ms = _ms(now) if now is not None else None
    start_ms = min(starts) if starts else created_ms
    finished = status in FINISHED_STATUSES
    end_ms = max([*times, *starts]) if times or starts else updated_ms
    since_update = max(0, now_ms - updated_ms) if now_ms is not None else None
    stale = (
        status in LIVE_STATUSES
        and since_update is not None
        and since_update > stuck_after.total_seconds() * 1000
    )
    wake_ms = wake_time_ms(snapshot) if status == "waiting" else None
    overdue = wake_ms is not None and now_ms is not None and wake_ms < now_ms - 60_000
    note = ""
    if status in LIVE_STATUSES:
        if now_ms is not None and not stale and not overdue:
            end_ms, note = max(end_ms, now_ms), "so far"
        else:
            end_ms, note = max(end_ms, updated_ms), "until the last update"
    elif status == "suspended":
        note = "of work before it suspended"
    elif not finished:
        note = "until the last update"
    suspended_since = max(suspensions) if suspensions else updated_ms
    return RunSummary(
        status=status,
        started_at=parse_datetime(start_ms),
        ended_at=parse_datetime(end_ms) if finished else None,
        duration_ms=max(0, end_ms - start_ms),
        duration_final=finished,
        duration_note=note,
        has_result="result" in snapshot,
        result=snapshot.get("result"),
        error=parse_error(snapshot.get("error")),
        tripwire=snapshot.get("tripwire"),
        updated_at=run.updated_at,
        since_update_ms=since_update,
        stale=stale,
        suspended_ms=(
            max(0, now_ms - suspended_since) if status == "suspended" and now_ms is not None else None
        ),
        overdue_wake=parse_datetime(wake_ms) if overdue and wake_ms is not None else None,
    )


def stuck_after() -> timedelta:
    """How long a live run may go without a snapshot save before it "may be stuck" (a setting)."""
    return timedelta(minutes=settings.ATTENTION_RUN_STUCK_MINUTES)


def run_summary(run: WorkflowRun) -> RunSummary:
    """The run's summary as of now, with the configured stuck threshold (what every page shows)."""
    return summarize(run, now=timezone.now(), stuck_after=stuck_after())


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
