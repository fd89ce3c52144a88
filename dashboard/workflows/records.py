"""The typed records the workflow run page renders, and the parsing of a snapshot's step results.

Every class here is a plain value the templates read attributes from: a step result
(``StepRecord``), a node of the step graph (``Node``), a timeline bar (``TimelineRow``), a reason a
run is stopped (``WaitReason``), the whole graph (``RunGraph``) and the run's summary
(``RunSummary``). The modules beside this one build them: ``graph`` (nodes), ``timeline``,
``waits`` and ``summary``.

Snapshots come from many Mastra versions and from tests that persist arbitrary shapes, so nothing
here assumes a key exists or has the documented type: missing or malformed parts become notes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storeclient.codec import parse_datetime
from storeclient.models import RUN_STATUSES

#: A step (or item) the run has not got to, or whose record this snapshot does not hold.
NOT_REACHED = "not-reached"
#: A nested workflow's step when neither the nested run's snapshot nor the parent holds its record.
UNRECORDED = "unrecorded"

#: A foreach item of a step that stopped (failed, canceled) whose own outcome the snapshot does not
#: hold: it may have succeeded, failed or never started.
NO_RESULT = "no-result"

#: Statuses Mastra writes for runs and steps (WorkflowRunState.status, StepResult.status).
KNOWN_STATUSES = frozenset(RUN_STATUSES)
#: Run statuses whose page refreshes itself: the run is still moving without anyone acting.
LIVE_STATUSES = frozenset({"running", "pending", "waiting"})
#: Run statuses after which nothing more happens.
FINISHED_STATUSES = frozenset({"success", "failed", "tripwire", "canceled", "bailed"})

#: Which of a step result's fields the step panel shows, in this order, with their labels.
RECORD_FIELDS: tuple[tuple[str, str], ...] = (
    ("payload", "Payload (input)"),
    ("output", "Output"),
    ("suspendPayload", "Suspend payload"),
    ("suspendOutput", "Suspend output"),
    ("resumePayload", "Resume payload"),
    ("tripwire", "Tripwire"),
    ("metadata", "Metadata"),
)
_TIMING_FIELDS = ("startedAt", "endedAt", "suspendedAt", "resumedAt")
#: Keys of ``context`` that are not step results.
CONTEXT_RESERVED = frozenset({"input", "__state"})
#: Severity order used when one status stands for several (a parallel block, a run's duration).
STATUS_PRECEDENCE = (
    "failed",
    "tripwire",
    "suspended",
    "running",
    "waiting",
    "paused",
    "pending",
    "canceled",
    "bailed",
)


def status_slug(status: Any) -> str:
    """The CSS-safe status name: a known status, ``not-reached``/``unrecorded``, else ``unknown``."""
    if status in KNOWN_STATUSES or status in (NOT_REACHED, UNRECORDED):
        return str(status)
    if status == NO_RESULT:
        return UNRECORDED
    return "unknown"


def status_text(status: Any) -> str:
    if status == NOT_REACHED:
        return "not reached"
    if status == UNRECORDED:
        return "not in this snapshot"
    if status == NO_RESULT:
        return "no result recorded"
    if status in (None, ""):
        return "unknown"
    return str(status)


def status_counts(statuses: Iterable[str]) -> list[tuple[str, str, int]]:
    """``(status class, label, count)`` per status, most severe first, unknown ones last."""
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    order = [*STATUS_PRECEDENCE, "success", NO_RESULT, UNRECORDED, NOT_REACHED]
    ranked = sorted(counts, key=lambda s: order.index(s) if s in order else len(order))
    return [(status_slug(s), status_text(s), counts[s]) for s in ranked]


def epoch_ms(value: Any) -> int | None:
    """An epoch-milliseconds field, or ``None`` when absent or not a finite number."""
    if type(value) is int:  # not bool
        return value
    if type(value) is float and math.isfinite(value):
        return int(value)
    return None


def as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


# --- errors ---------------------------------------------------------------------------------------


class HasStatus:
    """The CSS class and the words for a record's ``status`` (step, node, item, bar, run)."""

    status: Any

    @property
    def status_class(self) -> str:
        return status_slug(self.status)

    @property
    def status_label(self) -> str:
        return status_text(self.status)


