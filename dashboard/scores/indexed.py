"""The scorer page from the dashboard's index (``dashboard.aggregates``): O(hours in range) rows
from the hourly rollups, plus the store's own scores for the two stretches the rollups cannot
answer exactly, so every figure but the percentiles is exact at any size, on either store.

    [start ......|===== whole hours from the rollups =====|...... end]
     head: store  (ceil_hour(start))          (tail start)   tail: store

The head is the part of the first hour before the range starts; the tail starts an hour before the
index last caught up (``synced_at``), so a score written since then comes from the store. The page
falls back to the store's exact path (``charts.build_scorer_page``) when a filter other than the
dates is set (the rollups are per scorer only), when a score lies outside [0, 1] (the histogram
then spans the data), or when the index is stale or inexact; it says which. It also reads the
store when the range holds at most ``READ_WHOLE_UP_TO`` scores: the store then reads them all, a
bounded cost, and the median and percentiles stay exact (beyond, the store only had a sample).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dashboard.aggregates.rollups import Figures, ceil_hour, floor_hour, hours_of, score_feed_note, span_of
from dashboard.core.store import get_store
from dashboard.search.freshness import Freshness
from dashboard.search.indexer import status
from storeclient.models import ScorePoint, ScoreSeries

from . import stats
from .charts import HISTOGRAM_BINS, SERIES_MAX_POINTS, ScorerPage, build_scorer_page
from .forms import ScoreQuery

#: Up to this many scores in range the store reads them whole, as it did before the index.
READ_WHOLE_UP_TO = SERIES_MAX_POINTS
#: How long before the index's last catch-up the store is read again (writers' clocks, settling).
TAIL_MARGIN = timedelta(hours=1)
#: The store's ``to_date`` is inclusive at millisecond precision (ISO strings).
MILLISECOND = timedelta(milliseconds=1)


def scorer_page(scorer_id: str, query: ScoreQuery, moment: datetime) -> ScorerPage | None:
    """The scorer page's figures, from the index when it can answer exactly, else from the store."""
    if query.source or query.entity_type or query.entity_id:
        return _from_store(scorer_id, query, moment, "Filtered by source or entity: read from the store.")
    # The page never indexes itself (that is the worker's job, and would cost the page store
    # calls): without a fresh index it reads the store as it always has.
    freshness = Freshness(status())
    note = score_feed_note()
    if freshness.problem or freshness.stale or note or freshness.status.synced_at is None:
        reason = note or freshness.problem or "the dashboard's index is behind the store"
        return _from_store(scorer_id, query, moment, f"Read from the store: {reason.rstrip('.')}.")
    page = _from_index(scorer_id, query, moment, freshness.status.synced_at)
    if page is None:
        return _from_store(scorer_id, query, moment, "Read from the store.")
    if page.summary.count <= READ_WHOLE_UP_TO:
        # Few enough to read whole, as before the index: exact percentiles, and a histogram that
        # spans the data however it is spread, for a bounded cost.
        return _from_store(scorer_id, query, moment, "")
    page.index_behind = freshness.seconds_behind
    return page


def _from_store(scorer_id: str, query: ScoreQuery, moment: datetime, note: str) -> ScorerPage | None:
    page = build_scorer_page(scorer_id, query, moment)
    if page is not None:
        page.index_note = note
    return page


def _slice(scorer_id: str, start: datetime | None, end: datetime) -> ScoreSeries | None:
    """Every score of ``[start, end]`` (``None`` when there are too many to read whole)."""
    series = get_store().scores.score_series(
        scorer_id, from_date=start, to_date=end, max_points=SERIES_MAX_POINTS
    )
    return None if series.sampled or series.total_at_least else series


def _from_index(
    scorer_id: str, query: ScoreQuery, moment: datetime, synced_at: datetime
) -> ScorerPage | None:
    start, bound = query.bounds(moment)
    end = bound or moment
    middle_start = ceil_hour(start) if start is not None else None
    middle_end = min(floor_hour(synced_at - TAIL_MARGIN), floor_hour(end))
    if middle_start is not None and middle_start >= middle_end:
        return None  # a range inside an hour or two: the store reads it as cheaply
    hours = hours_of(scorer_id, middle_start, middle_end)
    edges: list[ScorePoint] = []
    not_finite = 0
    stretches = [(middle_end, end)]
    if start is not None and middle_start is not None and start < middle_start:
        stretches.insert(0, (start, middle_start - MILLISECOND))
    for low, high in stretches:
        series = _slice(scorer_id, low, high)
        if series is None:
            return None
        edges.extend(series.points)
        not_finite += series.not_finite
    everything = Figures()
    for row in hours:
        everything.add_hour(row)
    everything.add_bins(hours)
    if hours:
        everything.add_span(*span_of(scorer_id, middle_start, middle_end))
    for point in edges:
        everything.add_point(point.created_at, point.score)
    if everything.outside:
        return None
    not_finite += everything.not_finite
    if everything.first_at is None or everything.last_at is None:
        if not_finite:
            empty = ScoreSeries(points=[], total=0, not_finite=not_finite)
            return ScorerPage(
                empty, stats.Summary(count=0), stats.HOUR, [], stats.histogram([]), capped=False
            )
        return None
    span_start = start or everything.first_at
    span_end = max(span_start, bound or everything.last_at)
    size = stats.bucket_size_for(span_end - span_start)
    origin = stats.bucket_origin(size)
    per_bucket: dict[datetime, Figures] = {}
    for row in hours:
        per_bucket.setdefault(stats.bucket_start(row.hour, size, origin), Figures()).add_hour(row)
    for point in edges:
        per_bucket.setdefault(stats.bucket_start(point.created_at, size, origin), Figures()).add_point(
            point.created_at, point.score
        )
    buckets = [
        stats.Bucket(moment_, f.count, f.mean, f.low, f.high)
        for moment_, f in sorted(per_bucket.items())
        if f.count
    ]
    summary = stats.Summary(
        count=everything.count,
        mean=everything.mean,
        median=everything.percentile(50),
        p10=everything.percentile(10),
        p90=everything.percentile(90),
        min=everything.low if everything.count else None,
        max=everything.high if everything.count else None,
        stddev=everything.stddev,
    )
    return ScorerPage(
        series=ScoreSeries(points=edges, total=everything.count, not_finite=not_finite),
        summary=summary,
        bucket_seconds=size,
        buckets=stats.fill_buckets(buckets, span_start, span_end, size, origin),
        bins=_histogram(everything),
        capped=False,
        from_index=True,
    )


def _histogram(figures: Figures) -> list[stats.Bin]:
    """The page's bins over [0, 1], summed from the index's finer bins (same edges)."""
    per = len(figures.bins) // HISTOGRAM_BINS
    edges = [i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS)] + [1.0]
    return [
        stats.Bin(edges[i], edges[i + 1], sum(figures.bins[i * per : (i + 1) * per]))
        for i in range(HISTOGRAM_BINS)
    ]
