"""Statistics, time buckets and histograms over scores: pure functions, no Django, no store.

Conventions, so a number on the page can be checked by hand:

* Percentiles interpolate linearly between the two nearest ranks (numpy's default ``linear``
  method): ``h = (n - 1) * q``, then ``x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])``.
* The standard deviation is the population one (numpy's default, ``statistics.pstdev``).
* Buckets are half-open ``[start, start + size)`` intervals counted in whole seconds from an origin:
  the Unix epoch for hours and days (so UTC midnights), a Monday for weeks. The stores' own
  ``score_buckets`` use the same arithmetic.
* Histogram bins are equal-width over ``[0, 1]``, or over the observed range when a score falls
  outside it; the last bin includes its upper edge (numpy's convention).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

HOUR = 3_600
DAY = 86_400
WEEK = 7 * DAY

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The first Monday after the Unix epoch: weekly buckets start on Mondays (ISO weeks).
MONDAY = datetime(1970, 1, 5, tzinfo=UTC)

#: fill_buckets never lays out more slots than this; beyond it only the non-empty buckets are kept.
MAX_SLOTS = 5_000


class Point(Protocol):
    """A score with its time (``storeclient.models.ScorePoint`` or ``Score``)."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def score(self) -> float: ...


class Aggregate(Protocol):
    """One bucket's figures (``storeclient.models.ScoreBucket`` or ``Bucket``)."""

    @property
    def start(self) -> datetime: ...

    @property
    def count(self) -> int: ...

    @property
    def mean(self) -> float | None: ...

    @property
    def min(self) -> float | None: ...

    @property
    def max(self) -> float | None: ...


# --- summary statistics ---------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float, *, presorted: bool = False) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation; ``None`` for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, not {q!r}")
    ordered = values if presorted else sorted(values)
    if not ordered:
        return None
    h = (len(ordered) - 1) * q / 100
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    gap = ordered[high] - ordered[low]
    if not math.isfinite(gap):
        # Two scores either side of zero near the largest double: their gap overflows.
        return ordered[low] * (1 - (h - low)) + ordered[high] * (h - low)
    return ordered[low] + (h - low) * gap


def mean(values: Sequence[float]) -> float | None:
    """The mean of finite values, ``None`` for none; the plain sum of scores near the largest
    double overflows, dividing first cannot."""
    if not values:
        return None
    try:
        return math.fsum(values) / len(values)
    except OverflowError:
        return math.fsum(v / len(values) for v in values)


def pstdev(values: Sequence[float], average: float) -> float:
    """Population standard deviation, scaled by the largest magnitude so squares cannot overflow."""
    scale = max(abs(v) for v in values)
    if not scale:
        return 0.0
    try:
        return math.sqrt(math.fsum((v - average) ** 2 for v in values) / len(values))
    except OverflowError:
        spread = math.fsum((v / scale - average / scale) ** 2 for v in values) / len(values)
        return min(math.sqrt(spread) * scale, math.inf)


def finite(values: Iterable[float]) -> list[float]:
    """The values statistics can use: a stored score can be infinite or NaN (it is shown, with a
    placeholder, but counted nowhere)."""
    return [v for v in values if math.isfinite(v)]


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float | None = None
    median: float | None = None
    p10: float | None = None
    p90: float | None = None
    min: float | None = None
    max: float | None = None
    stddev: float | None = None


def summarize(values: Iterable[float]) -> Summary:
    """Count, mean, median, p10, p90, min, max and population standard deviation."""
    ordered = sorted(finite(values))
    if not ordered:
        return Summary(count=0)
    average = mean(ordered)
    assert average is not None
    return Summary(
        count=len(ordered),
        mean=average,
        median=percentile(ordered, 50, presorted=True),
        p10=percentile(ordered, 10, presorted=True),
        p90=percentile(ordered, 90, presorted=True),
        min=ordered[0],
        max=ordered[-1],
        stddev=pstdev(ordered, average),
    )


def combine(buckets: Iterable[Aggregate]) -> Summary:
    """Count, mean, min and max of everything in ``buckets`` (exact, from the per-bucket figures);
    the order statistics need the scores themselves and stay ``None``."""
    count, low, high = 0, math.inf, -math.inf
    used: list[Aggregate] = []
    for bucket in buckets:
        if not bucket.count or bucket.mean is None or bucket.min is None or bucket.max is None:
            continue
        if not math.isfinite(bucket.mean):
            continue
        used.append(bucket)
        count += bucket.count
        low, high = min(low, bucket.min), max(high, bucket.max)
    if not count:
        return Summary(count=0)
    try:
        average = math.fsum(b.mean * b.count for b in used if b.mean is not None) / count
    except OverflowError:
        average = math.fsum(b.mean * (b.count / count) for b in used if b.mean is not None)
    return Summary(count=count, mean=average, min=low, max=high)


# --- time buckets -------------------------------------------------------------------------------------


def bucket_size_for(span: timedelta) -> int:
    """Hourly up to 2 days, daily up to 90 days, weekly beyond."""
    if span <= timedelta(days=2):
        return HOUR
    if span <= timedelta(days=90):
        return DAY
    return WEEK


