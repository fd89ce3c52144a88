"""What the charts draw: Chart.js data (handed to static/js/charts.js through ``json_script``) and
server-side SVG sparklines. The same numbers feed the "Data table" under each chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .stats import DAY, HOUR, Bin, Bucket

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
    return None if value is None else round(value, digits)


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
    means = [b.mean for b in buckets if b.mean is not None]
    low, high = 0.0, 1.0
    if means and (min(means) < 0 or max(means) > 1):
        low, high = min(means), max(means)
        if low == high:
            low, high = low - 0.5, high + 0.5
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    step = inner_w / (len(buckets) - 1) if len(buckets) > 1 else 0
    runs: list[list[tuple[float, float]]] = [[]]
    for i, bucket in enumerate(buckets):
        if bucket.mean is None:
            if runs[-1]:
                runs.append([])
            continue
        x = SPARK_PAD + (i * step if len(buckets) > 1 else inner_w / 2)
        y = SPARK_PAD + inner_h * (1 - (bucket.mean - low) / (high - low))
        runs[-1].append((round(x, 1), round(y, 1)))
    lines = tuple(" ".join(f"{x},{y}" for x, y in run) for run in runs if len(run) > 1)
    dots = tuple(run[0] for run in runs if len(run) == 1)
    return Sparkline(SPARK_WIDTH, SPARK_HEIGHT, lines, dots, label)
