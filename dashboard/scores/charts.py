"""What the charts draw: the scorer page's figures (``build_scorer_page``), their Chart.js data
(handed to static/js/charts.js in ``data-chart-data`` attributes) and server-side SVG sparklines.
The same numbers feed the "Data table" under each chart."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboard.core.store import get_store
from storeclient.models import ScoreSeries

from . import stats
from .forms import ScoreQuery
from .stats import DAY, HOUR, Bin, Bucket

#: Points fetched for the scorer page's order statistics and histogram; beyond it the store
#: returns an evenly spread sample (counts, means, minima and maxima come exact from score_buckets).
SERIES_MAX_POINTS = 5_000
HISTOGRAM_BINS = 10
BUCKET_NAMES = {stats.HOUR: "hour", stats.DAY: "day", stats.WEEK: "week"}

SPARK_WIDTH = 300
SPARK_HEIGHT = 48
SPARK_PAD = 4


def bucket_label(bucket: Bucket, size: int) -> str:
    """Short UTC labels: "Jan 9 14:00" for hours, "Jan 9" for days, "Wk of Jan 5" for weeks."""
    start = bucket.start
    day = f"{start:%b} {start.day}"
    if size <= HOUR:
        return f"{day} {start:%H:%M}"
    if size <= DAY:
        return day
    return f"Wk of {day}" + (f" {start:%Y}" if start.month == 1 and start.day <= 7 else "")


def rounded(value: float | None, digits: int = 4) -> float | None:
    # JSON has no Infinity or NaN: the chart would not parse its data at all.
    return None if value is None or not math.isfinite(value) else round(value, digits)


def timeseries_data(buckets: Sequence[Bucket], size: int) -> dict[str, Any]:
    """Mean per bucket with its min-max band and counts; ``None`` where a bucket is empty."""
    return {
        "kind": "timeseries",
        "labels": [bucket_label(b, size) for b in buckets],
        "starts": [b.start.isoformat().replace("+00:00", "Z") for b in buckets],
        "mean": [rounded(b.mean) for b in buckets],
        "min": [rounded(b.min) for b in buckets],
        "max": [rounded(b.max) for b in buckets],
        "count": [b.count for b in buckets],
    }


def bin_label(item: Bin) -> str:
    return f"{item.low:.2f}–{item.high:.2f}"


def histogram_data(bins: Sequence[Bin]) -> dict[str, Any]:
    return {"kind": "histogram", "labels": [bin_label(b) for b in bins], "count": [b.count for b in bins]}


@dataclass(frozen=True)
class Sparkline:
    """Polylines (one per run of non-empty buckets) and dots for isolated buckets, in SVG units."""

    width: int
    height: int
    lines: tuple[str, ...]
    dots: tuple[tuple[float, float], ...]
    label: str

    @property
    def empty(self) -> bool:
        return not self.lines and not self.dots


def sparkline(buckets: Sequence[Bucket], *, label: str = "") -> Sparkline:
    """Bucket means on a fixed [0, 1] scale (or the observed range when a mean falls outside it)."""
    means = stats.finite(b.mean for b in buckets if b.mean is not None)
    low, high = stats.scale_range(means)
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    step = inner_w / (len(buckets) - 1) if len(buckets) > 1 else 0
    runs: list[list[tuple[float, float]]] = [[]]
    for i, bucket in enumerate(buckets):
        if bucket.mean is None or not math.isfinite(bucket.mean):
            if runs[-1]:
                runs.append([])
            continue
        x = SPARK_PAD + (i * step if len(buckets) > 1 else inner_w / 2)
        y = SPARK_PAD + inner_h * (1 - stats.position(bucket.mean, low, high))
        runs[-1].append((round(x, 1), round(y, 1)))
    lines = tuple(" ".join(f"{x},{y}" for x, y in run) for run in runs if len(run) > 1)
    dots = tuple(run[0] for run in runs if len(run) == 1)
    return Sparkline(SPARK_WIDTH, SPARK_HEIGHT, lines, dots, label)


# --- the scorer page ----------------------------------------------------------------------------------


@dataclass
class ScorerPage:
    """Everything the scorer page's statistics and charts show, built with two store calls."""

    series: ScoreSeries
    summary: stats.Summary
    bucket_seconds: int
    buckets: list[stats.Bucket]
    bins: list[stats.Bin]
    capped: bool
    notes: list[str] = field(default_factory=list)
    #: Built from the dashboard's index (``dashboard.aggregates``) rather than the store's scores:
    #: every figure is exact but the median and percentiles, estimated within 0.01.
    from_index: bool = False
    #: How far the index was behind the store, in seconds (the store was read for the rest).
    index_behind: float | None = None
    #: Why the store's scores were read instead of the index ("" when the index served the page).
    index_note: str = ""

    @property
    def sampled(self) -> bool:
        return self.series.sampled and not self.from_index

    @property
    def estimated(self) -> bool:
        """The median and percentiles are not exact (a sample, or the index's bins)."""
        return self.sampled or self.from_index

    @property
    def scores_shown(self) -> int:
        """Scores the histogram counts."""
        return self.summary.count if self.from_index else len(self.series.points)

    def chart_context(self) -> dict[str, Any]:
        """The template's chart data (JSON for the canvases) and the rows of their data tables."""
        timeseries = timeseries_data(self.buckets, self.bucket_seconds)
        return {
            "bucket_name": BUCKET_NAMES.get(self.bucket_seconds, "bucket"),
            "timeseries": timeseries,
            "timeseries_json": json.dumps(timeseries),
            "histogram_json": json.dumps(histogram_data(self.bins)),
            "histogram_rows": [(bin_label(b), b.count) for b in self.bins],
            "timeseries_rows": [(bucket_label(b, self.bucket_seconds), b) for b in self.buckets if b.count],
        }


