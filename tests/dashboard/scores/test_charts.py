"""dashboard.scores.charts: what the sparklines and Chart.js are given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.scores import charts, stats

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def buckets(*means: float | None) -> list[stats.Bucket]:
    return [stats.Bucket(T0 + timedelta(days=i), 0 if m is None else 1, m, m, m) for i, m in enumerate(means)]


def test_a_sparkline_breaks_at_empty_buckets_and_dots_lone_ones():
    line = charts.sparkline(buckets(1.0, 0.0, None, 0.5, None))
    pad, width, height = charts.SPARK_PAD, charts.SPARK_WIDTH, charts.SPARK_HEIGHT
    step = (width - 2 * pad) / 4
    assert line.lines == (f"{pad:.1f},{pad:.1f} {pad + step:.1f},{height - pad:.1f}",)
    assert line.dots == ((round(pad + 3 * step, 1), round(height / 2, 1)),)
    assert not line.empty and charts.sparkline(buckets(None, None)).empty


def test_a_sparkline_uses_the_observed_range_when_means_leave_zero_to_one():
    line = charts.sparkline(buckets(2.0, 4.0))
    top, bottom = charts.SPARK_PAD, charts.SPARK_HEIGHT - charts.SPARK_PAD
    assert line.lines[0].split() == [
        f"{charts.SPARK_PAD:.1f},{bottom:.1f}",
        f"{charts.SPARK_WIDTH - charts.SPARK_PAD:.1f},{top:.1f}",
    ]


def test_chart_data_keeps_empty_buckets_as_gaps():
    data = charts.timeseries_data(buckets(0.25, None), stats.DAY)
    assert data["labels"] == ["Jan 5", "Jan 6"]
    assert data["mean"] == [0.25, None] and data["count"] == [1, 0]
    assert data["starts"] == ["2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"]


def test_labels_follow_the_bucket_size():
    bucket = stats.Bucket(datetime(2026, 1, 5, 14, tzinfo=UTC))
    assert charts.bucket_label(bucket, stats.HOUR) == "Jan 5 14:00"
    assert charts.bucket_label(bucket, stats.DAY) == "Jan 5"
    assert charts.bucket_label(bucket, stats.WEEK) == "Wk of Jan 5 2026"
    assert charts.bucket_label(stats.Bucket(datetime(2026, 3, 9, tzinfo=UTC)), stats.WEEK) == "Wk of Mar 9"
