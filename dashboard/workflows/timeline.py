"""Every recorded step of a run as a bar on one time axis (0 to ``TIMELINE_SCALE`` units)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .records import StepRecord, Timeline, TimelineRow

#: The timeline's width in SVG user units.
TIMELINE_SCALE = 1000
#: Step statuses whose bar runs on to the end of the axis while they have no ``endedAt``.
_OPEN_STATUSES = frozenset({"running", "waiting", "suspended", "paused", "pending"})
#: Narrowest bar drawn, in those units, so a 1 ms step is still visible.
MIN_BAR = 3.0


def build_timeline(records: Iterable[StepRecord], *, end_hint: int | None = None) -> Timeline:
    """Bars for every record with a ``startedAt``, ordered by start; open-ended bars (running,
    suspended, waiting) run to the latest time the snapshot knows (``end_hint``: its timestamp)."""
    timed = [r for r in records if r.started_at is not None]
    if not timed:
        return Timeline(rows=[])
    timed.sort(key=lambda r: (r.started_at or 0, r.step_id))
    start = min(r.started_at for r in timed if r.started_at is not None)
    known = [
        t for r in timed for t in (r.started_at, r.ended_at, r.suspended_at, r.resumed_at) if t is not None
    ]
    end = max([*known, *([end_hint] if end_hint is not None else [])])
    span = max(1, end - start)

    def x_of(ms: int) -> float:
        return round((ms - start) / span * TIMELINE_SCALE, 2)

    return Timeline(rows=[_row(r, end, x_of) for r in timed], start_ms=start, end_ms=end)


def _row(r: StepRecord, end: int, x_of: Callable[[int], float]) -> TimelineRow:
    """One step's bar; ``end`` is the axis's last moment, ``x_of`` places a time on the axis."""
    assert r.started_at is not None
    open_ended = r.ended_at is None and r.status in _OPEN_STATUSES
    if r.ended_at is not None:
        bar_end = r.ended_at
    elif open_ended:
        bar_end = end
    else:
        bar_end = r.suspended_at if r.suspended_at is not None else r.started_at
    x = min(x_of(r.started_at), TIMELINE_SCALE - MIN_BAR)
    width = max(MIN_BAR, min(x_of(bar_end) - x, TIMELINE_SCALE - x))
    pause_x = pause_w = None
    pause_open = r.suspended_at is not None and r.resumed_at is None and r.status == "suspended"
    if r.suspended_at is not None:
        pause_end = r.resumed_at if r.resumed_at is not None else (end if r.status == "suspended" else None)
        if pause_end is not None and pause_end >= r.suspended_at:
            pause_x = x_of(r.suspended_at)
            pause_w = max(MIN_BAR / 2, x_of(pause_end) - pause_x)
    return TimelineRow(
        key=r.step_id,
        label=r.step_id,
        status=r.status,
        start_ms=r.started_at,
        end_ms=r.ended_at if r.ended_at is not None else r.suspended_at,
        x=x,
        width=round(width, 2),
        pause_x=pause_x,
        pause_width=None if pause_w is None else round(pause_w, 2),
        open_ended=open_ended,
        pause_open=pause_open,
    )
