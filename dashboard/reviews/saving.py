"""Saving one reviewer's verdict on one score, and undoing it: one call, one outcome, audited.

Each save names the revision of the review the page showed (0: none yet). It applies only if that
is still the stored revision, in one conditional UPDATE (or an INSERT the unique constraint guards),
so a second tab or a stale page never overwrites a verdict silently: it gets ``Stale`` with what is
stored. The review and its audit event are written in one transaction: the log has every change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dashboard.audit.models import Action, AuditEvent, Outcome, TargetType
from storeclient.models import Score

from .models import Review, ReviewLabel, ReviewQueue


@dataclass(frozen=True)
class ReviewState:
    """What a reviewer sets on a score."""

    verdict: str
    human_score: float | None
    labels: tuple[str, ...]
    note: str

    @classmethod
    def of(cls, review: Review | None) -> ReviewState | None:
        if review is None:
            return None
        return cls(
            review.verdict,
            review.human_score,
            tuple(sorted(label.name for label in review.labels.all())),
            review.note,
        )

    @classmethod
    def from_json(cls, text: str) -> ReviewState | None:
        if not text:
            return None
        data = json.loads(text)
        return cls(data["verdict"], data["human_score"], tuple(data["labels"]), data["note"])

    def to_json(self) -> str:
        return json.dumps(
            {
                "verdict": self.verdict,
                "human_score": self.human_score,
                "labels": list(self.labels),
                "note": self.note,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @property
    def empty(self) -> bool:
        return not (self.verdict or self.human_score is not None or self.labels or self.note)


@dataclass(frozen=True)
class Saved:
    review: Review | None
    event: AuditEvent


@dataclass(frozen=True)
class Stale:
    """The review changed since the page showed it (another tab, an undo); nothing was written."""

    review: Review | None


SaveOutcome = Saved | Stale


def _state_json(state: ReviewState | None) -> str:
    return state.to_json() if state is not None else ""


def save_review(
    user: AbstractBaseUser,
    score: Score,
    state: ReviewState,
    *,
    revision: int,
    queue: ReviewQueue | None = None,
    action: str = Action.REVIEW_SAVE,
) -> SaveOutcome:
    """Write ``state`` as ``user``'s review of ``score`` if the stored review is still at
    ``revision``. An empty state deletes the review (that is what an undo of a first verdict does)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            current = Review.objects.filter(score_id=score.id, reviewer=user).first()
            if (current.revision if current else 0) != revision:
                raise _StaleError(current)
            before = ReviewState.of(current)
            review: Review | None
            if state.empty:
                review = None
                if current is not None:
                    current.delete()
            elif current is None:
                review = Review.objects.create(
                    score_id=score.id,
                    scorer_id=score.scorer_id,
                    reviewer=user,
                    verdict=state.verdict,
                    human_score=state.human_score,
                    note=state.note,
                    judge_score=score.score if score.has_finite_score else None,
                    score_created_at=score.created_at,
                    queue=queue,
                    created_at=now,
                    updated_at=now,
                    revision=_first_revision(user, score.id),
                )
            else:
                updated = Review.objects.filter(pk=current.pk, revision=revision).update(
                    verdict=state.verdict,
                    human_score=state.human_score,
                    note=state.note,
                    updated_at=now,
                    revision=F("revision") + 1,
                )
                if not updated:
                    raise _StaleError(Review.objects.filter(pk=current.pk).first())
                review = Review.objects.get(pk=current.pk)
            if review is not None:
                review.labels.set(ReviewLabel.objects.filter(name__in=state.labels))
            event = AuditEvent.start(
                user,
                action,
                TargetType.SCORE,
                score.id,
                before=_state_json(before),
                after=_state_json(None if state.empty else state),
            )
            event.finish(Outcome.APPLIED)
    except _StaleError as stale:
        return Stale(stale.review)
    except IntegrityError:
        # Another request created this reviewer's review of this score a moment ago.
        return Stale(Review.objects.filter(score_id=score.id, reviewer=user).first())
    return Saved(review, event)


def undo(user: AbstractBaseUser, score: Score, event_id: int, *, revision: int) -> SaveOutcome | None:
    """Put back what ``user``'s review of ``score`` was before the save recorded as ``event_id``.
    ``None`` when that event is not this user's save of this score."""
    event = AuditEvent.objects.filter(
        pk=event_id,
        user=user,
        target_type=TargetType.SCORE,
        target_id=score.id,
        action__in=(Action.REVIEW_SAVE, Action.REVIEW_UNDO),
    ).first()
    if event is None:
        return None
    previous = ReviewState.from_json(event.before) or ReviewState("", None, (), "")
    return save_review(user, score, previous, revision=revision, action=Action.REVIEW_UNDO)


def _first_revision(user: AbstractBaseUser, score_id: str) -> int:
    """The revision of a new review: above any this reviewer's earlier review of the score had (one
    per recorded change), so a page still showing a review that an undo removed cannot pass for
    the new one."""
    changes = AuditEvent.objects.filter(
        user=user,
        target_type=TargetType.SCORE,
        target_id=score_id,
        action__in=(Action.REVIEW_SAVE, Action.REVIEW_UNDO),
    ).count()
    return changes + 1


class _StaleError(Exception):
    def __init__(self, review: Review | None) -> None:
        self.review = review


def state_from_form(data: dict[str, Any]) -> ReviewState:
    return ReviewState(
        verdict=data.get("verdict") or "",
        human_score=data.get("human_score"),
        labels=tuple(sorted(label.name for label in data.get("labels") or ())),
        note=(data.get("note") or "").strip(),
    )
