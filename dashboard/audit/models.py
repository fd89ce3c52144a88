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
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

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
    WORKING_MEMORY_SAVE = "working_memory.save", "save of working memory"
    WORKING_MEMORY_RESTORE = "working_memory.restore", "restore of working memory"
    WORKFLOW_RUN_RESUME = "workflow_run.resume", "resume of a workflow run"
    WORKFLOW_RUN_CANCEL = "workflow_run.cancel", "cancel of a workflow run"
    WORKFLOW_RUN_RERUN = "workflow_run.rerun", "new run of a workflow with a run's input"


class TargetType(models.TextChoices):
    RESOURCE = "resource", "resource"
    THREAD = "thread", "thread"
    #: ``target_id`` is ``<workflow name>/<run id>`` (names may hold "/", Mastra's run ids do not).
    WORKFLOW_RUN = "workflow_run", "workflow run"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_target(self, target_type: str, target_id: str) -> AuditEventQuerySet:
        return self.filter(target_type=target_type, target_id=target_id)

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
    target_type = models.CharField(max_length=32, choices=TargetType.choices)
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

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_recent"),
            models.Index(fields=["username", "-created_at"], name="audit_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id} by {self.username} ({self.outcome})"

    # The log is append-only, so no one can rewrite who did what: a row is written once as pending
    # and completed once by ``finish``; nothing edits or deletes it through the model afterwards.
    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutable("Audit events cannot be edited; record a new event instead.")
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
        return f"{self.target_type}:{self.target_id}"

    @property
    def target_url(self) -> str:
        """The page of what the event changed."""
        if self.target_type == TargetType.WORKFLOW_RUN:
            workflow_name, _, run_id = self.target_id.rpartition("/")
            return reverse("workflows:run", args=[workflow_name, run_id]) if workflow_name and run_id else ""
        name = "memory:resource" if self.target_type == TargetType.RESOURCE else "memory:thread"
        return reverse(name, args=[self.target_id])

    def shown_outcome(self, now: datetime | None = None) -> str:
        """The outcome as a person should read it: a save still pending after the grace period
        never completed (the process died or hung), so whether it applied is unknown."""
        if self.outcome == Outcome.PENDING and self.created_at < (now or timezone.now()) - PENDING_GRACE:
            return Outcome.UNKNOWN
        return self.outcome
