"""Per-scorer settings kept in the dashboard's own database (never in the Mastra store).

``direction_for(scorer_id)`` is the one place that says whether a scorer's higher or lower scores
are the better ones; every page that colours a change, ranks "worst first" or looks for regressions
asks it. Admins change it on the scorer page; each change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from dashboard.audit.models import Action, AuditEvent, Outcome, TargetType

#: The longest scorer id a setting can be kept for (Mastra sets no limit; real ids are short).
MAX_SCORER_ID = 512


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class ScorerSetting(models.Model):
    scorer_id = models.CharField(max_length=MAX_SCORER_ID, unique=True)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return f"{self.scorer_id}: {self.get_direction_display()}"


def direction_for(scorer_id: str) -> Direction:
    """The scorer's direction; ``Direction.HIGHER`` unless an admin set it otherwise."""
    if "\x00" in scorer_id:
        return Direction.HIGHER  # no setting can hold a NUL (PostgreSQL refuses them in text)
    found = ScorerSetting.objects.filter(scorer_id=scorer_id).values_list("direction", flat=True).first()
    return Direction(found) if found else Direction.HIGHER


def directions_for(scorer_ids: Iterable[str]) -> dict[str, Direction]:
    """``direction_for`` of many scorers in one query (every id in the result)."""
    ids = list(scorer_ids)
    stored = dict(ScorerSetting.objects.filter(scorer_id__in=ids).values_list("scorer_id", "direction"))
    return {scorer_id: Direction(stored.get(scorer_id, Direction.HIGHER)) for scorer_id in ids}


def set_direction(user: AbstractBaseUser, scorer_id: str, direction: Direction) -> AuditEvent:
    """Store the direction and record who changed it from what (one transaction: the setting and
    its audit event are written together or not at all)."""
    with transaction.atomic():
        before = direction_for(scorer_id)
        event = AuditEvent.start(
            user,
            Action.SCORER_DIRECTION,
            TargetType.SCORER,
            scorer_id,
            before=before.value,
            after=direction.value,
        )
        ScorerSetting.objects.update_or_create(
            scorer_id=scorer_id,
            defaults={
                "direction": direction,
                "updated_at": timezone.now(),
                "updated_by": user.get_username(),
            },
        )
        event.finish(Outcome.APPLIED)
    return event
