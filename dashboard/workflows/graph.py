"""A Mastra workflow snapshot (``WorkflowRunState``) as a tree of nodes the run page draws.

Plain Python, no Django, so every rule here is tested without templates. The page asks for
``build_graph(snapshot)`` and renders what comes back (the classes live in ``records``):

* ``RunGraph.nodes`` — the ``serializedStepGraph`` as a tree: sequential steps, parallel and
  conditional branches, loops, foreach (with a status per item), sleeps, nested workflows (their own
  flow inside), legacy ``waitForEvent``, and ``unknown`` nodes carrying the raw entry for anything
  else. Each node has the status of its ``context[stepId]`` record, or ``not-reached``.
* ``RunGraph.timeline`` — every recorded step as a bar on one time axis (built by ``timeline``).
* ``RunGraph.waits`` — why a suspended or waiting run is stopped, step by step (found by ``waits``).

Snapshots come from many Mastra versions and from tests that persist arbitrary shapes, so nothing
here assumes a key exists or has the documented type: missing or malformed parts become notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .levels import FlowLevel
from .records import (
    NO_RESULT,
    NOT_REACHED,
    STATUS_PRECEDENCE,
    UNRECORDED,
    Condition,
    ForeachItem,
    Node,
    RunGraph,
    StepRecord,
    Timeline,
    as_text,
    epoch_ms,
    parse_error,
    suspend_path,
    workflow_meta,
)
from .timeline import build_timeline
from .waits import find_waits

#: Blocks (parallel, conditional, nested workflows) drawn inside each other at most: the page draws
#: the graph by recursion, and a snapshot can nest blocks hundreds deep. Deeper ones are collapsed.
GRAPH_NESTING_LIMIT = 16
GRAPH_COLLAPSED = f"nested deeper than {GRAPH_NESTING_LIMIT} levels — collapsed"


class _Builder:
    def __init__(self, nested: Mapping[str, Mapping[str, Any]]) -> None:
        self.nested = nested
        self.steps: dict[str, Node] = {}
        self.seen_ids: set[tuple[str, str]] = set()
        self.notes: list[str] = []
        self.nesting = 0

    # Each entry type becomes one node; children inherit the level (and path) of their parent.

    def flow(self, entries: Any, level: FlowLevel, prefix: tuple[int, ...] = ()) -> list[Node]:
        if not isinstance(entries, list):
            return []
        if self.nesting >= GRAPH_NESTING_LIMIT:
            return [self.collapsed(level, prefix)]
        self.nesting += 1
        try:
            nodes: list[Node] = []
            for i, entry in enumerate(entries):
                # A foreach iterates over what the step before it returned.
                nodes.append(self.entry(entry, level, (*prefix, i), nodes[-1] if nodes else None))
            return nodes
        finally:
            self.nesting -= 1

    def collapsed(self, level: FlowLevel, path: tuple[int, ...]) -> Node:
        note = (
            f"The step graph nests blocks deeper than {GRAPH_NESTING_LIMIT} levels; the deeper ones are "
            "collapsed (the raw snapshot holds them, and their steps are listed below if they ran)."
        )
        if note not in self.notes:
            self.notes.append(note)
        return Node(kind="collapsed", label=GRAPH_COLLAPSED, path=path, status="unknown", depth=level.depth)

    def entry(
        self, entry: Any, level: FlowLevel, path: tuple[int, ...], previous: Node | None = None
    ) -> Node:
        kind = entry.get("type") if isinstance(entry, Mapping) else None
        if kind == "step":
            return self.step(entry.get("step"), level, path, entry)
        if kind in ("parallel", "conditional"):
            return self.branches(entry, kind, level, path)
        if kind == "loop":
            return self.loop(entry, level, path)
        if kind == "foreach":
            inputs = previous.record.raw.get("output") if previous and previous.record else None
            return self.foreach(entry, level, path, inputs if isinstance(inputs, list) else None)
        if kind in ("sleep", "sleepUntil"):
            return self.sleep(entry, kind, level, path)
        if kind == "waitForEvent":
            node = self.step(entry.get("step"), level, path, entry)
            node.kind = "waitForEvent" if node.kind == "step" else node.kind
            node.event = as_text(entry.get("event"))
            node.timeout_ms = epoch_ms(entry.get("timeout"))
            return node
        return self.unknown(entry, level, path)

    def unknown(self, entry: Any, level: FlowLevel, path: tuple[int, ...]) -> Node:
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

    def register(self, node: Node) -> None:
        """Make ``node`` selectable by its key (the first node drawn for a key wins)."""
        if node.key and node.key not in self.steps:
            self.steps[node.key] = node

    def _status(self, record: StepRecord | None, level: FlowLevel, step_id: str) -> str:
        if record is not None:
            return record.status
        if level.meta_path and level.meta_path[0] == step_id:
            return "suspended"
        return UNRECORDED if level.parent_reached else NOT_REACHED

    def step(
        self, step: Any, level: FlowLevel, path: tuple[int, ...], entry: Mapping[str, Any] | None = None
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
            description=as_text(step.get("description")),
            record=record,
            map_config=as_text(step.get("mapConfig")),
            can_suspend=bool(step.get("canSuspend")),
            highlights=level.highlights(path, step_id),
            depth=level.depth,
        )
        if step.get("component") == "WORKFLOW" or "serializedStepFlow" in step:
            node.kind = "workflow"
            node.children, node.nested_snapshot = self.nested_flow(step_id, step, record, level)
        self.register(node)
        return node

    def nested_flow(
        self, step_id: str, step: Mapping[str, Any], record: StepRecord | None, level: FlowLevel
    ) -> tuple[list[Node], bool]:
        prefix = f"{level.key_prefix}{step_id}."
        own = self.nested.get(step_id) if level.depth == 0 else None
        if isinstance(own, Mapping):
            child = FlowLevel.of(own, key_prefix=prefix, depth=level.depth + 1)
            child.fallback, child.own_snapshot = level.context, True
        else:
            # Only the parent's record: a suspended nested step names its path in __workflow_meta.
            ids = suspend_path(record)
            if ids and ids[0] == step_id:
                ids = ids[1:]
            if record is None and level.meta_path[:1] == (step_id,):
                ids = level.meta_path[1:]  # deeper nesting: the path continues below this workflow
            elif record is None or record.status != "suspended":
                ids = ()
            child = FlowLevel(
                context={},
                key_prefix=prefix,
                fallback=level.fallback if level.depth else level.context,
                meta_path=ids,
                parent_reached=record is not None,
                depth=level.depth + 1,
            )
        return self.flow(step.get("serializedStepFlow"), child), isinstance(own, Mapping)

    def branches(self, entry: Mapping[str, Any], kind: str, level: FlowLevel, path: tuple[int, ...]) -> Node:
        children = self.flow(entry.get("steps"), level, path)
        if kind == "conditional":
            conditions = entry.get("serializedConditions")
            if isinstance(conditions, list):
                for child, cond in zip(children, conditions, strict=False):
                    if isinstance(cond, Mapping):
                        child.condition = Condition(as_text(cond.get("id")), as_text(cond.get("fn")))
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

    def loop(self, entry: Mapping[str, Any], level: FlowLevel, path: tuple[int, ...]) -> Node:
        node = self.step(_wrapped_step(entry.get("step")), level, path, entry)
        if node.kind == "unknown":
            return node
        node.kind = "loop" if node.kind == "step" else node.kind
        node.loop_type = as_text(entry.get("loopType")) or "loop"
        cond = entry.get("serializedCondition")
        if isinstance(cond, Mapping):
            node.condition = Condition(as_text(cond.get("id")), as_text(cond.get("fn")))
        return node

    def foreach(
        self, entry: Mapping[str, Any], level: FlowLevel, path: tuple[int, ...], inputs: list[Any] | None
    ) -> Node:
        node = self.step(_wrapped_step(entry.get("step")), level, path, entry)
        if node.kind == "unknown":
            return node
        node.kind = "foreach" if node.kind == "step" else node.kind
        opts = entry.get("opts")
        if isinstance(opts, Mapping):
            concurrency = opts.get("concurrency")
            node.concurrency = (
                concurrency if isinstance(concurrency, int) and not isinstance(concurrency, bool) else None
            )
        node.items = foreach_items(node.record, inputs)
        return node

    def sleep(self, entry: Mapping[str, Any], kind: str, level: FlowLevel, path: tuple[int, ...]) -> Node:
        sleep_id = as_text(entry.get("id")) or kind
        record = level.record(sleep_id)
        node = Node(
            kind=kind,
            label=sleep_id,
            path=path,
            key=level.key_prefix + sleep_id,
            status=self._status(record, level, sleep_id),
            record=record,
            sleep_ms=epoch_ms(entry.get("duration")),
            until=as_text(entry.get("date")),
            fn=as_text(entry.get("fn")),
            highlights=level.highlights(path, sleep_id),
            depth=level.depth,
        )
        self.register(node)
        return node


def _wrapped_step(step: Any) -> Any:
    """A loop's or foreach's step: ``@mastra/core`` 1.x serialises it as a whole step entry
    (``{"type": "step", "step": {"id": …}}``), older versions as the step itself."""
    if isinstance(step, Mapping) and "id" not in step and step.get("type") == "step":
        return step.get("step")
    return step


def _aggregate(statuses: list[str]) -> str:
    reached = [s for s in statuses if s not in (NOT_REACHED, UNRECORDED)]
    if not reached:
        return NOT_REACHED
    for status in STATUS_PRECEDENCE:
        if status in reached:
            return status
    if all(s == "success" for s in reached):
        return "success"
    return reached[0]


def foreach_items(record: StepRecord | None, inputs: list[Any] | None = None) -> list[ForeachItem]:
    """One status per item of a foreach step.

    Mastra keeps per-item results in ``__workflow_meta.foreachOutput`` (of ``suspendPayload`` or
    ``metadata``) while a foreach is suspended or once an item failed; otherwise the ``output`` array
    tells: an entry per item, ``null`` for an item with no result yet. The items themselves are the
    previous step's output (``inputs``; older snapshots put the list in ``payload``).

    A step that stopped (failed, canceled) without any per-item record says nothing about each item:
    those are "no result recorded", never "not reached" or "failed" (only one item need have
    failed). Items past the ones recorded (``foreachOutput`` or ``output`` slots) never started:
    "not reached".
    """
    if record is None:
        return []
    raw = record.raw
    payload, output = raw.get("payload"), raw.get("output")
    explicit: list[Any] | None = None
    for holder in (raw.get("suspendPayload"), raw.get("metadata")):
        meta = workflow_meta(holder)
        entries = meta.get("foreachOutput") if meta is not None else None
        if isinstance(entries, list):
            explicit = entries
            break
    # Older snapshots hold the list of items as the payload; current ones the item being run.
    items_in = payload if isinstance(payload, list) else inputs
    sizes = [len(v) for v in (items_in, output, explicit) if isinstance(v, list)]
    if not sizes:
        return []
    outputs = output if isinstance(output, list) else []
    step_status = record.status
    moving = step_status in ("running", "waiting", "paused", "suspended", "pending")
    items = []
    for i in range(max(sizes)):
        entry = explicit[i] if explicit is not None and i < len(explicit) else None
        if isinstance(entry, Mapping) and isinstance(entry.get("status"), str):
            items.append(ForeachItem(i, entry["status"], parse_error(entry.get("error"))))
            continue
        if (i < len(outputs) and outputs[i] is not None) or step_status == "success":
            status = "success"
        elif moving:
            status = "pending"
        elif i < len(outputs):
            # A slot without a result: the item was in flight when the step stopped.
            status = step_status if step_status in ("failed", "canceled") else NO_RESULT
        elif explicit is not None or outputs:
            status = NOT_REACHED  # past the items Mastra recorded: never started
        else:
            status = NO_RESULT
        items.append(ForeachItem(i, status))
    return items


def nested_workflow_ids(snapshot: Any) -> list[str]:
    """Ids of the top-level nested workflows in a snapshot's graph. Mastra runs a nested workflow
    under the parent's run id, so its own snapshot is stored as ``(nested id, same run id)``."""
    if not isinstance(snapshot, Mapping):
        return []
    found: list[str] = []
    # A loop, not recursion: blocks can nest deeper than Python recurses. Reversed pushes keep the
    # graph's order.
    pending: list[Any] = [snapshot.get("serializedStepGraph")]
    while pending:
        entries = pending.pop()
        if not isinstance(entries, list):
            continue
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
        pending.extend(entry.get("steps") for entry in reversed(entries) if isinstance(entry, Mapping))
    return found