def bucket_origin(size: int) -> datetime:
    return MONDAY if size == WEEK else EPOCH


def bucket_start(moment: datetime, size: int, origin: datetime | None = None) -> datetime:
    """The start of the bucket ``moment`` falls in."""
    base = math.floor((origin or bucket_origin(size)).timestamp())
    seconds = math.floor(moment.timestamp())
    return datetime.fromtimestamp(base + (seconds - base) // size * size, tz=UTC)


@dataclass(frozen=True)
class Bucket:
    start: datetime
    count: int = 0
    mean: float | None = None
    min: float | None = None
    max: float | None = None


def bucket_points(points: Iterable[Point], size: int, origin: datetime | None = None) -> list[Bucket]:
    """Count, mean, min and max per bucket, oldest first; only buckets holding points."""
    grouped: dict[datetime, list[float]] = {}
    for point in points:
        if not math.isfinite(point.score):
            continue
        grouped.setdefault(bucket_start(point.created_at, size, origin), []).append(point.score)
    return [
        Bucket(start, len(values), mean(values), min(values), max(values))
        for start, values in sorted(grouped.items())
    ]


def fill_buckets(
    buckets: Iterable[Aggregate], start: datetime, end: datetime, size: int, origin: datetime | None = None
) -> list[Bucket]:
    """Every bucket from the one holding ``start`` to the one holding ``end``, empty ones included
    (a chart shows a gap rather than joining two distant days). Buckets outside the span are kept
    too, in order. Past ``MAX_SLOTS`` slots only the given buckets come back."""
    given = {b.start: Bucket(b.start, b.count, b.mean, b.min, b.max) for b in buckets}
    first, last = bucket_start(start, size, origin), bucket_start(end, size, origin)
    if last < first or (last - first).total_seconds() / size >= MAX_SLOTS:
        return [given[key] for key in sorted(given)]
    slots = dict(given)
    step = timedelta(seconds=size)
    moment = first
    while True:
        slots.setdefault(moment, Bucket(moment))
        # Compared before stepping: a score dated 9999-12-31 has no bucket after it to step to.
        if last - moment < step:
            break
        moment += step
    return [slots[key] for key in sorted(slots)]


# --- periods -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """The mean of the last period against the one before it."""

    current: float | None
    previous: float | None
    current_count: int
    previous_count: int

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


def split_periods(
    points: Iterable[Point], now: datetime, period: timedelta
) -> tuple[list[float], list[float]]:
    """Scores in ``(now - period, now]`` and in ``(now - 2 * period, now - period]``."""
    current: list[float] = []
    previous: list[float] = []
    for point in points:
        if not math.isfinite(point.score):
            continue
        if now - period < point.created_at <= now:
            current.append(point.score)
        elif now - 2 * period < point.created_at <= now - period:
            previous.append(point.score)
    return current, previous


def mean_change(points: Iterable[Point], now: datetime, period: timedelta) -> Change:
    current, previous = split_periods(points, now, period)
    return Change(mean(current), mean(previous), len(current), len(previous))


# --- histogram --------------------------------------------------------------------------------------


def scale_range(values: Sequence[float]) -> tuple[float, float]:
    """[0, 1], or [min, max] when a value falls outside it; a range of one value is widened by 0.5
    each way (as numpy does), or by a sliver of it where 0.5 is lost in rounding (1e308 ± 0.5)."""
    if not values or (min(values) >= 0 and max(values) <= 1):
        return 0.0, 1.0
    low, high = float(min(values)), float(max(values))
    if low == high:
        pad = max(0.5, abs(low) * 2.0**-20)
        low, high = max(low - pad, -sys.float_info.max), min(high + pad, sys.float_info.max)
    return low, high


def position(value: float, low: float, high: float) -> float:
    """Where ``value`` sits between ``low`` (0) and ``high`` (1), without overflowing the gap."""
    return (value / 2 - low / 2) / (high / 2 - low / 2)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int


def histogram(values: Sequence[float], bins: int = 10) -> list[Bin]:
    """Equal-width bins over [0, 1], or over [min, max] when a value falls outside [0, 1] (a range of
    one value is widened by 0.5 each way, as numpy does)."""
    if bins < 1:
        raise ValueError("bins must be >= 1")
    values = finite(values)
    low, high = scale_range(values)
    if math.isfinite(high - low):
        edges = [low + (high - low) * i / bins for i in range(bins)] + [high]
    else:  # scores either side of zero near the largest double: step without the overflowing gap
        edges = [low + (high / bins - low / bins) * i for i in range(bins)] + [high]
    counts = [0] * bins
    for value in values:
        index = min(max(int(position(value, low, high) * bins), 0), bins - 1)
        # The division can land one bin off at an edge (0.3 / 0.1 < 3): settle it on the edges.
        if value < edges[index] and index > 0:
            index -= 1
        elif index < bins - 1 and value >= edges[index + 1]:
            index += 1
        counts[index] += 1
    return [Bin(edges[i], edges[i + 1], n) for i, n in enumerate(counts)]
