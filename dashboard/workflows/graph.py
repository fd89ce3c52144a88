"""A Mastra workflow snapshot (``WorkflowRunState``) as a tree of nodes the run page draws.

Plain Python, no Django, so every rule here is tested without templates. The page asks for
``build_graph(snapshot)`` and renders what comes back:

* ``RunGraph.nodes`` — the ``serializedStepGraph`` as a tree: sequential steps, parallel and
  conditional branches, loops, foreach (with a status per item), sleeps, nested workflows (their own
  flow inside), legacy ``waitForEvent``, and ``unknown`` nodes carrying the raw entry for anything
  else. Each node has the status of its ``context[stepId]`` record, or ``not-reached``.
* ``RunGraph.timeline`` — every recorded step as a bar on one time axis (0-1000 units).
* ``RunGraph.waits`` — why a suspended or waiting run is stopped, step by step.

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
from storeclient.models import RUN_STATUSES, WorkflowRun

#: A step (or item) the run has not got to, or whose record this snapshot does not hold.
NOT_REACHED = "not-reached"
#: A nested workflow's step when neither the nested run's snapshot nor the parent holds its record.
UNRECORDED = "unrecorded"

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
_CONTEXT_RESERVED = frozenset({"input", "__state"})
#: The timeline's width in SVG user units.
TIMELINE_SCALE = 1000
#: Step statuses whose bar runs on to the end of the axis while they have no ``endedAt``.
_OPEN_STATUSES = frozenset({"running", "waiting", "suspended", "paused", "pending"})
#: Narrowest bar drawn, in those units, so a 1 ms step is still visible.
MIN_BAR = 3.0
#: Severity order used when one status stands for several (a parallel block, a run's duration).
_PRECEDENCE = (
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
    return "unknown"


def status_text(status: Any) -> str:
    if status == NOT_REACHED:
        return "not reached"
    if status == UNRECORDED:
        return "not in this snapshot"
    if status in (None, ""):
        return "unknown"
    return str(status)


def _ms(value: Any) -> int | None:
    """An epoch-milliseconds field, or ``None`` when absent or not a finite number."""
    if type(value) is int:  # not bool
        return value
    if type(value) is float and math.isfinite(value):
        return int(value)
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


# --- errors ---------------------------------------------------------------------------------------


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
            message=_text(message) if message is not None else _text(dict(value)),
            name=_text(value.get("name")),
            stack=_text(value.get("stack")),
            extra=extra,
        )
    return ErrorInfo(message=_text(value))


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
        status=_text(value.get("status")) or "unknown",
        raw=value,
        error=parse_error(value.get("error")),
        started_at=_ms(value.get("startedAt")),
        ended_at=_ms(value.get("endedAt")),
        suspended_at=_ms(value.get("suspendedAt")),
        resumed_at=_ms(value.get("resumedAt")),
    )


# --- nodes ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A branch's or loop's condition: its id and the function's source as Mastra serialised it."""

    id: str
    fn: str


@dataclass(frozen=True)
class ForeachItem:
    index: int
    status: str
    error: ErrorInfo | None = None

    @property
    def status_class(self) -> str:
        return status_slug(self.status)

    @property
    def status_label(self) -> str:
        return status_text(self.status)


@dataclass
class Node:
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
    def status_class(self) -> str:
        return status_slug(self.status)

    @property
    def status_label(self) -> str:
        return status_text(self.status)

    @property
    def path_text(self) -> str:
        return ".".join(str(p) for p in self.path)

    @property
    def is_container(self) -> bool:
        return self.kind in ("parallel", "conditional")

    @property
    def item_counts(self) -> list[tuple[str, str, int]]:
        """``(status class, label, count)`` of foreach items, most severe first."""
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.status] = counts.get(item.status, 0) + 1
        order = [*_PRECEDENCE, "success", NOT_REACHED]
        ranked = sorted(counts, key=lambda s: order.index(s) if s in order else len(order))
        return [(status_slug(s), status_text(s), counts[s]) for s in ranked]

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


