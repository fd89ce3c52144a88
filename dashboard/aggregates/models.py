"""Aggregates that do not grow with the data (DESIGN 5b), kept in the dashboard's database by the
indexer (``rollups.py``) from the store's score feed.

Scores are rolled up per scorer and UTC hour: every chart bucket the scorer page draws (hours,
days from the Unix epoch, weeks from a Monday) is a whole number of hours, so any page reads
O(hours in range) rows however many scores they hold. Each score also keeps a row of its own
(``ScorePoint``): a score saved again under its id moves its contribution, and an hour is always
recomputed from its points, never patched, so the figures stay exact.

Runs keep their last-known status (``RunState``), and counts per workflow and status
(``RunStatusCount``) are recomputed from it for each workflow a page of ``run_changes`` touches.
"""

from __future__ import annotations

from django.db import models

#: Score values are counted in this many equal bins over [0, 1] (``rollups.score_bin``): the
#: page's 10-bin histogram is their sums, and percentiles are estimated within one bin.
SCORE_BINS = 100


class ScorePoint(models.Model):
    score_id = models.TextField(unique=True)
    scorer_id = models.TextField()
    created_at = models.DateTimeField()
    #: ``created_at`` floored to its UTC hour.
    hour = models.DateTimeField()
    #: ``None`` when the stored score is not a finite number.
    value = models.FloatField(null=True)
    #: Which of the ``SCORE_BINS`` bins over [0, 1] the value falls in; -1 outside [0, 1] or none.
    bin = models.SmallIntegerField(default=-1)

    class Meta:
        indexes = [models.Index(fields=["scorer_id", "hour"], name="aggregates_point_hour")]

    def __str__(self) -> str:
        return self.score_id


class ScoreHour(models.Model):
    """One scorer's scores whose ``createdAt`` falls in ``[hour, hour + 1h)``."""

    scorer_id = models.TextField()
    hour = models.DateTimeField()
    #: Finite scores, and their sum, sum of squares, minimum and maximum.
    count = models.BigIntegerField(default=0)
    total = models.FloatField(default=0.0)
    squares = models.FloatField(default=0.0)
    low = models.FloatField(null=True)
    high = models.FloatField(null=True)
    #: Finite scores outside [0, 1] (the page then reads the store: its histogram spans the data).
    outside = models.BigIntegerField(default=0)
    not_finite = models.BigIntegerField(default=0)
    first_at = models.DateTimeField(null=True)
    last_at = models.DateTimeField(null=True)
    #: The count in each of the ``SCORE_BINS`` bins, as a JSON list (rows written before held
    #: ``{"bin": count}`` for the bins with scores only; both are read).
    bins = models.TextField(default="{}")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scorer_id", "hour"], name="aggregates_scorehour_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scorer_id} {self.hour:%Y-%m-%d %H:00}"


class RunState(models.Model):
    """A run's last-known status: a status change moves the run from one count to another."""

    workflow_name = models.TextField()
    run_id = models.TextField()
    status = models.TextField()
    updated_at = models.TextField(default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workflow_name", "run_id"], name="aggregates_runstate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.workflow_name}/{self.run_id}"


class RunStatusCount(models.Model):
    """Runs of one workflow with one status, recomputed from ``RunState`` when a page touches it."""

    workflow_name = models.TextField()
    status = models.TextField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workflow_name", "status"], name="aggregates_runcount_unique")
        ]

    def __str__(self) -> str:
        return f"{self.workflow_name} {self.status}: {self.count}"


class AggregateState(models.Model):
    """Where each aggregate feed resumes, written in the same transaction as the rows it covers."""

    name = models.CharField(max_length=40, unique=True, default="main")
    score_cursor = models.TextField(default="")
    #: What the store said its score feed misses ("" when exact): the pages then read the store.
    score_note = models.TextField(default="")
    run_cursor = models.TextField(default="")
    run_note = models.TextField(default="")
    #: The last ``RunState.id`` checked for deletion (the sweep goes round in id order).
    run_sweep_after = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
