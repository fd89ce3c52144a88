"""Every version of one working memory, oldest first, and who or what wrote each (issue #23).

Four sources, merged by time:
- the agent: each indexed ``updateWorkingMemory`` tool call (``dashboard.search`` keeps them with
  their thread, message and time). Markdown mode replaces the whole memory with the call's
  ``memory`` argument; schema (JSON) mode merges it into the previous value exactly as
  ``@mastra/core``'s ``deepMergeWorkingMemory`` does, so a version is replayed, not guessed;
- a person: each applied save or restore in the audit log (``after`` is the text written);
- seen: each value the indexer read in the store (``snapshots.py``) that no agent turn and no
  dashboard edit wrote. Current Mastra drops its working-memory tool calls from the messages it
  saves, so an agent's own writes are found this way, at the time the store gives them;
- elsewhere: a stored value that matches none of these (not indexed yet, or never seen).

The sources are read bounded (``MAX_VERSIONS`` newest of each); a memory older than that starts
its timeline at the first version read, which the page says.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from dashboard.audit.models import AuditEvent, Outcome
from dashboard.search.documents import WORKING_MEMORY_TOOL
from dashboard.search.models import ToolCall
from dashboard.working_memory.rules import compact_json, detect_mode, editable_text, json_value
from storeclient.interface import Store

from .models import MemorySnapshot
from .snapshots import MAX_SNAPSHOTS, snapshots_of

#: Versions read from each source (tool calls, audit events): the newest so many.
MAX_VERSIONS = 2_000
#: Threads read from the store to tell which scope their calls wrote (one read each).
MAX_SCOPE_LOOKUPS = 200

Author = Literal["agent", "person", "seen", "elsewhere"]


@dataclass(frozen=True)
class Version:
    #: Stable in a URL: "call-<ToolCall pk>", "edit-<AuditEvent pk>", "seen-<MemorySnapshot pk>"
    #: or "stored".
    key: str
    author: Author
    text: str
    at: datetime | None
    #: Agent writes: where the call is (the thread page links to the message).
    thread_id: str = ""
    message_id: str = ""
    #: Dashboard edits: who, and whether it was a restore.
    username: str = ""
    restore: bool = False
    #: Position in the timeline, 1 = oldest read.
    number: int = 0

    @property
    def label(self) -> str:
        if self.author == "agent":
            return f"#{self.number} agent turn"
        if self.author == "person":
            return f"#{self.number} {'restore' if self.restore else 'edit'} by {self.username}"
        if self.author == "seen":
            return f"#{self.number} changed outside the dashboard"
        return f"#{self.number} written elsewhere"


@dataclass(frozen=True)
class Timeline:
    versions: list[Version]
    #: Some older versions were not read (more than ``MAX_VERSIONS`` of a source).
    truncated: bool = False

    def find(self, key: str) -> Version | None:
        return next((v for v in self.versions if v.key == key), None)

    @property
    def current(self) -> Version | None:
        return self.versions[-1] if self.versions else None


def deep_merge(existing: Any, update: Any) -> dict[str, Any]:
    """``deepMergeWorkingMemory`` of @mastra/core: ``null`` deletes a key, arrays replace, objects
    merge key by key, anything else replaces."""
    if not isinstance(update, dict) or not update:
        return dict(existing) if isinstance(existing, dict) else {}
    result: dict[str, Any] = dict(existing) if isinstance(existing, dict) else {}
    for key, value in update.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            current = result.get(key)
            result[key] = deep_merge(current if isinstance(current, dict) else None, value)
        else:
            result[key] = value
    return result


def _memory_argument(args_json: str) -> Any:
    try:
        args = json.loads(args_json) if args_json else None
    except (ValueError, RecursionError):
        return None
    return args.get("memory") if isinstance(args, dict) else None


def agent_text(previous: str, memory: Any) -> str | None:
    """The memory after a tool call with argument ``memory``, given the ``previous`` value (as the
    tool computes it: schema mode when the argument or the stored memory is a JSON object)."""
    if memory is None:
        return None
    update: Any = memory
    if isinstance(memory, str):
        update = json_value(memory)
        if update is None:
            return memory  # Markdown (template mode): the whole memory.
    if isinstance(update, dict):
        try:
            return compact_json(deep_merge(json_value(previous), update))
        except (ValueError, RecursionError):
            return None
    return compact_json(update)


def build_timeline(target_type: str, target_id: str, stored: str | None, store: Store) -> Timeline:
    """The versions of the memory of ``target_type`` ("resource" or "thread") ``target_id``, given
    what the store holds now (``stored``)."""
    calls = ToolCall.objects.filter(tool_name=WORKING_MEMORY_TOOL)
    calls = (
        calls.filter(resource_id=target_id)
        if target_type == "resource"
        else calls.filter(thread_id=target_id)
    )
    call_rows = _in_scope(list(calls.order_by("-created_at", "-id")[:MAX_VERSIONS]), target_type, store)
    edits = AuditEvent.objects.for_target(target_type, target_id).filter(outcome=Outcome.APPLIED)
    edit_rows = list(edits.order_by("-created_at", "-id")[:MAX_VERSIONS])
    truncated = len(call_rows) == MAX_VERSIONS or len(edit_rows) == MAX_VERSIONS

    attributed = _replay(call_rows, edit_rows, [])
    written_here = {_comparable(v.text) for v in attributed}
    snapshots = snapshots_of(target_type, target_id, MAX_SNAPSHOTS)
    # A value the indexer saw that a turn or an edit wrote is that version, not one of its own.
    seen_rows = [row for row in snapshots if _comparable(row.text) not in written_here]
    truncated = truncated or len(snapshots) == MAX_SNAPSHOTS
    versions = _replay(call_rows, edit_rows, seen_rows) if seen_rows else attributed
    text = versions[-1].text if versions else ""
    if stored is not None and not _same(stored, text):
        versions.append(Version("stored", "elsewhere", stored, None))
    numbered = [_numbered(v, i) for i, v in enumerate(versions, start=1)]
    return Timeline(numbered, truncated)


def _replay(
    call_rows: list[ToolCall], edit_rows: list[AuditEvent], seen_rows: list[MemorySnapshot]
) -> list[Version]:
    """The versions these rows make, in time order: each agent call applied to the value before it
    (schema mode merges), each edit and each seen value as written. A row that leaves the value as
    it was is no version of its own."""
    events: list[tuple[datetime, int, Any]] = [(c.created_at, 0, c) for c in call_rows]
    events += [(e.completed_at or e.created_at, 1, e) for e in edit_rows]
    events += [(s.seen_at, 2, s) for s in seen_rows]
    events.sort(key=lambda item: (item[0], item[1], item[2].pk))
    versions: list[Version] = []
    text = ""
    for at, _, row in events:
        if isinstance(row, ToolCall):
            written = agent_text(text, _memory_argument(row.args_json))
            if written is None:
                continue
            version = Version(
                f"call-{row.pk}", "agent", written, at, thread_id=row.thread_id, message_id=row.message_id
            )
        elif isinstance(row, MemorySnapshot):
            if _same(row.text, text):
                continue
            written = row.text
            version = Version(f"seen-{row.pk}", "seen", written, at)
        else:
            written = row.after
            version = Version(
                f"edit-{row.pk}",
                "person",
                written,
                at,
                username=row.username,
                restore=row.action == "working_memory.restore",
            )
        text = written
        versions.append(version)
    return versions


def _comparable(text: str) -> str:
    """``text`` as ``_same`` compares it: a JSON object by value (keys sorted), anything else as is."""
    value = json_value(text)
    if value is None:
        return text
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (ValueError, TypeError, RecursionError):
        return text


def _keeps_own_memory(store: Store, thread_id: str) -> bool:
    """Whether a thread is in thread scope: Mastra then keeps its working memory in its metadata."""
    thread = store.memory.get_thread_by_id(thread_id)
    return thread is not None and thread.working_memory is not None


def _in_scope(rows: list[ToolCall], target_type: str, store: Store) -> list[ToolCall]:
    """The tool call does not say which scope it wrote; the threads do. A call in a thread that keeps
    its own memory wrote that memory (thread scope), any other call its resource's (resource scope)."""
    threads = list(dict.fromkeys(row.thread_id for row in rows))
    if len(threads) > MAX_SCOPE_LOOKUPS:
        # More threads than it is sensible to read for one page: count them all as this scope.
        return rows
    own = {thread_id for thread_id in threads if _keeps_own_memory(store, thread_id)}
    if target_type == "thread":
        return [row for row in rows if row.thread_id in own]
    return [row for row in rows if row.thread_id not in own]