# --- timeline -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    key: str
    label: str
    status: str
    start_ms: int
    end_ms: int | None
    #: Bar position and width in ``TIMELINE_SCALE`` units.
    x: float
    width: float
    #: The suspended stretch (suspendedAt → resumedAt, or to the end while still suspended).
    pause_x: float | None = None
    pause_width: float | None = None
    #: True when the step has no end yet and the bar runs to the end of the axis.
    open_ended: bool = False

    @property
    def status_class(self) -> str:
        return status_slug(self.status)

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

    rows = []
    for r in timed:
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
        if r.suspended_at is not None:
            pause_end = (
                r.resumed_at if r.resumed_at is not None else (end if r.status == "suspended" else None)
            )
            if pause_end is not None and pause_end >= r.suspended_at:
                pause_x = x_of(r.suspended_at)
                pause_w = max(MIN_BAR / 2, x_of(pause_end) - pause_x)
        rows.append(
            TimelineRow(
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
            )
        )
    return Timeline(rows=rows, start_ms=start, end_ms=end)


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


def _paths(value: Any) -> list[tuple[int, ...]]:
    """One execution path (``[2, 0]``) as a tuple, ignoring the object form very old data used."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return [tuple(value)]
    return []


@dataclass
class _Level:
    """What one flow (the run's, or a nested workflow's) needs to colour its nodes."""

    context: Mapping[str, Any]
    key_prefix: str = ""
    #: Where to look when ``context`` lacks a step (a nested flow without its own snapshot).
    fallback: Mapping[str, Any] = field(default_factory=dict)
    active: list[tuple[int, ...]] = field(default_factory=list)
    suspended: list[tuple[int, ...]] = field(default_factory=list)
    waiting: list[tuple[int, ...]] = field(default_factory=list)
    active_ids: set[str] = field(default_factory=set)
    suspended_ids: set[str] = field(default_factory=set)
    waiting_ids: set[str] = field(default_factory=set)
    #: For a nested flow known only from the parent: the suspended path below this level.
    meta_path: tuple[str, ...] = ()
    #: Whether the workflow step holding this flow ran (then a missing record is "unrecorded").
    parent_reached: bool = False
    #: Whether ``context`` is the nested run's own snapshot (not a stand-in built from the parent).
    own_snapshot: bool = False
    depth: int = 0
    _records: dict[str, StepRecord | None] = field(default_factory=dict)

    @staticmethod
    def of(snapshot: Mapping[str, Any], *, key_prefix: str = "", depth: int = 0) -> _Level:
        context = snapshot.get("context")
        level = _Level(
            context=context if isinstance(context, Mapping) else {}, key_prefix=key_prefix, depth=depth
        )
        level.active += _paths(snapshot.get("activePaths"))
        for name, attr, ids in (
            ("activeStepsPath", level.active, level.active_ids),
            ("suspendedPaths", level.suspended, level.suspended_ids),
            ("waitingPaths", level.waiting, level.waiting_ids),
        ):
            mapping = snapshot.get(name)
            if isinstance(mapping, Mapping):
                for step_id, path in mapping.items():
                    ids.add(str(step_id))
                    attr.extend(_paths(path))
        return level

    def record(self, step_id: str) -> StepRecord | None:
        if step_id in self._records:
            return self._records[step_id]
        found = self._records[step_id] = self._lookup(step_id)
        return found

    def _lookup(self, step_id: str) -> StepRecord | None:
        found = parse_record(step_id, self.context.get(step_id))
        if found is None and self.fallback:
            # Some engines record a nested step in the parent's context as "<nested id>.<step id>";
            # without the nested run's own snapshot, a bare id there may be it too.
            candidates = [f"{self.key_prefix}{step_id}"] + ([] if self.own_snapshot else [step_id])
            for candidate in candidates:
                found = parse_record(step_id, self.fallback.get(candidate))
                if found is not None:
                    break
        return found

    def highlights(self, path: tuple[int, ...], step_id: str | None) -> tuple[str, ...]:
        marks = []
        for name, paths, ids in (
            ("active", self.active, self.active_ids),
            ("suspended", self.suspended, self.suspended_ids),
            ("waiting", self.waiting, self.waiting_ids),
        ):
            on_path = any(p[: len(path)] == path for p in paths)
            if on_path or (step_id is not None and step_id in ids):
                marks.append(name)
        if (
            step_id is not None
            and self.meta_path
            and self.meta_path[0] == step_id
            and "suspended" not in marks
        ):
            marks.append("suspended")
        return tuple(marks)


class _Builder:
    def __init__(self, nested: Mapping[str, Mapping[str, Any]]) -> None:
        self.nested = nested
        self.steps: dict[str, Node] = {}
        self.seen_ids: set[tuple[str, str]] = set()
        self.notes: list[str] = []

    # Each entry type becomes one node; children inherit the level (and path) of their parent.

    def flow(self, entries: Any, level: _Level, prefix: tuple[int, ...] = ()) -> list[Node]:
        if not isinstance(entries, list):
            return []
        return [self.entry(entry, level, (*prefix, i)) for i, entry in enumerate(entries)]

    def entry(self, entry: Any, level: _Level, path: tuple[int, ...]) -> Node:
        kind = entry.get("type") if isinstance(entry, Mapping) else None
        if kind == "step":
            return self.step(entry.get("step"), level, path, entry)
        if kind in ("parallel", "conditional"):
            return self.branches(entry, kind, level, path)
        if kind == "loop":
            return self.loop(entry, level, path)
        if kind == "foreach":
            return self.foreach(entry, level, path)
        if kind in ("sleep", "sleepUntil"):
            return self.sleep(entry, kind, level, path)
        if kind == "waitForEvent":
            node = self.step(entry.get("step"), level, path, entry)
            node.kind = "waitForEvent" if node.kind == "step" else node.kind
            node.event = _text(entry.get("event"))
            node.timeout_ms = _ms(entry.get("timeout"))
            return node
        return self.unknown(entry, level, path)

    def unknown(self, entry: Any, level: _Level, path: tuple[int, ...]) -> Node:
        kind = entry.get("type") if isinstance(entry, Mapping) else None
        label = f"unknown entry type {kind!r}" if kind is not None else "unrecognised entry"
        return Node(
            kind="unknown",
            label=label,
            path=path,
            status="unknown",
            raw=entry,
            highlights=level.highlights(path, None),
            depth=level.depth,
        )

    def _register(self, node: Node, level: _Level) -> None:
        if node.key and node.key not in self.steps:
            self.steps[node.key] = node

    def _status(self, record: StepRecord | None, level: _Level, step_id: str) -> str:
        if record is not None:
            return record.status
        if level.meta_path and level.meta_path[0] == step_id:
            return "suspended"
        return UNRECORDED if level.parent_reached else NOT_REACHED

    def step(
        self, step: Any, level: _Level, path: tuple[int, ...], entry: Mapping[str, Any] | None = None
    ) -> Node:
        if not isinstance(step, Mapping) or not isinstance(step.get("id"), str):
            return self.unknown(entry if entry is not None else step, level, path)
        step_id = step["id"]
        record = level.record(step_id)
        node = Node(
            kind="step",
            label=step_id,
            path=path,
            key=level.key_prefix + step_id,
            status=self._status(record, level, step_id),
            description=_text(step.get("description")),
            record=record,
            map_config=_text(step.get("mapConfig")),
            can_suspend=bool(step.get("canSuspend")),
            highlights=level.highlights(path, step_id),
            depth=level.depth,
        )
        if step.get("component") == "WORKFLOW" or "serializedStepFlow" in step:
            node.kind = "workflow"
            node.children, node.nested_snapshot = self.nested_flow(step_id, step, record, level)
        self._register(node, level)
        return node

    def nested_flow(
        self, step_id: str, step: Mapping[str, Any], record: StepRecord | None, level: _Level
    ) -> tuple[list[Node], bool]:
        prefix = f"{level.key_prefix}{step_id}."
        own = self.nested.get(step_id) if level.depth == 0 else None
        if isinstance(own, Mapping):
            child = _Level.of(own, key_prefix=prefix, depth=level.depth + 1)
            child.fallback, child.own_snapshot = level.context, True
        else:
            # Only the parent's record: a suspended nested step names its path in __workflow_meta.
            meta: Any = (record.raw.get("suspendPayload") if record else None) or {}
            meta_path = meta.get("__workflow_meta", {}).get("path") if isinstance(meta, Mapping) else None
            ids = tuple(str(p) for p in meta_path) if isinstance(meta_path, list) else ()
            if ids and ids[0] == step_id:
                ids = ids[1:]
            if record is None and level.meta_path[:1] == (step_id,):
                ids = level.meta_path[1:]  # deeper nesting: the path continues below this workflow
            elif record is None or record.status != "suspended":
                ids = ()
            child = _Level(
                context={},
                key_prefix=prefix,
                fallback=level.fallback if level.depth else level.context,
                meta_path=ids,
                parent_reached=record is not None,
                depth=level.depth + 1,
            )
        return self.flow(step.get("serializedStepFlow"), child), isinstance(own, Mapping)

    def branches(self, entry: Mapping[str, Any], kind: str, level: _Level, path: tuple[int, ...]) -> Node:
        children = self.flow(entry.get("steps"), level, path)
        if kind == "conditional":
            conditions = entry.get("serializedConditions")
            if isinstance(conditions, list):
                for child, cond in zip(children, conditions, strict=False):
                    if isinstance(cond, Mapping):
                        child.condition = Condition(_text(cond.get("id")), _text(cond.get("fn")))
        statuses = [c.status for c in children]
        status = _aggregate(statuses)
        label = f"{len(children)} branch{'es' if len(children) != 1 else ''}"
        if kind == "conditional":
            taken = sum(1 for s in statuses if s not in (NOT_REACHED, UNRECORDED))
            label = f"{len(children)} condition{'s' if len(children) != 1 else ''}" + (
                f", {taken} taken" if taken else ""
            )
        return Node(
            kind=kind,
            label=label,
            path=path,
            status=status,
            children=children,
            highlights=level.highlights(path, None),
            depth=level.depth,
        )

    def loop(self, entry: Mapping[str, Any], level: _Level, path: tuple[int, ...]) -> Node:
        node = self.step(entry.get("step"), level, path, entry)
        if node.kind == "unknown":
            return node
        node.kind = "loop" if node.kind == "step" else node.kind
        node.loop_type = _text(entry.get("loopType")) or "loop"
        cond = entry.get("serializedCondition")
        if isinstance(cond, Mapping):
            node.condition = Condition(_text(cond.get("id")), _text(cond.get("fn")))
        return node

    def foreach(self, entry: Mapping[str, Any], level: _Level, path: tuple[int, ...]) -> Node:
        node = self.step(entry.get("step"), level, path, entry)
        if node.kind == "unknown":
            return node
        node.kind = "foreach" if node.kind == "step" else node.kind
        opts = entry.get("opts")
        if isinstance(opts, Mapping):
            concurrency = opts.get("concurrency")
            node.concurrency = (
                concurrency if isinstance(concurrency, int) and not isinstance(concurrency, bool) else None
            )
        node.items = foreach_items(node.record)
        return node

    def sleep(self, entry: Mapping[str, Any], kind: str, level: _Level, path: tuple[int, ...]) -> Node:
        sleep_id = _text(entry.get("id")) or kind
        record = level.record(sleep_id)
        node = Node(
            kind=kind,
            label=sleep_id,
            path=path,
            key=level.key_prefix + sleep_id,
            status=self._status(record, level, sleep_id),
            record=record,
            sleep_ms=_ms(entry.get("duration")),
            until=_text(entry.get("date")),
            fn=_text(entry.get("fn")),
            highlights=level.highlights(path, sleep_id),
            depth=level.depth,
        )
        self._register(node, level)
        return node


def _aggregate(statuses: list[str]) -> str:
    reached = [s for s in statuses if s not in (NOT_REACHED, UNRECORDED)]
    if not reached:
        return NOT_REACHED
    for status in _PRECEDENCE:
        if status in reached:
            return status
    if all(s == "success" for s in reached):
        return "success"
    return reached[0]


def foreach_items(record: StepRecord | None) -> list[ForeachItem]:
    """One status per item of a foreach step.

    Mastra keeps per-item results in ``suspendPayload.__workflow_meta.foreachOutput`` while a foreach
    is suspended; otherwise the ``output`` array tells: an entry per item, ``null`` for an item with
    no result (still pending while the step runs; the failing or skipped ones when it failed). Items
    of the input (``payload``) beyond the output array were never started.
    """
    if record is None:
        return []
    raw = record.raw
    payload, output = raw.get("payload"), raw.get("output")
    explicit: list[Any] = []
    for holder in (raw.get("suspendPayload"), raw.get("metadata")):
        meta = holder.get("__workflow_meta") if isinstance(holder, Mapping) else None
        entries = meta.get("foreachOutput") if isinstance(meta, Mapping) else None
        if isinstance(entries, list):
            explicit = entries
            break
    sizes = [len(v) for v in (payload, output, explicit) if isinstance(v, list)]
    if not sizes:
        return []
    outputs = output if isinstance(output, list) else []
    step_status = record.status
    items = []
    for i in range(max(sizes)):
        entry = explicit[i] if i < len(explicit) else None
        if isinstance(entry, Mapping) and isinstance(entry.get("status"), str):
            items.append(ForeachItem(i, entry["status"], parse_error(entry.get("error"))))
            continue
        if (i < len(outputs) and outputs[i] is not None) or step_status == "success":
            status = "success"
        elif i < len(outputs) or i < len(explicit):
            # An item with a slot but no result.
            status = {
                "failed": "failed",
                "canceled": "canceled",
                "running": "pending",
                "suspended": "pending",
                "waiting": "pending",
                "paused": "pending",
            }.get(step_status, NOT_REACHED)
        else:
            status = (
                "pending" if step_status in ("running", "waiting", "paused", "suspended") else NOT_REACHED
            )
        items.append(ForeachItem(i, status))
    return items


def nested_workflow_ids(snapshot: Any) -> list[str]:
    """Ids of the top-level nested workflows in a snapshot's graph. Mastra runs a nested workflow
    under the parent's run id, so its own snapshot is stored as ``(nested id, same run id)``."""
    if not isinstance(snapshot, Mapping):
        return []
    found: list[str] = []

    def visit(entries: Any) -> None:
        if not isinstance(entries, list):
            return
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            step = entry.get("step")
            if isinstance(step, Mapping) and (
                step.get("component") == "WORKFLOW" or "serializedStepFlow" in step
            ):
                step_id = step.get("id")
                if isinstance(step_id, str) and step_id not in found:
                    found.append(step_id)
            visit(entry.get("steps"))

    visit(snapshot.get("serializedStepGraph"))
    return found


