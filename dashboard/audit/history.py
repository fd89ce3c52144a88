"""The recorded history of one target's working memory, as the editor and the audit pages read it."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.working_memory.diffs import Diff, line_diff
from dashboard.working_memory.rules import detect_mode, editable_text

from .models import AuditEvent, Outcome


@dataclass
class HistoryEntry:
    event: AuditEvent
    outcome: str
    diff: Diff
    #: The stored value changed outside the dashboard between the previous applied edit and this one.
    outside_change: bool = False
    #: The text after (before) this event is the one stored now (set by a page that read the store).
    after_is_current: bool = False
    before_is_current: bool = False


def event_diff(event: AuditEvent) -> Diff:
    """What ``event`` changed (or tried to), in the mode of the texts it holds."""
    mode = detect_mode(event.before or event.after)
    return line_diff(
        editable_text(event.before, mode),
        editable_text(event.after, mode),
        old_label="before",
        new_label="after",
    )


def recent_history(target_type: str, target_id: str, limit: int) -> list[HistoryEntry]:
    """The ``limit`` newest events of one target, newest first, each with its diff."""
    events = AuditEvent.objects.for_target(target_type, target_id)[:limit]
    entries = [HistoryEntry(event, event.shown_outcome(), event_diff(event)) for event in events]
    # Oldest first: an applied edit that did not start from what the previous applied edit wrote
    # means someone (usually the agent) changed the memory in between.
    previous: HistoryEntry | None = None
    for entry in reversed(entries):
        if entry.event.outcome != Outcome.APPLIED:
            continue
        if previous is not None and entry.event.base_version != previous.event.result_version:
            entry.outside_change = True
        previous = entry
    return entries


def text_of_version(target_type: str, target_id: str, token: str) -> str | None:
    """The text of version ``token``, if the dashboard wrote it or started an edit from it."""
    events = AuditEvent.objects.for_target(target_type, target_id)
    wrote = events.filter(result_version=token).only("after").first()
    if wrote is not None:
        return wrote.after
    started = events.filter(base_version=token).exclude(before="").only("before").first()
    return started.before if started is not None else None


def event_of_target(target_type: str, target_id: str, pk: int) -> AuditEvent | None:
    """Event ``pk`` if it belongs to this target's history (a restore may only bring back its own)."""
    return AuditEvent.objects.for_target(target_type, target_id).filter(pk=pk).first()
