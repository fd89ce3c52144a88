"""One flow of a snapshot (the run's own, or a nested workflow's): its step records and the
execution paths that say where the run is, which the graph, the waits and the highlights all read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .records import CONTEXT_RESERVED, StepRecord, parse_record


def execution_paths(value: Any) -> list[tuple[int, ...]]:
    """One execution path (``[2, 0]``) as a tuple, ignoring the object form very old data used."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return [tuple(value)]
    return []


@dataclass
class FlowLevel:
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
    def of(snapshot: Mapping[str, Any], *, key_prefix: str = "", depth: int = 0) -> FlowLevel:
        context = snapshot.get("context")
        level = FlowLevel(
            context=context if isinstance(context, Mapping) else {}, key_prefix=key_prefix, depth=depth
        )
        level.active += execution_paths(snapshot.get("activePaths"))
        for name, attr, ids in (
            ("activeStepsPath", level.active, level.active_ids),
            ("suspendedPaths", level.suspended, level.suspended_ids),
            ("waitingPaths", level.waiting, level.waiting_ids),
        ):
            mapping = snapshot.get(name)
            if isinstance(mapping, Mapping):
                for step_id, path in mapping.items():
                    ids.add(str(step_id))
                    attr.extend(execution_paths(path))
        return level

    def record(self, step_id: str) -> StepRecord | None:
        if step_id in self._records:
            return self._records[step_id]
        found = self._records[step_id] = self._lookup(step_id)
        return found

    def step_records(self) -> list[StepRecord]:
        """Every step result in ``context``, in its order (parsed once: cached for later lookups)."""
        return [
            r
            for key in self.context
            if str(key) not in CONTEXT_RESERVED and (r := self.record(str(key))) is not None
        ]

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