def build_graph(snapshot: Any, nested: Mapping[str, Mapping[str, Any]] | None = None) -> RunGraph:
    """The drawable graph of a decoded snapshot; ``nested`` maps a nested workflow's id to its own
    run snapshot, when the caller loaded it."""
    builder = _Builder(nested or {})
    if not isinstance(snapshot, Mapping):
        return RunGraph([], [], Timeline([]), [], ["The snapshot is not a JSON object."], {})
    level = _Level.of(snapshot)
    notes = builder.notes
    if not isinstance(snapshot.get("context"), Mapping):
        notes.append("This snapshot has no step context: no step statuses, payloads or timings are recorded.")
    graph_entries = snapshot.get("serializedStepGraph")
    if not isinstance(graph_entries, list):
        notes.append("This snapshot has no step graph (serializedStepGraph); only recorded steps are listed.")
    elif not graph_entries:
        notes.append("The step graph of this snapshot is empty.")
    nodes = builder.flow(graph_entries, level)
    every = [n for top in nodes for n in top.walk()]
    if any(n.kind == "unknown" for n in every):
        notes.append(
            "Some graph entries have a type this dashboard does not know; they are shown as raw JSON."
        )

    # Every context record, parsed once (the level caches them for the nodes that asked already).
    records = [
        r
        for key in level.context
        if str(key) not in _CONTEXT_RESERVED and (r := level.record(str(key))) is not None
    ]
    drawn = {n.key for n in every} | {
        n.record.step_id for n in every if n.record is not None and n.depth == 0
    }
    other = []
    for record in records:
        if record.step_id in drawn:
            continue
        node = Node(
            kind="step",
            label=record.step_id,
            path=(),
            key=record.step_id,
            status=record.status,
            record=record,
            highlights=level.highlights((-1,), record.step_id),
        )
        builder._register(node, level)
        other.append(node)

    timeline = build_timeline(records, end_hint=_ms(snapshot.get("timestamp")))
    waits = _waits(snapshot, level, nodes, builder.steps)
    return RunGraph(nodes, other, timeline, waits, notes, builder.steps)


