"""Who changed what in the Mastra store through the dashboard, and whether it took.

An event is written as ``pending`` *before* the store call and completed after it, so a process that
dies mid-save leaves a visible trace: a pending row older than ``PENDING_GRACE`` is shown as
``unknown`` (the write may or may not have reached the store). A save whose request reached the
store but whose answer never came (a read timeout) is completed as ``unknown`` directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dashboard.core.pages import url_or_empty

#: How long a save may legitimately stay pending (store timeouts are well under this).
PENDING_GRACE = timedelta(minutes=1)


class Outcome(models.TextChoices):
    PENDING = "pending", "pending"
    APPLIED = "applied", "applied"
    #: The Mastra server answered that it would not (or could not be reached): nothing happened.
    REFUSED = "refused", "refused"
    CONFLICT = "conflict", "conflict"
    FAILED = "failed", "failed"
    UNKNOWN = "unknown", "unknown"


class Action(models.TextChoices):
    """What happened. The part before the dot is the event's kind (``Kind``), the audit log's
    coarse filter; add a member here for a new kind of change (no migration needed to record it,
    only to keep Django's choices in step)."""

    WORKING_MEMORY_SAVE = "working_memory.save", "save of working memory"
    WORKING_MEMORY_RESTORE = "working_memory.restore", "restore of working memory"
    WORKING_MEMORY_OVERWRITE = "working_memory.overwrite", "overwrite of a teammate's working memory"
    USER_CREATE = "user.create", "new user"
    USER_ROLE = "user.role", "role change"
    USER_DEACTIVATE = "user.deactivate", "deactivation of a user"
    USER_ACTIVATE = "user.activate", "reactivation of a user"
    USER_DELETE = "user.delete", "deletion of a user"
    USER_PASSWORD_RESET = "user.password_reset", "password reset link"
    USER_PASSWORD_SET = "user.password_set", "password set"
    SIGN_IN = "session.sign_in", "sign-in"
    SIGN_OUT = "session.sign_out", "sign-out"
    SIGN_IN_FAILED = "session.sign_in_failed", "failed sign-in"
    EXPORT_SCORES = "export.scores", "export of scores"
    EXPORT_AUDIT = "export.audit", "export of the audit log"
    SETTINGS_CHANGE = "settings.change", "settings change"
    SCORER_DIRECTION = "scorer.direction", "change of a scorer's direction"
    EXPORT_REVIEWS = "export.reviews", "export of reviewed scores"
    REVIEW_SAVE = "review.save", "review of a score"
    REVIEW_UNDO = "review.undo", "undo of a review"
    REVIEW_QUEUE_CREATE = "review.queue_create", "start of a review queue"
    REVIEW_SETTINGS_CHANGE = "review.settings", "change of review labels or settings"
    WORKFLOW_RUN_RESUME = "workflow_run.resume", "resume of a workflow run"
    WORKFLOW_RUN_CANCEL = "workflow_run.cancel", "cancel of a workflow run"
    WORKFLOW_RUN_RERUN = "workflow_run.rerun", "new run of a workflow with a run's input"


class Kind(models.TextChoices):
    """The audit log's kinds of event: the prefix of ``Action`` values."""

    WORKING_MEMORY = "working_memory", "working memory"
    USER = "user", "users and roles"
    SESSION = "session", "sign-in and sign-out"
    EXPORT = "export", "exports"
    SETTINGS = "settings", "settings"
    SCORER = "scorer", "scorer settings"
    REVIEW = "review", "reviews of scores"
    WORKFLOW_RUN = "workflow_run", "workflow runs"


class TargetType(models.TextChoices):
    RESOURCE = "resource", "resource"
    THREAD = "thread", "thread"
    USER = "user", "user"
    SCORER = "scorer", "scorer"
    SCORE = "score", "score"
    #: ``target_id`` is ``<workflow name>/<run id>`` (names may hold "/", Mastra's run ids do not).
    WORKFLOW_RUN = "workflow_run", "workflow run"
    AUDIT_LOG = "audit", "audit log"
    SETTING = "setting", "setting"
    REVIEW_QUEUE = "review_queue", "review queue"
    REVIEW_LABEL = "review_label", "review label"

    @classmethod
    def is_working_memory(cls, target_type: str) -> bool:
        return target_type in (cls.RESOURCE, cls.THREAD)


#: Where each kind of target is shown: URL name, and whether it takes the target id.
TARGET_PAGES: dict[str, tuple[str, bool]] = {
    TargetType.RESOURCE: ("memory:resource", True),
    TargetType.THREAD: ("memory:thread", True),
    TargetType.SCORE: ("reviews:score", True),
    TargetType.REVIEW_QUEUE: ("reviews:queue", True),
    TargetType.REVIEW_LABEL: ("reviews:labels", False),
    TargetType.SCORER: ("scores:scorer", True),
}


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_target(self, target_type: str, target_id: str) -> AuditEventQuerySet:
        return self.filter(target_type=target_type, target_id=target_id)

    def of_kind(self, kind: str) -> AuditEventQuerySet:
        return self.filter(action__startswith=f"{kind}.")

    def with_outcome(self, outcome: str, *, now: datetime | None = None) -> AuditEventQuerySet:
        """Filter on the outcome as shown: stale pending rows count as ``unknown``, not ``pending``."""
        cutoff = (now or timezone.now()) - PENDING_GRACE
        stale = Q(outcome=Outcome.PENDING, created_at__lt=cutoff)
        if outcome == Outcome.UNKNOWN:
            return self.filter(Q(outcome=Outcome.UNKNOWN) | stale)
        if outcome == Outcome.PENDING:
            return self.filter(outcome=Outcome.PENDING, created_at__gte=cutoff)
        return self.filter(outcome=outcome)


class AuditLogImmutable(Exception):
    """Raised on an attempt to change or delete a recorded audit event."""


class AuditEvent(models.Model):
    #: Kept when the user is deleted (``username`` still says who it was).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=64, choices=Action.choices, db_index=True)
    target_type = models.CharField(max_length=32, choices=TargetType.choices, blank=True)
    target_id = models.CharField(max_length=255)
    #: The text the change started from (the editor's base version) and the text it wrote or tried to.
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    #: ``MemoryVersion.token()`` of the base, and of the stored value after an applied change.
    base_version = models.CharField(max_length=120, blank=True)
    result_version = models.CharField(max_length=120, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    #: What went wrong, as shown to the user (never a secret: store errors are redacted first).
    error = models.TextField(blank=True)
    #: One line a person reads in the log ("editor → admin", "CSV, last 7 days"); never a secret.
    detail = models.CharField(max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_recent"),
            models.Index(fields=["username", "-created_at"], name="audit_user_recent"),
            models.Index(fields=["action", "-created_at"], name="audit_action_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id} by {self.username} ({self.outcome})"

    # The log is append-only, so no one can rewrite who did what: a row is written once as pending
    # and completed once by ``finish``; nothing edits or deletes it through the model afterwards.
    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutable("Audit events cannot be edited; record a new event instead.")
        # A requested id may hold a NUL (a hostile link), which PostgreSQL refuses in text: the log
        # keeps the request, with each NUL shown as the symbol for it.
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(value, str) and "\x00" in value:
                setattr(self, field.attname, value.replace("\x00", "\N{SYMBOL FOR NULL}"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogImmutable("Audit events cannot be deleted.")

    @classmethod
    def start(
        cls,
        user: AbstractBaseUser,
        action: str,
        target_type: str,
        target_id: str,
        *,
        before: str,
        after: str,
        base_version: str = "",
    ) -> AuditEvent:
        """Record an attempt as ``pending``; call this before the store call, ``finish`` after it."""
        return cls.objects.create(
            user=user if user.pk else None,
            username=user.get_username(),
            action=action,
            target_type=target_type,
            target_id=target_id,
            before=before,
            after=after,
            base_version=base_version,
        )

    def finish(self, outcome: str, *, error: str = "", result_version: str = "") -> None:
        """Complete a pending event, once. Only a pending row is ever updated, and only here."""
        completed_at = timezone.now()
        updated = AuditEvent.objects.filter(pk=self.pk, outcome=Outcome.PENDING).update(
            outcome=outcome, error=error, result_version=result_version, completed_at=completed_at
        )
        if not updated:
            raise AuditLogImmutable(f"Audit event {self.pk} is already complete; it cannot be changed.")
        self.outcome, self.error, self.result_version = outcome, error, result_version
        self.completed_at = completed_at

    @property
    def target(self) -> str:
        return f"{self.target_type}:{self.target_id}" if self.target_type else ""

    @property
    def kind(self) -> str:
        return self.action.partition(".")[0]

    @property
    def is_working_memory(self) -> bool:
        return TargetType.is_working_memory(self.target_type)

    @property
    def target_url(self) -> str:
        """The page of what the event changed ("" when its id cannot be linked)."""
        if self.target_type == TargetType.WORKFLOW_RUN:
            workflow_name, _, run_id = self.target_id.rpartition("/")
            return url_or_empty("workflows:run", workflow_name, run_id) if workflow_name and run_id else ""
        name, with_id = TARGET_PAGES.get(self.target_type, ("", False))
        if not name:
            return ""
        return url_or_empty(name, self.target_id) if with_id else url_or_empty(name)

    def shown_outcome(self, now: datetime | None = None) -> str:
        """The outcome as a person should read it: a save still pending after the grace period
        never completed (the process died or hung), so whether it applied is unknown."""
        if self.outcome == Outcome.PENDING and self.created_at < (now or timezone.now()) - PENDING_GRACE:
            return Outcome.UNKNOWN
        return self.outcome


def record_event(
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target_type: str = "",
    target_id: str = "",
    *,
    detail: str = "",
    before: str = "",
    after: str = "",
    outcome: str = Outcome.APPLIED,
    error: str = "",
    username: str = "",
) -> AuditEvent:
    """Record one completed change made through the dashboard; the one call every area makes.

    ``action`` is an ``Action`` value; ``target_type``/``target_id`` say what it changed (a
    ``TargetType`` and an id, or nothing); ``detail`` is one line for the log ("viewer → editor");
    ``before``/``after`` are short values the change replaced (never a password or a secret).
    ``username`` names who acted when there is no signed-in user (a failed sign-in: the name typed).
    For a write to the Mastra store, which can fail halfway, use ``AuditEvent.start`` and ``finish``.
    """
    signed_in = user is not None and user.is_authenticated
    now = timezone.now()
    return AuditEvent.objects.create(
        user=user if signed_in and user.pk else None,  # type: ignore[misc]
        username=(user.get_username() if signed_in and user is not None else username)[:150],
        action=action,
        target_type=target_type,
        target_id=target_id[:255],
        detail=detail[:500],
        before=before,
        after=after,
        outcome=outcome,
        error=error,
        created_at=now,
        completed_at=now,
    )