def build_graph(snapshot: Any, nested: Mapping[str, Mapping[str, Any]] | None = None) -> RunGraph:
    """The drawable graph of a decoded snapshot; ``nested`` maps a nested workflow's id to its own
    run snapshot, when the caller loaded it."""
    builder = _Builder(nested or {})
    if not isinstance(snapshot, Mapping):
        return RunGraph([], [], Timeline([]), [], ["The snapshot is not a JSON object."], {})
    level = FlowLevel.of(snapshot)
    builder.notes += _shape_notes(snapshot)
    nodes = builder.flow(snapshot.get("serializedStepGraph"), level)
    every = [n for top in nodes for n in top.walk()]
    if any(n.kind == "unknown" for n in every):
        builder.notes.append(
            "Some graph entries have a type this dashboard does not know; they are shown as raw JSON."
        )
    # Every context record, parsed once (the level caches them for the nodes that asked already).
    records = level.step_records()
    other = _other_steps(records, every, level, builder)
    timeline = build_timeline(records, end_hint=epoch_ms(snapshot.get("timestamp")))
    waits = find_waits(snapshot, level, nodes, builder.steps)
    return RunGraph(nodes, other, timeline, waits, builder.notes, builder.steps)


def _shape_notes(snapshot: Mapping[str, Any]) -> list[str]:
    """What the page says when the snapshot lacks the parts the graph is drawn from."""
    notes = []
    if not isinstance(snapshot.get("context"), Mapping):
        notes.append("This snapshot has no step context: no step statuses, payloads or timings are recorded.")
    graph_entries = snapshot.get("serializedStepGraph")
    if not isinstance(graph_entries, list):
        notes.append("This snapshot has no step graph (serializedStepGraph); only recorded steps are listed.")
    elif not graph_entries:
        notes.append("The step graph of this snapshot is empty.")
    return notes


def _other_steps(
    records: list[StepRecord], drawn_nodes: list[Node], level: FlowLevel, builder: _Builder
) -> list[Node]:
    """A node for each recorded step the graph does not draw (an older graph, a foreign shape)."""
    drawn = {n.key for n in drawn_nodes} | {
        n.record.step_id for n in drawn_nodes if n.record is not None and n.depth == 0
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
        builder.register(node)
        other.append(node)
    return other