@dataclass(frozen=True)
class ErrorInfo:
    """A ``SerializedError`` (``{name, message, stack?, cause?, …}``) or the plain string older
    Mastra versions stored."""

    message: str
    name: str = ""
    stack: str = ""
    #: Other own properties (``cause``, ``code``, ``details`` …) as they were stored.
    extra: Mapping[str, Any] = field(default_factory=dict)


def parse_error(value: Any) -> ErrorInfo | None:
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, str):
        return ErrorInfo(message=value)
    if isinstance(value, Mapping):
        extra = {k: v for k, v in value.items() if k not in ("message", "name", "stack")}
        message = value.get("message")
        return ErrorInfo(
            message=as_text(message) if message is not None else as_text(dict(value)),
            name=as_text(value.get("name")),
            stack=as_text(value.get("stack")),
            extra=extra,
        )
    return ErrorInfo(message=as_text(value))


# --- step records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepRecord:
    """One ``context[stepId]`` entry (a ``StepResult``)."""

    step_id: str
    status: str
    raw: Mapping[str, Any]
    error: ErrorInfo | None = None
    started_at: int | None = None
    ended_at: int | None = None
    suspended_at: int | None = None
    resumed_at: int | None = None

    @property
    def fields(self) -> list[tuple[str, str, Any]]:
        """``(key, label, value)`` for each present field of ``RECORD_FIELDS``."""
        return [(key, label, self.raw[key]) for key, label in RECORD_FIELDS if key in self.raw]

    @property
    def other_fields(self) -> dict[str, Any]:
        """Fields Mastra may add that the panel has no section for (shown as raw JSON)."""
        known = {key for key, _ in RECORD_FIELDS} | set(_TIMING_FIELDS) | {"status", "error"}
        return {k: v for k, v in self.raw.items() if k not in known}

    @property
    def duration_ms(self) -> int | None:
        end = self.ended_at if self.ended_at is not None else self.suspended_at
        if self.started_at is None or end is None:
            return None
        return max(0, end - self.started_at)

    @property
    def waited_ms(self) -> int | None:
        """Time spent suspended before a resume."""
        if self.suspended_at is None or self.resumed_at is None:
            return None
        return max(0, self.resumed_at - self.suspended_at)

    @property
    def timings(self) -> list[tuple[str, datetime]]:
        labels = {
            "startedAt": "Started",
            "suspendedAt": "Suspended",
            "resumedAt": "Resumed",
            "endedAt": "Ended",
        }
        values = {
            "startedAt": self.started_at,
            "suspendedAt": self.suspended_at,
            "resumedAt": self.resumed_at,
            "endedAt": self.ended_at,
        }
        return [(labels[k], parse_datetime(v)) for k, v in values.items() if v is not None]


def parse_record(step_id: str, value: Any) -> StepRecord | None:
    """A step result, or ``None`` when ``value`` is not one (no ``status``)."""
    if not isinstance(value, Mapping) or "status" not in value:
        return None
    return StepRecord(
        step_id=step_id,
        status=as_text(value.get("status")) or "unknown",
        raw=value,
        error=parse_error(value.get("error")),
        started_at=epoch_ms(value.get("startedAt")),
        ended_at=epoch_ms(value.get("endedAt")),
        suspended_at=epoch_ms(value.get("suspendedAt")),
        resumed_at=epoch_ms(value.get("resumedAt")),
    )


def workflow_meta(holder: Any) -> Mapping[str, Any] | None:
    """Mastra's bookkeeping in a step's ``suspendPayload`` or ``metadata`` (``__workflow_meta``:
    a nested suspend ``path``, a foreach's ``foreachOutput`` and ``resumeLabels``), when it is an object."""
    meta = holder.get("__workflow_meta") if isinstance(holder, Mapping) else None
    return meta if isinstance(meta, Mapping) else None


