"""Why a suspended or waiting run is stopped, step by step.

A run can be stopped at several steps at once, each for its own reason, and Mastra records each
reason in its own place: ``suspendedPaths`` (a step called ``suspend()``), ``waitingPaths`` (a
``sleep``/``sleepUntil``, or a legacy ``waitForEvent`` keyed by the event's name), or only the step
record's status (older snapshots without those maps). Each finder below reads one of them; the
first to name a step decides its kind, in that order. Resume labels (``resumeLabels``) and a
nested workflow's suspend path (``__workflow_meta``) then say how to resume it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from .levels import FlowLevel, execution_paths
from .records import Node, StepRecord, WaitReason, epoch_ms, parse_record, suspend_path, workflow_meta

#: A resume label and the foreach item it resumes (``None`` for the whole step).
ResumeLabel = tuple[str, Any]
#: A stopped step as a finder reports it: ``(step id, kind, event)``; ``event`` is the ``waitingPaths``
#: key when it names an event rather than the step (legacy ``waitForEvent``), else ``""``.
Stop = tuple[str, str, str]


def find_waits(
    snapshot: Mapping[str, Any], level: FlowLevel, nodes: list[Node], steps: Mapping[str, Node]
) -> list[WaitReason]:
    """One ``WaitReason`` per step the run is stopped at, in the order the snapshot names them."""
    # Paths name the stopped steps when a key does not (legacy waitForEvent keys by the event).
    by_path = {n.path: n for top in nodes for n in top.walk() if n.key and n.depth == 0}
    stops: dict[str, tuple[str, str]] = {}
    for finder in (
        _suspended_steps(snapshot, steps, by_path),
        _waiting_steps(snapshot, steps, by_path),
        _stopped_records(level),
    ):
        for step_id, kind, event in finder:
            stops.setdefault(step_id, (kind, event))
    labels = _run_resume_labels(snapshot)
    return [
        _wait_reason(snapshot, step_id, kind, event, level.record(step_id), steps, labels.get(step_id, []))
        for step_id, (kind, event) in stops.items()
    ]


def _suspended_steps(
    snapshot: Mapping[str, Any], steps: Mapping[str, Node], by_path: Mapping[tuple[int, ...], Node]
) -> Iterator[Stop]:
    """Steps that called ``suspend()`` and wait for a ``resume``: the keys of ``suspendedPaths``."""
    yield from _named_in_paths(snapshot.get("suspendedPaths"), "suspended", steps, by_path)


def _waiting_steps(
    snapshot: Mapping[str, Any], steps: Mapping[str, Node], by_path: Mapping[tuple[int, ...], Node]
) -> Iterator[Stop]:
    """Steps waiting on time or an event (``sleep``, ``sleepUntil``, ``waitForEvent``): the keys of
    ``waitingPaths``. A legacy ``waitForEvent`` keys its entry by the event's name, so its step is
    found by the entry's execution path and the event is kept."""
    yield from _named_in_paths(snapshot.get("waitingPaths"), "waiting", steps, by_path)


def _named_in_paths(
    mapping: Any, kind: str, steps: Mapping[str, Node], by_path: Mapping[tuple[int, ...], Node]
) -> Iterator[Stop]:
    """The steps a ``{key: execution path}`` map names: by key when it is a step's, else by path."""
    if not isinstance(mapping, Mapping):
        return
    for raw_key, path in mapping.items():
        key = str(raw_key)
        node = steps.get(key)
        if node is None:
            node = next((by_path[p] for p in execution_paths(path) if p in by_path), None)
        step_id = node.key if node is not None else key
        yield step_id, kind, "" if step_id == key else key


def _stopped_records(level: FlowLevel) -> Iterator[Stop]:
    """Steps whose own record says ``suspended`` or ``waiting`` though no path map names them
    (snapshots older than those maps, or a map lost in a partial save)."""
    for record in level.step_records():
        if record.status in ("suspended", "waiting"):
            yield record.step_id, record.status, ""


def _run_resume_labels(snapshot: Mapping[str, Any]) -> dict[str, list[ResumeLabel]]:
    """The run's resume labels (``resumeLabels``: label -> ``{stepId, foreachIndex?}``) by step id."""
    labels: dict[str, list[ResumeLabel]] = {}
    resume_labels = snapshot.get("resumeLabels")
    if not isinstance(resume_labels, Mapping):
        return labels
    for label, target in resume_labels.items():
        if isinstance(target, Mapping) and isinstance(target.get("stepId"), str):
            index = target.get("foreachIndex")
            labels.setdefault(target["stepId"], []).append(
                (str(label), index if isinstance(index, int) and not isinstance(index, bool) else None)
            )
    return labels


def _foreach_resume_labels(
    meta: Mapping[str, Any] | None, step_id: str, labels: list[ResumeLabel]
) -> list[ResumeLabel]:
    """``labels`` plus the ones a suspended foreach keeps in its own bookkeeping
    (``__workflow_meta.resumeLabels``), one per item, without repeating a label already known."""
    found = list(labels)
    inner = meta.get("resumeLabels") if meta is not None else None
    if not isinstance(inner, Mapping):
        return found
    for label, target in inner.items():
        if isinstance(target, Mapping) and target.get("stepId") == step_id:
            entry = (str(label), target.get("foreachIndex"))
            if entry not in found:
                found.append(entry)
    return found


def _wait_reason(
    snapshot: Mapping[str, Any],
    step_id: str,
    kind: str,
    event: str,
    record: StepRecord | None,
    steps: Mapping[str, Node],
    labels: list[ResumeLabel],
) -> WaitReason:
    """The reason for one stopped step, with its execution path from the map that named it."""
    meta = workflow_meta(record.raw.get("suspendPayload")) if record is not None else None
    path_map = snapshot.get("suspendedPaths" if kind == "suspended" else "waitingPaths")
    path = execution_paths(path_map.get(event or step_id)) if isinstance(path_map, Mapping) else []
    return WaitReason(
        key=step_id,
        kind=kind,
        record=record,
        node=steps.get(step_id),
        resume_labels=tuple(_foreach_resume_labels(meta, step_id, labels)),
        nested_path=suspend_path(record),
        path=path[0] if path else (),
        event=event,
    )


def wake_time_ms(snapshot: Mapping[str, Any]) -> int | None:
    """When a sleeping run should wake (epoch ms): the earliest ``sleep`` (its start plus its
    duration) or ``sleepUntil`` (its date) of the top-level flow whose record is still ``waiting``;
    ``None`` when no sleep is pending or its time cannot be known (a computed duration)."""
    graph, context = snapshot.get("serializedStepGraph"), snapshot.get("context")
    if not isinstance(graph, list) or not isinstance(context, Mapping):
        return None
    wakes: list[int] = []
    for entry in graph:
        if not isinstance(entry, Mapping) or entry.get("type") not in ("sleep", "sleepUntil"):
            continue
        record = parse_record(str(entry.get("id")), context.get(str(entry.get("id"))))
        if record is None or record.status != "waiting":
            continue
        if entry.get("type") == "sleep":
            duration = epoch_ms(entry.get("duration"))
            if duration is not None and record.started_at is not None:
                wakes.append(record.started_at + duration)
        else:
            until = _date_ms(entry.get("date"))
            if until is not None:
                wakes.append(until)
    return min(wakes) if wakes else None


def _date_ms(value: Any) -> int | None:
    """A ``sleepUntil`` date as Mastra serialises it (an ISO string, or epoch ms)."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        try:
            return int(moment.timestamp() * 1000)
        except (OverflowError, OSError, ValueError):
            return None
    return epoch_ms(value)