def _numbered(version: Version, number: int) -> Version:
    return Version(**{**version.__dict__, "number": number})


def _same(stored: str, text: str) -> bool:
    """Same memory: JSON compared as values (Mastra and the dashboard may space it differently)."""
    if stored == text:
        return True
    a, b = json_value(stored), json_value(text)
    return a is not None and a == b


# --- where each line came from --------------------------------------------------------------------


@dataclass(frozen=True)
class LineOrigin:
    number: int
    text: str
    version: Version | None


def shown_lines(version: Version, mode: str) -> list[str]:
    return editable_text(version.text, "json" if mode == "json" else "markdown").splitlines()


def line_origins(timeline: Timeline) -> list[LineOrigin]:
    """For each line of the newest version, the version that introduced it (the line was absent,
    or different, in the version before). JSON is compared as the editor shows it, one key a line."""
    if not timeline.versions:
        return []
    mode = detect_mode(timeline.versions[-1].text)
    lines: list[str] = []
    origins: list[Version | None] = []
    for version in timeline.versions:
        new_lines = shown_lines(version, mode)
        matcher = difflib.SequenceMatcher(None, lines, new_lines, autojunk=False)
        new_origins: list[Version | None] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                new_origins.extend(origins[i1:i2])
            else:
                new_origins.extend([version] * (j2 - j1))
        lines, origins = new_lines, new_origins
    return [
        LineOrigin(n, line, origin) for n, (line, origin) in enumerate(zip(lines, origins, strict=True), 1)
    ]
