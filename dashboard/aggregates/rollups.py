"""The indexer's score feed: ``score_changes`` into ``ScorePoint`` rows and per-hour ``ScoreHour``
rollups (models.py), and the reads the scorer page makes of them.

One page of the feed is written in one transaction with its cursor, fenced by the indexer's lease
(``Indexer.fence``), so a page read twice changes nothing and a worker that lost its lease writes
nothing. Each hour a page touches (where its scores fall now, and where a score saved again under
its id used to be) is recomputed from its points with one grouped query: the cost is the page's
hours, and a rollup can never drift from the points it summarises.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

import orjson
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum

from dashboard.search.models import MAX_ID_CHARS
from storeclient.models import Score

from .models import SCORE_BINS, AggregateState, ScoreHour, ScorePoint

if TYPE_CHECKING:
    from dashboard.search.indexer import Indexer

STATE_NAME = "main"
SCORE_PAGE = 500
HOUR = timedelta(hours=1)
#: The inner edges of the value bins, i/SCORE_BINS: the same floats as the page histogram's
#: edges (i/10 and 10i/100 are one rational, rounded once), so its bins are sums of these.
_INNER_EDGES = [i / SCORE_BINS for i in range(1, SCORE_BINS)]


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def ceil_hour(moment: datetime) -> datetime:
    floor = floor_hour(moment)
    return floor if floor == moment else floor + HOUR


def score_bin(value: float | None) -> int:
    """The bin of ``value`` over [0, 1] (the last bin holds 1.0 too), -1 outside or for none."""
    if value is None or not 0 <= value <= 1:
        return -1
    return bisect_right(_INNER_EDGES, value)


#: An hour with no score inside [0, 1].
EMPTY_BINS = [0] * SCORE_BINS


def _dense(bins: list[int] | dict[str, int]) -> list[int]:
    """An hour's bins as ``SCORE_BINS`` counts. Older rows hold ``{"bin": count}`` (bins with
    scores only); they are read as they are until the indexer recomputes their hour."""
    if isinstance(bins, list) and len(bins) == SCORE_BINS:
        return bins
    dense = [0] * SCORE_BINS
    pairs = bins.items() if isinstance(bins, dict) else enumerate(bins)
    for index, n in pairs:
        if 0 <= int(index) < SCORE_BINS:
            dense[int(index)] += int(n)
    return dense


def _finite(score: Score) -> float | None:
    return float(score.score) if score.has_finite_score else None


def _storable(value: str) -> bool:
    return bool(value) and len(value) <= MAX_ID_CHARS and "\x00" not in value


# --- the feed ---------------------------------------------------------------------------------------


class ScoreRollups:
    """The indexer's extra feed (``dashboard.search.indexer.ExtraFeed``)."""

    def page(self, indexer: Indexer) -> bool:
        state, _ = AggregateState.objects.get_or_create(name=STATE_NAME)
        page = indexer.store.scores.score_changes(state.score_cursor or None, limit=SCORE_PAGE)
        with transaction.atomic():
            write_scores(page.items)
            AggregateState.objects.filter(name=STATE_NAME).update(
                score_cursor=page.cursor,
                score_note=(page.note or "The store can only approximate its score feed.")
                if page.limited
                else "",
            )
            indexer.fence()
        return page.has_more

    def reset(self) -> None:
        ScorePoint.objects.all().delete()
        ScoreHour.objects.all().delete()
        AggregateState.objects.filter(name=STATE_NAME).update(score_cursor="", score_note="")


SCORE_ROLLUPS = ScoreRollups()


def write_scores(scores: Sequence[Score]) -> None:
    """Upsert the scores' points and recompute every hour they touch (old and new)."""
    latest = {s.id: s for s in scores if _storable(s.id) and _storable(s.scorer_id)}
    if not latest:
        return
    touched: set[tuple[str, datetime]] = set(
        ScorePoint.objects.filter(score_id__in=list(latest)).values_list("scorer_id", "hour")
    )
    ScorePoint.objects.filter(score_id__in=list(latest)).delete()
    points = []
    for score in latest.values():
        value = _finite(score)
        hour = floor_hour(score.created_at)
        touched.add((score.scorer_id, hour))
        points.append(
            ScorePoint(
                score_id=score.id,
                scorer_id=score.scorer_id,
                created_at=score.created_at,
                hour=hour,
                value=value,
                bin=score_bin(value),
            )
        )
    ScorePoint.objects.bulk_create(points, batch_size=500)
    recompute_hours(touched)


def recompute_hours(touched: Iterable[tuple[str, datetime]]) -> None:
    by_scorer: dict[str, list[datetime]] = defaultdict(list)
    for scorer_id, hour in touched:
        by_scorer[scorer_id].append(hour)
    for scorer_id, hours in by_scorer.items():
        for i in range(0, len(hours), 400):
            _recompute(scorer_id, hours[i : i + 400])