def suspend_path(record: StepRecord | None) -> tuple[str, ...]:
    """For a step that suspended inside a nested workflow: the step ids from the nested workflow
    down to the step that called ``suspend()`` (``__workflow_meta.path``), else ``()``."""
    meta = workflow_meta(record.raw.get("suspendPayload")) if record is not None else None
    path_ids = meta.get("path") if meta is not None else None
    return tuple(str(p) for p in path_ids) if isinstance(path_ids, list) else ()


# --- nodes ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A branch's or loop's condition: its id and the function's source as Mastra serialised it."""

    id: str
    fn: str


@dataclass(frozen=True)
class ForeachItem(HasStatus):
    index: int
    status: str
    error: ErrorInfo | None = None


@dataclass
class Node(HasStatus):
    """One drawn element of the step graph.

    ``kind`` is the ``SerializedStepFlowEntry`` type (``step``, ``parallel``, ``conditional``,
    ``loop``, ``foreach``, ``sleep``, ``sleepUntil``, ``waitForEvent``), ``workflow`` for a step
    whose component is a nested workflow, or ``unknown``. ``key`` selects the step panel (``""`` for
    containers); nested steps are keyed ``"<nested id>.<step id>"``.
    """

    kind: str
    label: str
    path: tuple[int, ...]
    status: str = NOT_REACHED
    key: str = ""
    description: str = ""
    record: StepRecord | None = None
    children: list[Node] = field(default_factory=list)
    condition: Condition | None = None
    loop_type: str = ""
    concurrency: int | None = None
    items: list[ForeachItem] = field(default_factory=list)
    sleep_ms: int | None = None
    until: str = ""
    fn: str = ""
    event: str = ""
    timeout_ms: int | None = None
    map_config: str = ""
    can_suspend: bool = False
    raw: Any = None
    #: ``active`` / ``suspended`` / ``waiting`` when the run's paths lead through this node.
    highlights: tuple[str, ...] = ()
    #: For ``workflow`` nodes: whether the nested run's own snapshot supplied the step statuses.
    nested_snapshot: bool = False
    depth: int = 0

    @property
    def path_text(self) -> str:
        return ".".join(str(p) for p in self.path)

    @property
    def is_container(self) -> bool:
        return self.kind in ("parallel", "conditional")

    @property
    def item_counts(self) -> list[tuple[str, str, int]]:
        """``(status class, label, count)`` of foreach items, most severe first."""
        return status_counts(item.status for item in self.items)

    @property
    def branch_counts(self) -> list[tuple[str, str, int]]:
        """``(status class, label, count)`` of a parallel or conditional block's branches."""
        return status_counts(child.status for child in self.children)

    def walk(self) -> Iterable[Node]:
        """This node and every node below it, depth first, in drawing order (a loop: no recursion)."""
        pending = [self]
        while pending:
            node = pending.pop()
            yield node
            pending.extend(reversed(node.children))


# --- timeline -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow(HasStatus):
    key: str
    label: str
    status: str
    start_ms: int
    end_ms: int | None
    #: Bar position and width in ``timeline.TIMELINE_SCALE`` units.
    x: float
    width: float
    #: The suspended stretch (suspendedAt → resumedAt, or to the end while still suspended).
    pause_x: float | None = None
    pause_width: float | None = None
    #: True when the step has no end yet and the bar runs to the end of the axis.
    open_ended: bool = False
    #: True when the suspended stretch has not ended (still waiting for a resume).
    pause_open: bool = False

    @property
    def duration_ms(self) -> int | None:
        return None if self.end_ms is None else max(0, self.end_ms - self.start_ms)


