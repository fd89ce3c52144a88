"""People's verdicts on scorer results, kept in the dashboard's own database (the Mastra store is
never written): review queues, the reviews themselves, the labels admins offer, and per-scorer
review settings.

A review keeps a copy of the judge's score and the score's date as they were when it was made, so
the agreement page is computed from this database alone (no store reads, however many reviews).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

#: Permissions (``reviews.<codename>``); which role holds which is set by migration 0002_roles.
REVIEW_PERMISSION = "reviews.review_scores"
MANAGE_PERMISSION = "reviews.manage_reviews"


class Verdict(models.TextChoices):
    AGREE = "agree", "agree"
    DISAGREE = "disagree", "disagree"


class ReviewLabel(models.Model):
    """A label reviewers can put on a score ("hallucination", "wrong tool"); admins edit the set."""

    name = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True)
    #: Retired labels stay on the reviews that carry them but are no longer offered.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ScorerReviewSetting(models.Model):
    """How one scorer's results are judged by people: the scale a reviewer scores on, and the
    threshold that splits scores into pass/fail for Cohen's κ (set by admins)."""

    scorer_id = models.CharField(max_length=255, unique=True)
    threshold = models.FloatField(default=0.5)
    scale_min = models.FloatField(default=0.0)
    scale_max = models.FloatField(default=1.0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.scorer_id}: threshold {self.threshold}"


class ReviewQueue(models.Model):
    """A fixed list of scores to review, built once from a scorer page's filters (see queues.py for
    why it keeps ids rather than a cursor)."""

    name = models.CharField(max_length=200)
    #: ``""``: a queue across every scorer.
    scorer_id = models.CharField(max_length=255, blank=True)
    #: How it was chosen, as a person reads it ("lowest first, source LIVE, last 30 days").
    description = models.CharField(max_length=500, blank=True)
    #: The filters it was built from (a ScoreQuery's parameters plus the selection), for "build again".
    filters = models.JSONField(default=dict)
    #: Reviews each item should get from different people: 1 splits the work between reviewers,
    #: 2 or more overlaps them (for inter-reviewer agreement).
    reviews_wanted = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        default_permissions = ()
        permissions = [
            ("review_scores", "Can review scores and start review queues"),
            ("manage_reviews", "Can edit review labels and scorer review settings"),
        ]

    def __str__(self) -> str:
        return self.name


class QueueItem(models.Model):
    queue = models.ForeignKey(ReviewQueue, on_delete=models.CASCADE, related_name="items")
    #: 1-based place in the queue (the URL of an item).
    position = models.PositiveIntegerField()
    score_id = models.CharField(max_length=255)
    scorer_id = models.CharField(max_length=255)
    #: Who has the item open now, until when: a second reviewer is handed another item meanwhile.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("queue", "position")
        constraints = [
            models.UniqueConstraint(fields=["queue", "position"], name="queue_item_position"),
            models.UniqueConstraint(fields=["queue", "score_id"], name="queue_item_score"),
        ]

    def __str__(self) -> str:
        return f"{self.queue_id}#{self.position} {self.score_id}"


class Review(models.Model):
    """One person's verdict on one score: at most one per reviewer and score (a change edits it)."""

    score_id = models.CharField(max_length=255)
    scorer_id = models.CharField(max_length=255)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True)
    #: The reviewer's own score on the scorer's scale; ``None`` when they gave none.
    human_score = models.FloatField(null=True, blank=True)
    labels = models.ManyToManyField(ReviewLabel, blank=True, related_name="reviews")
    note = models.TextField(blank=True)
    #: The judge's score when the review was made (``None``: not a finite number) and its date.
    judge_score = models.FloatField(null=True, blank=True)
    score_created_at = models.DateTimeField(null=True, blank=True)
    #: The queue it was made in, if any (a review outlives its queue).
    queue = models.ForeignKey(ReviewQueue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    #: Bumped by every change: a save from a page showing an older revision is refused, not applied.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("-updated_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["score_id", "reviewer"], name="review_one_per_reviewer"),
        ]
        indexes = [
            models.Index(fields=["scorer_id", "created_at"], name="review_scorer_recent"),
            models.Index(fields=["score_id"], name="review_score"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} on {self.score_id}: {self.verdict or 'no verdict'}"

    def state(self) -> dict[str, Any]:
        """What a reviewer set, as the audit log and undo keep it."""
        return {
            "verdict": self.verdict,
            "human_score": self.human_score,
            "labels": sorted(label.name for label in self.labels.all()),
            "note": self.note,
        }