def _recompute(scorer_id: str, hours: list[datetime]) -> None:
    points = ScorePoint.objects.filter(scorer_id=scorer_id, hour__in=hours)
    figures = points.values("hour").annotate(
        n=Count("value"),
        total=Sum("value"),
        squares=Sum(F("value") * F("value")),
        low=Min("value"),
        high=Max("value"),
        outside=Count("pk", filter=Q(value__isnull=False, bin=-1)),
        not_finite=Count("pk", filter=Q(value__isnull=True)),
        first_at=Min("created_at"),
        last_at=Max("created_at"),
    )
    bins: dict[datetime, list[int]] = defaultdict(lambda: [0] * SCORE_BINS)
    for hour, index, n in (
        points.filter(bin__gte=0)
        .values("hour", "bin")
        .annotate(n=Count("pk"))
        .values_list("hour", "bin", "n")
    ):
        bins[hour][index] = n
    ScoreHour.objects.filter(scorer_id=scorer_id, hour__in=hours).delete()
    ScoreHour.objects.bulk_create(
        [
            ScoreHour(
                scorer_id=scorer_id,
                hour=row["hour"],
                count=row["n"],
                total=row["total"] or 0.0,
                squares=row["squares"] or 0.0,
                low=row["low"],
                high=row["high"],
                outside=row["outside"],
                not_finite=row["not_finite"],
                first_at=row["first_at"],
                last_at=row["last_at"],
                bins=orjson.dumps(bins.get(row["hour"], EMPTY_BINS)).decode(),
            )
            for row in figures
        ],
        batch_size=500,
    )


# --- reading ----------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Scores of one stretch of time, summed from hours and single points."""

    count: int = 0
    total: float = 0.0
    squares: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    outside: int = 0
    not_finite: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    bins: list[int] = field(default_factory=lambda: [0] * SCORE_BINS)

    def add_hour(self, row: HourRow) -> None:
        """Add one hour's rollup, without its value bins (``add_bins``): a chart bucket needs only
        count, mean, min and max, and the bins are most of an hour's cost."""
        self.count += row.count or 0
        self.total += row.total or 0.0
        self.squares += row.squares or 0.0
        if row.low is not None and row.high is not None:
            self.low = min(self.low, row.low)
            self.high = max(self.high, row.high)
        self.outside += row.outside or 0
        self.not_finite += row.not_finite or 0

    def add_bins(self, rows: Sequence[HourRow]) -> None:
        """Add the value bins of these hours: one decode for all of them, summed column-wise."""
        if not rows:
            return
        decoded = orjson.loads("[" + ",".join(row.bins or "[]" for row in rows) + "]")
        columns = zip(self.bins, *(_dense(bins) for bins in decoded), strict=True)
        self.bins = [sum(column) for column in columns]

    def add_point(self, created_at: datetime, value: float) -> None:
        self.count += 1
        self.total += value
        self.squares += value * value
        self.low, self.high = min(self.low, value), max(self.high, value)
        index = score_bin(value)
        if index < 0:
            self.outside += 1
        else:
            self.bins[index] += 1
        self.add_span(created_at, created_at)

    def add_span(self, first: datetime | None, last: datetime | None) -> None:
        """Widen the first and last score times (``span_of`` gives them for a run of hours)."""
        if first is not None and (self.first_at is None or first < self.first_at):
            self.first_at = first
        if last is not None and (self.last_at is None or last > self.last_at):
            self.last_at = last

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    @property
    def stddev(self) -> float | None:
        mean = self.mean
        if mean is None:
            return None
        return math.sqrt(max(0.0, self.squares / self.count - mean * mean))

    def percentile(self, q: float) -> float | None:
        """The ``q``-th percentile as ``stats.percentile`` interpolates it, between order statistics
        estimated within their bins: within one bin's width (0.01) of the exact value. ``None``
        when a score lies outside [0, 1]."""
        if not self.count or self.outside:
            return None
        h = (self.count - 1) * q / 100
        below = math.floor(h)
        low, high = self._order_statistic(below), self._order_statistic(min(below + 1, self.count - 1))
        return low + (h - below) * (high - low)

    def _order_statistic(self, rank: int) -> float:
        """The ``rank``-th smallest score (0-based), placed evenly within the bin that holds it."""
        seen = 0
        for index, n in enumerate(self.bins):
            if n and rank < seen + n:
                share = (rank - seen + 0.5) / n
                estimate = (index + share) / SCORE_BINS
                return min(max(estimate, index / SCORE_BINS, self.low), (index + 1) / SCORE_BINS, self.high)
            seen += n
        return self.high


class HourRow(NamedTuple):
    """One ``ScoreHour`` as the scorer page reads it: no first/last times (``span_of`` gives those
    for the whole range in one query, instead of two datetimes decoded per hour)."""

    hour: datetime
    count: int
    total: float
    squares: float
    low: float | None
    high: float | None
    outside: int
    not_finite: int
    bins: str


def _hours(scorer_id: str, start: datetime | None, end: datetime) -> QuerySet[ScoreHour]:
    rows = ScoreHour.objects.filter(scorer_id=scorer_id, hour__lt=end)
    return rows.filter(hour__gte=start) if start is not None else rows


def hours_of(scorer_id: str, start: datetime | None, end: datetime) -> list[HourRow]:
    """The rollup rows of ``[start, end)`` (whole hours), oldest first: O(hours), whatever they hold."""
    rows = _hours(scorer_id, start, end).order_by("hour").values_list(*HourRow._fields)
    return [HourRow._make(row) for row in rows]


def span_of(scorer_id: str, start: datetime | None, end: datetime) -> tuple[datetime | None, datetime | None]:
    """The first and last score times of the rollup rows of ``[start, end)``."""
    span = _hours(scorer_id, start, end).aggregate(first=Min("first_at"), last=Max("last_at"))
    return span["first"], span["last"]


def score_feed_note() -> str | None:
    """Why the score rollups cannot be trusted as exact (``None`` when they can)."""
    state = AggregateState.objects.filter(name=STATE_NAME).first()
    if state is None or not state.score_cursor:
        return "The score aggregates have not been built yet."
    return state.score_note or None