def chart_span(query: ScoreQuery, series: ScoreSeries, moment: datetime) -> tuple[datetime, datetime] | None:
    """The time span the chart covers: the chosen range, or the scores' own span where the range is
    open (all time, a custom range with one end)."""
    start, end = query.bounds(moment)
    first = series.points[0].created_at if series.points else None
    last = series.points[-1].created_at if series.points else None
    start = start or first
    end = end or last
    if start is None or end is None:
        return None
    return start, max(start, end)


def build_scorer_page(scorer_id: str, query: ScoreQuery, moment: datetime) -> ScorerPage | None:
    """``None`` when no score matches the query."""
    store = get_store()
    filters = query.store_filters(moment)
    series = store.scores.score_series(scorer_id, **filters, max_points=SERIES_MAX_POINTS)
    span = chart_span(query, series, moment)
    if span is None or not series.points:
        if series.not_finite:
            # Only scores that are not numbers: no figures, but the page still lists them.
            return ScorerPage(series, stats.Summary(count=0), HOUR, [], stats.histogram([]), capped=False)
        return None
    size = stats.bucket_size_for(span[1] - span[0])
    origin = stats.bucket_origin(size)
    aggregated = store.scores.score_buckets(scorer_id, **filters, bucket_seconds=size, origin=origin)
    exact = stats.combine(aggregated.buckets)
    sample = stats.summarize(p.score for p in series.points)
    summary = stats.Summary(
        count=exact.count,
        mean=exact.mean,
        median=sample.median,
        p10=sample.p10,
        p90=sample.p90,
        min=exact.min,
        max=exact.max,
        stddev=sample.stddev,
    )
    return ScorerPage(
        series=series,
        summary=summary,
        bucket_seconds=size,
        buckets=stats.fill_buckets(aggregated.buckets, span[0], span[1], size, origin),
        bins=stats.histogram([p.score for p in series.points], HISTOGRAM_BINS),
        capped=aggregated.capped or series.total_at_least,
    )