@dataclass(frozen=True)
class Timeline:
    rows: list[TimelineRow]
    start_ms: int | None = None
    end_ms: int | None = None

    @property
    def span_ms(self) -> int:
        if self.start_ms is None or self.end_ms is None:
            return 0
        return max(0, self.end_ms - self.start_ms)

    @property
    def has_pauses(self) -> bool:
        return any(row.pause_x is not None for row in self.rows)

    @property
    def has_open_pauses(self) -> bool:
        """A step is suspended now (the legend says "waiting for a resume" only then)."""
        return any(row.pause_x is not None and row.pause_open for row in self.rows)

    @property
    def has_closed_pauses(self) -> bool:
        """A step was suspended and has been resumed since."""
        return any(row.pause_x is not None and not row.pause_open for row in self.rows)


# --- why a run is stopped -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitReason:
    """A step the run is stopped at: suspended (waiting for ``resume``) or waiting (sleep, event)."""

    key: str
    kind: str  # "suspended" or "waiting"
    record: StepRecord | None
    node: Node | None
    #: ``(label, foreach index or None)`` for each resume label pointing at this step.
    resume_labels: tuple[tuple[str, int | None], ...] = ()
    #: Inside a nested workflow: the ids from the nested workflow down to the step that suspended.
    nested_path: tuple[str, ...] = ()
    path: tuple[int, ...] = ()
    #: The event a legacy ``waitForEvent`` step waits for (``waitingPaths`` is keyed by it).
    event: str = ""

    @property
    def suspend_payload(self) -> Any:
        """The payload without Mastra's bookkeeping key (shown separately when present)."""
        if self.record is None:
            return None
        payload = self.record.raw.get("suspendPayload")
        if isinstance(payload, Mapping) and "__workflow_meta" in payload:
            return {k: v for k, v in payload.items() if k != "__workflow_meta"}
        return payload

    @property
    def has_suspend_payload(self) -> bool:
        return self.record is not None and "suspendPayload" in self.record.raw


# --- the graph -------------------------------------------------------------------------------------------


@dataclass
class RunGraph:
    nodes: list[Node]
    #: Steps recorded in ``context`` that the graph does not contain (old graph, foreign shapes).
    other_steps: list[Node]
    timeline: Timeline
    waits: list[WaitReason]
    notes: list[str]
    #: Every selectable node by its key.
    steps: dict[str, Node]

    @property
    def is_empty(self) -> bool:
        return not self.nodes and not self.other_steps

    def step(self, key: str) -> Node | None:
        return self.steps.get(key)


# --- run summary ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary(HasStatus):
    status: str | None
    started_at: datetime
    ended_at: datetime | None
    #: Milliseconds from the first step's start to the moment ``duration_note`` names.
    duration_ms: int | None
    #: False while the run can still move (the duration is not final).
    duration_final: bool
    #: What ``duration_ms`` measures when it is not simply start to end ("so far", "of work before
    #: it suspended", "until the last update"); "" for a finished run.
    duration_note: str = ""
    has_result: bool = False
    result: Any = None
    error: ErrorInfo | None = None
    tripwire: Any = None
    #: When the snapshot was last saved, and how long before "now" that was.
    updated_at: datetime | None = None
    since_update_ms: int | None = None
    #: A live run whose snapshot has not been saved for longer than the stuck threshold.
    stale: bool = False
    #: How long a suspended run has been waiting for a resume (from its step's ``suspendedAt``).
    suspended_ms: int | None = None
    #: A sleeping run whose wake time has passed: when it should have woken.
    overdue_wake: datetime | None = None

    @property
    def live(self) -> bool:
        """Whether the page should keep refreshing: the run can move by itself and still does
        (a run silent past the stuck threshold stops the polling)."""
        return self.status in LIVE_STATUSES and not self.stale and self.overdue_wake is None

    @property
    def needs_attention(self) -> bool:
        return self.stale or self.overdue_wake is not None

    @property
    def has_state_note(self) -> bool:
        """Whether there is more to say than the status (``workflows/run_state.html``)."""
        return self.needs_attention or self.suspended_ms is not None