def _waits(
    snapshot: Mapping[str, Any], level: _Level, nodes: list[Node], steps: Mapping[str, Node]
) -> list[WaitReason]:
    labels: dict[str, list[tuple[str, int | None]]] = {}
    resume_labels = snapshot.get("resumeLabels")
    if isinstance(resume_labels, Mapping):
        for label, target in resume_labels.items():
            if isinstance(target, Mapping) and isinstance(target.get("stepId"), str):
                index = target.get("foreachIndex")
                labels.setdefault(target["stepId"], []).append(
                    (str(label), index if isinstance(index, int) and not isinstance(index, bool) else None)
                )

    # Paths name the stopped steps (legacy waitForEvent keys waitingPaths by the event instead).
    by_path = {n.path: n for top in nodes for n in top.walk() if n.key and n.depth == 0}
    ordered: dict[str, tuple[str, str]] = {}
    for kind, name in (("suspended", "suspendedPaths"), ("waiting", "waitingPaths")):
        mapping = snapshot.get(name)
        if not isinstance(mapping, Mapping):
            continue
        for key, path in mapping.items():
            key = str(key)
            node = steps.get(key)
            if node is None:
                node = next((by_path[p] for p in _paths(path) if p in by_path), None)
            step_id = node.key if node is not None else key
            ordered.setdefault(step_id, (kind, "" if step_id == key else key))
    for step_id in level.context:
        if str(step_id) in _CONTEXT_RESERVED:
            continue
        record = level.record(str(step_id))
        if record is not None and record.status in ("suspended", "waiting"):
            ordered.setdefault(str(step_id), (record.status, ""))

    reasons = []
    for step_id, (kind, event) in ordered.items():
        record = level.record(step_id)
        meta_path: tuple[str, ...] = ()
        if record is not None:
            payload = record.raw.get("suspendPayload")
            meta = payload.get("__workflow_meta") if isinstance(payload, Mapping) else None
            path_ids = meta.get("path") if isinstance(meta, Mapping) else None
            if isinstance(path_ids, list):
                meta_path = tuple(str(p) for p in path_ids)
            # A suspended foreach keeps its labels in the step's own bookkeeping.
            inner = meta.get("resumeLabels") if isinstance(meta, Mapping) else None
            if isinstance(inner, Mapping):
                for label, target in inner.items():
                    if isinstance(target, Mapping) and target.get("stepId") == step_id:
                        entry = (str(label), target.get("foreachIndex"))
                        if entry not in labels.setdefault(step_id, []):
                            labels[step_id].append(entry)
        path_map = snapshot.get("suspendedPaths" if kind == "suspended" else "waitingPaths")
        path = _paths(path_map.get(event or step_id)) if isinstance(path_map, Mapping) else []
        reasons.append(
            WaitReason(
                key=step_id,
                kind=kind,
                record=record,
                node=steps.get(step_id),
                resume_labels=tuple(labels.get(step_id, ())),
                nested_path=meta_path,
                path=path[0] if path else (),
                event=event,
            )
        )
    return reasons


# --- run summary ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    status: str | None
    started_at: datetime
    ended_at: datetime | None
    #: Milliseconds from the first step's start to the last recorded moment.
    duration_ms: int | None
    #: False while the run can still move (the duration is "so far").
    duration_final: bool
    has_result: bool = False
    result: Any = None
    error: ErrorInfo | None = None
    tripwire: Any = None

    @property
    def status_class(self) -> str:
        return status_slug(self.status)

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES


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
            record = parse_record(str(key), value) if key not in _CONTEXT_RESERVED else None
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
