"""dashboard.scores.stats, checked against figures computed another way: the ``statistics`` module,
exact fractions, or by hand."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from dashboard.scores import stats
from storeclient.models import ScoreBucket, ScorePoint

from ..conftest import DEMO_NOW
from .conftest import demo_scores, values

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def test_percentiles_interpolate_linearly_between_ranks():
    data = [0.9, 0.1, 0.5, 0.3]  # sorted: 0.1 0.3 0.5 0.9
    assert stats.percentile(data, 50) == pytest.approx(0.4)
    # h = 3 * 0.1 = 0.3 -> 0.1 + 0.3 * (0.3 - 0.1)
    assert stats.percentile(data, 10) == pytest.approx(0.16)
    # h = 3 * 0.9 = 2.7 -> 0.5 + 0.7 * (0.9 - 0.5)
    assert stats.percentile(data, 90) == pytest.approx(0.78)
    assert stats.percentile(data, 0) == 0.1 and stats.percentile(data, 100) == 0.9
    assert stats.percentile([0.42], 10) == 0.42
    assert stats.percentile([], 50) is None
    with pytest.raises(ValueError):
        stats.percentile(data, 101)


def test_the_summary_of_a_demo_scorer_matches_the_statistics_module(demo_set):
    scores = values(demo_scores(demo_set, "answer-relevancy-scorer"))
    summary = stats.summarize(scores)
    deciles = statistics.quantiles(scores, n=10, method="inclusive")
    assert summary.count == len(scores) == 120
    assert summary.mean == pytest.approx(statistics.fmean(scores))
    assert summary.median == pytest.approx(statistics.median(scores))
    assert summary.p10 == pytest.approx(deciles[0])
    assert summary.p90 == pytest.approx(deciles[8])
    assert (summary.min, summary.max) == (min(scores), max(scores))
    assert summary.stddev == pytest.approx(statistics.pstdev(scores))


def test_an_empty_summary_has_a_zero_count_and_no_figures():
    assert stats.summarize([]) == stats.Summary(count=0)


def test_combining_buckets_gives_the_exact_count_mean_min_and_max():
    buckets = [
        ScoreBucket(T0, 2, 0.4, 0.2, 0.6),
        ScoreBucket(T0 + timedelta(days=1), 3, 0.8, 0.5, 1.0),
    ]
    combined = stats.combine(buckets)
    assert combined.count == 5
    assert combined.mean == pytest.approx((0.2 + 0.6 + 3 * 0.8) / 5)
    assert (combined.min, combined.max) == (0.2, 1.0)
    assert combined.median is None
    assert stats.combine([]).count == 0


def test_bucket_sizes_follow_the_range():
    assert stats.bucket_size_for(timedelta(hours=24)) == stats.HOUR
    assert stats.bucket_size_for(timedelta(days=2)) == stats.HOUR
    assert stats.bucket_size_for(timedelta(days=2, seconds=1)) == stats.DAY
    assert stats.bucket_size_for(timedelta(days=90)) == stats.DAY
    assert stats.bucket_size_for(timedelta(days=91)) == stats.WEEK


def test_weeks_start_on_monday_and_days_at_utc_midnight():
    sunday_night = datetime(2026, 1, 11, 23, 59, 59, tzinfo=UTC)
    assert stats.bucket_start(sunday_night, stats.WEEK) == T0
    assert stats.bucket_start(T0 + timedelta(days=7), stats.WEEK) == T0 + timedelta(days=7)
    assert stats.bucket_start(sunday_night, stats.DAY) == datetime(2026, 1, 11, tzinfo=UTC)
    assert stats.bucket_start(sunday_night, stats.HOUR) == datetime(2026, 1, 11, 23, tzinfo=UTC)


def test_points_are_bucketed_with_count_mean_min_and_max():
    points = [
        ScorePoint(T0 + timedelta(hours=1), 0.2),
        ScorePoint(T0 + timedelta(hours=23, minutes=59), 0.6),
        ScorePoint(T0 + timedelta(days=1), 1.0),  # midnight belongs to the next day
        ScorePoint(T0 + timedelta(days=3, hours=5), 0.7),
    ]
    buckets = stats.bucket_points(points, stats.DAY)
    assert [(b.start, b.count, b.min, b.max) for b in buckets] == [
        (T0, 2, 0.2, 0.6),
        (T0 + timedelta(days=1), 1, 1.0, 1.0),
        (T0 + timedelta(days=3), 1, 0.7, 0.7),
    ]
    assert buckets[0].mean == pytest.approx(0.4)


def test_filling_lays_out_every_bucket_of_the_span_with_empty_ones_in_between():
    buckets = stats.bucket_points([ScorePoint(T0 + timedelta(days=1, hours=3), 0.5)], stats.DAY)
    filled = stats.fill_buckets(buckets, T0 + timedelta(hours=12), T0 + timedelta(days=3, hours=1), stats.DAY)
    assert [b.start for b in filled] == [T0 + timedelta(days=d) for d in range(4)]
    assert [b.count for b in filled] == [0, 1, 0, 0]
    assert filled[0].mean is None and filled[1].mean == 0.5


def test_the_mean_change_compares_the_last_period_with_the_one_before():
    now = T0 + timedelta(days=14)
    points = [
        ScorePoint(now - timedelta(days=1), 0.9),
        ScorePoint(now - timedelta(days=6), 0.7),
        ScorePoint(now - timedelta(days=7), 0.5),  # exactly one period ago: the previous period
        ScorePoint(now - timedelta(days=13), 0.3),
        ScorePoint(now - timedelta(days=20), 0.0),  # older than both: ignored
    ]
    change = stats.mean_change(points, now, timedelta(days=7))
    assert (change.current_count, change.previous_count) == (2, 2)
    assert change.current == pytest.approx(0.8) and change.previous == pytest.approx(0.4)
    assert change.delta == pytest.approx(0.4)
    assert stats.mean_change(points[:2], now, timedelta(days=7)).delta is None


def test_the_histogram_puts_edge_values_in_the_bin_they_open():
    bins = stats.histogram([0.0, 0.05, 0.1, 0.3, 0.3, 0.999, 1.0])
    assert [b.count for b in bins] == [2, 1, 0, 2, 0, 0, 0, 0, 0, 2]
    assert (bins[3].low, bins[3].high) == (pytest.approx(0.3), pytest.approx(0.4))
    assert bins[-1].high == 1.0


def test_the_histogram_of_demo_scores_matches_exact_decimal_binning(demo_set):
    scores = values(demo_scores(demo_set, "toxicity-scorer"))
    expected = [0] * 10
    for value in scores:  # demo scores have three decimals: Fraction(str(v)) is exact
        expected[min(int(Fraction(str(value)) * 10), 9)] += 1
    assert [b.count for b in stats.histogram(scores)] == expected


def test_the_histogram_spans_the_observed_range_when_scores_fall_outside_zero_to_one():
    bins = stats.histogram([-2.0, 0.0, 3.0, 8.0], bins=5)
    assert (bins[0].low, bins[-1].high) == (-2.0, 8.0)
    assert [b.count for b in bins] == [1, 1, 1, 0, 1]
    single = stats.histogram([4.0, 4.0], bins=2)
    assert (single[0].low, single[-1].high) == (3.5, 4.5) and sum(b.count for b in single) == 2


def test_demo_series_bucketed_by_day_matches_a_hand_count(demo_set):
    records = demo_scores(demo_set, "refund-policy-compliance", since=timedelta(days=7))
    points = [ScorePoint(s.created_at, float(s.payload["score"])) for s in records]
    by_day: dict[datetime, list[float]] = {}
    for s in records:
        day = s.created_at.replace(hour=0, minute=0, second=0, microsecond=0)
        by_day.setdefault(day, []).append(float(s.payload["score"]))
    buckets = stats.bucket_points(points, stats.DAY)
    assert [b.start for b in buckets] == sorted(by_day)
    for bucket in buckets:
        day = by_day[bucket.start]
        assert bucket.count == len(day)
        assert bucket.mean == pytest.approx(statistics.fmean(day))
        assert (bucket.min, bucket.max) == (min(day), max(day))
    assert DEMO_NOW - timedelta(days=7) <= min(p.created_at for p in points)
