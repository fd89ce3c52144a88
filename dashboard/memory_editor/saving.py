"""One save (or restore) of a working memory: built from the editor's POST, run once, one outcome.

The write is a compare-and-set on the version the page was loaded from, recorded in the audit log as
pending before the store call and completed after it, so the log tells what happened to every
attempt, including one whose process died mid-call. ``MemorySave.run`` answers with exactly one of
``Applied``, ``Conflict``, ``Gone``, ``Failed`` or ``Unknown``; the view turns each into one response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404

from dashboard.audit.history import event_of_target, text_of_version
from dashboard.audit.models import Action, AuditEvent, Outcome
from dashboard.core.store import get_store
from dashboard.core.store_errors import StoreErrorInfo, describe_store_error, redact
from dashboard.working_memory.rules import detect_mode, format_size
from storeclient.errors import BackendUnavailable, ConflictError, NotFoundError, StoreError
from storeclient.interface import Store
from storeclient.models import MemoryVersion, Resource, Thread

from .editing import Draft, check_draft, same_memory
from .timeline import build_timeline

logger = logging.getLogger(__name__)

Record = Resource | Thread


@dataclass(frozen=True)
class Scope:
    """Where a working memory lives: on a resource (shared by its threads) or on one thread."""

    name: Literal["resource", "thread"]
    label: str
    load: Callable[[Store, str], Record | None]
    save: Callable[[Store, str, str, MemoryVersion], Record]


RESOURCE = Scope(
    "resource",
    "Resource",
    lambda store, rid: store.memory.get_resource_by_id(rid),
    lambda store, rid, text, expected: store.memory.save_resource_working_memory(
        rid, text, expected=expected
    ),
)
THREAD = Scope(
    "thread",
    "Thread",
    lambda store, tid: store.memory.get_thread_by_id(tid),
    lambda store, tid, text, expected: store.memory.save_thread_working_memory(tid, text, expected=expected),
)


@dataclass(frozen=True)
class Target:
    """The one working memory a page edits: a scope and the id of its record."""

    scope: Scope
    id: str

    def load(self, store: Store) -> Record | None:
        return self.scope.load(store, self.id)

    def save(self, store: Store, text: str, expected: MemoryVersion) -> Record:
        return self.scope.save(store, self.id, text, expected)


# --- outcomes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """The store wrote the draft; ``record`` is what it holds now."""

    record: Record
    event: AuditEvent


@dataclass(frozen=True)
class Conflict:
    """Someone else changed the memory since the page was loaded; nothing was written.

    ``current`` is the stored record now and ``base`` the text the edit started from, when known.
    ``already_stored``: the stored value already is the draft (an earlier attempt whose answer was
    lost did land, or a teammate typed the same fix), so there is nothing to resolve.
    """

    current: Record
    base: str | None = None
    already_stored: bool = False


@dataclass(frozen=True)
class Gone:
    """The record no longer exists; nothing was written, and nothing was re-created."""


@dataclass(frozen=True)
class Failed:
    """The store refused or could not take the write; nothing was written."""

    error: StoreErrorInfo


@dataclass(frozen=True)
class Unknown:
    """No answer came from the store after the request may have reached it: the write may or may
    not have landed. Recorded in the audit log as unknown, never as failed."""

    error: StoreErrorInfo


SaveOutcome = Applied | Conflict | Gone | Failed | Unknown


# --- the save -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemorySave:
    target: Target
    user: AbstractBaseUser
    #: The stored version the page was loaded from: the write happens only if it is still stored.
    version: MemoryVersion
    #: The text of ``version`` as the form carried it, when its hash proved it; else ``None``.
    base: str | None
    draft: Draft
    #: The history entry whose text a restore puts back; ``None`` for a save of a typed draft.
    restored: AuditEvent | None = None
    #: The person chose, after a conflict, to write the draft over the version stored now.
    overwrites: bool = False
    #: A restore of a timeline version (an agent write included): what the success message names.
    restored_version: str = ""

    @classmethod
    def from_post(
        cls,
        target: Target,
        data: dict[str, Any],
        user: AbstractBaseUser,
        limit: int,
        store: Store | None = None,
    ) -> MemorySave:
        """The save a valid ``MemoryEditForm`` with a version asks for, its draft checked against
        ``limit`` bytes. Raises ``Http404`` for a restore of an event outside this target's history."""
        base: str | None = data["base"] if data["base_verified"] else None
        restored = None
        text: str = data["draft"]
        if data.get("restore_version"):
            version = build_timeline(target.scope.name, target.id, None, store or get_store()).find(
                data["restore_version"]
            )
            if version is None:
                raise Http404("That version is not part of this working memory's timeline.")
            check = check_draft(version.text, detect_mode(version.text), limit)
            return cls(target, user, data["version"], base, check, restored_version=version.label)
        if data["action"] == "restore":
            restored = event_of_target(target.scope.name, target.id, data["restore_event"])
            if restored is None:
                raise Http404("That history entry is not part of this working memory's history.")
            text = restored.before if data["restore_side"] == "before" else restored.after
        # A restore puts back an exact earlier value, in whatever shape it had; a save is checked
        # against the mode of the version it edits (or, if the form lost that, the draft's own shape).
        mode = detect_mode(text) if restored is not None or base is None else detect_mode(base)
        draft = check_draft(text, mode, limit)
        return cls(target, user, data["version"], base, draft, restored, data["action"] == "overwrite")

    @property
    def action(self) -> Action:
        if self.restored is not None or self.restored_version:
            return Action.WORKING_MEMORY_RESTORE
        return Action.WORKING_MEMORY_OVERWRITE if self.overwrites else Action.WORKING_MEMORY_SAVE

    @property
    def changes_nothing(self) -> bool:
        return self.base is not None and same_memory(self.base, self.draft)

    def run(self, store: Store) -> SaveOutcome:
        """Write the draft if ``version`` is still stored, recording the attempt in the audit log."""
        event = AuditEvent.start(
            self.user,
            self.action,
            self.target.scope.name,
            self.target.id,
            before=self.base if self.base is not None else "",
            after=self.draft.value,
            base_version=self.version.token(),
        )
        try:
            record = self.target.save(store, self.draft.value, self.version)
        except ConflictError as exc:
            return self._conflict(event, exc)
        except NotFoundError as exc:
            event.finish(Outcome.FAILED, error=redact(exc.message))
            return Gone()
        except BackendUnavailable as exc:
            if exc.may_have_reached_store:
                # A timeout or a dropped answer after the request was sent: the write may have landed.
                return Unknown(self._store_error(event, exc, Outcome.UNKNOWN))
            return Failed(self._store_error(event, exc, Outcome.FAILED))
        except StoreError as exc:
            return Failed(self._store_error(event, exc, Outcome.FAILED))
        except BaseException as exc:
            # Not a store answer (a bug, an interrupted worker): whether the write landed is unknown.
            event.finish(Outcome.UNKNOWN, error=f"The save was interrupted ({type(exc).__name__}).")
            raise
        event.finish(Outcome.APPLIED, result_version=record.memory_version.token())
        logger.info(
            "%s working memory of %s %s by %s (%s)",
            "Restored" if self.restored is not None else "Saved",
            self.target.scope.name,
            self.target.id,
            self.user.get_username(),
            format_size(self.draft.size),
        )
        return Applied(record, event)

    def _conflict(self, event: AuditEvent, exc: ConflictError) -> Conflict | Gone:
        current: Record | None = exc.current
        if current is None:
            event.finish(Outcome.CONFLICT, error=f"The {self.target.scope.name} no longer exists.")
            return Gone()
        if (current.working_memory or "") == self.draft.value:
            event.finish(
                Outcome.CONFLICT, error="The stored value already equals this text; nothing was written."
            )
            return Conflict(current, already_stored=True)
        event.finish(Outcome.CONFLICT, error=redact(exc.message))
        logger.info(
            "Working memory conflict on %s %s (audit #%s)", self.target.scope.name, self.target.id, event.pk
        )
        base = self.base
        if base is None:
            base = text_of_version(self.target.scope.name, self.target.id, self.version.token())
        return Conflict(current, base=base)

    def _store_error(self, event: AuditEvent, exc: StoreError, outcome: Outcome) -> StoreErrorInfo:
        """Complete ``event`` as ``failed`` (nothing was written) or ``unknown`` (it may have been)."""
        info = describe_store_error(exc)
        event.finish(outcome, error=info.message)
        logger.warning(
            "Working memory save of %s %s: %s (%s, audit #%s): %s",
            self.target.scope.name,
            self.target.id,
            outcome.label,
            type(exc).__name__,
            event.pk,
            info.message,
        )
        return info
