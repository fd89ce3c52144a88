"""Scores: Mastra's ``saveScore``/``listScoresBy*`` plus the dashboard's feeds and series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storeclient import InvalidRequest
from storeclient.interface import Store

from .records import score_payload

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def seed_scores(store: Store) -> None:
    values = [0.9, 0.2, 0.75, 0.5, 0.1, 0.6]
    for i, value in enumerate(values):
        store.scores.save_score(
            score_payload(
                "answer-relevancy-scorer" if i < 4 else "toxicity-scorer",
                run_id=f"run-{i % 2}",
                score=value,
                source="TEST" if i == 3 else "LIVE",
            ),
            created_at=T0 + timedelta(days=i),
        )


def test_a_saved_score_gets_an_id_and_reads_back_with_no_extra_keys(store: Store) -> None:
    payload = score_payload()
    saved = store.scores.save_score({**payload, "notAColumn": "dropped", "traceId": None})
    loaded = store.scores.get_score_by_id(saved.id)
    assert loaded == saved
    record = loaded.to_record()
    assert "notAColumn" not in record and "_id" not in record and "traceId" not in record
    for key, value in payload.items():
        assert record[key] == value, key


def test_scores_list_by_scorer_newest_first_with_source_filter(store: Store) -> None:
    seed_scores(store)
    listed = store.scores.list_scores_by_scorer_id("answer-relevancy-scorer")
    assert [s.score for s in listed.scores] == [0.5, 0.75, 0.2, 0.9]
    assert listed.total == 4
    live = store.scores.list_scores_by_scorer_id("answer-relevancy-scorer", source="TEST")
    assert [s.score for s in live.scores] == [0.5]
    assert store.scores.list_scores_by_scorer_id("nobody").total == 0


def test_scores_paginate(store: Store) -> None:
    seed_scores(store)
    page = store.scores.list_scores_by_scorer_id("answer-relevancy-scorer", page=1, per_page=3)
    assert [s.score for s in page.scores] == [0.9] and page.has_more is False and page.total == 4
    with pytest.raises(InvalidRequest):
        store.scores.list_scores_by_scorer_id("answer-relevancy-scorer", page=-1)


def test_scores_by_run_and_by_entity(store: Store) -> None:
    seed_scores(store)
    by_run = store.scores.list_scores_by_run_id("run-1")
    assert sorted(s.score for s in by_run.scores) == [0.2, 0.5, 0.6]
    by_entity = store.scores.list_scores_by_entity_id("supportAgent", "AGENT", per_page=2)
    assert by_entity.total == 6 and len(by_entity.scores) == 2 and by_entity.has_more


def test_scorer_ids_and_the_score_feed(store: Store) -> None:
    seed_scores(store)
    assert store.scores.scorer_ids() == ["answer-relevancy-scorer", "toxicity-scorer"]
    newest = store.scores.score_feed("answer-relevancy-scorer", limit=3)
    assert [s.score for s in newest.items] == [0.5, 0.75, 0.2] and newest.next_cursor
    rest = store.scores.score_feed("answer-relevancy-scorer", cursor=newest.next_cursor, limit=3)
    assert [s.score for s in rest.items] == [0.9] and rest.next_cursor is None
    lowest = store.scores.score_feed("answer-relevancy-scorer", lowest_first=True, limit=2)
    assert [s.score for s in lowest.items] == [0.2, 0.5]
    highest = store.scores.score_feed("answer-relevancy-scorer", highest_first=True, limit=3)
    assert [s.score for s in highest.items] == [0.9, 0.75, 0.5] and highest.next_cursor
    last = store.scores.score_feed("answer-relevancy-scorer", highest_first=True, cursor=highest.next_cursor)
    assert [s.score for s in last.items] == [0.2] and last.next_cursor is None
    with pytest.raises(InvalidRequest):
        store.scores.score_feed("answer-relevancy-scorer", lowest_first=True, highest_first=True)
    ranged = store.scores.score_feed(
        "answer-relevancy-scorer", from_date=T0 + timedelta(days=1), to_date=T0 + timedelta(days=2)
    )
    assert [s.score for s in ranged.items] == [0.75, 0.2]


def test_the_score_series_is_oldest_first_and_sampled_when_large(store: Store) -> None:
    seed_scores(store)
    series = store.scores.score_series("answer-relevancy-scorer")
    assert [p.score for p in series.points] == [0.9, 0.2, 0.75, 0.5]
    assert series.total == 4 and not series.sampled
    sampled = store.scores.score_series("answer-relevancy-scorer", max_points=2)
    assert len(sampled.points) == 2 and sampled.sampled and sampled.total == 4
    assert sampled.points[0].score == 0.9 and sampled.points[-1].score == 0.5


def seed_bucketed(store: Store) -> None:
    """Scores on three days (one a Sunday), two of them TEST, plus another scorer's score."""
    placed = [
        (T0 + timedelta(days=3, hours=1), 0.2, "LIVE"),  # Sun 4 Jan 2026
        (T0 + timedelta(days=3, hours=23, minutes=59, seconds=59, milliseconds=999), 0.6, "LIVE"),
        (T0 + timedelta(days=4), 1.0, "TEST"),  # Mon 5 Jan, midnight exactly
        (T0 + timedelta(days=4, hours=12), 0.4, "LIVE"),
        (T0 + timedelta(days=9, hours=6), 0.7, "TEST"),  # Sat 10 Jan
    ]
    for created, value, source in placed:
        store.scores.save_score(score_payload(score=value, source=source), created_at=created)
    store.scores.save_score(score_payload("toxicity-scorer", score=0.05), created_at=T0 + timedelta(days=4))


def test_score_buckets_give_exact_daily_count_mean_min_and_max(store: Store) -> None:
    seed_bucketed(store)
    result = store.scores.score_buckets("answer-relevancy-scorer", bucket_seconds=86_400)
    assert result.bucket_seconds == 86_400 and not result.capped
    got = [(b.start, b.count, round(b.mean, 9), b.min, b.max) for b in result.buckets]
    assert got == [
        (T0 + timedelta(days=3), 2, 0.4, 0.2, 0.6),
        (T0 + timedelta(days=4), 2, 0.7, 0.4, 1.0),
        (T0 + timedelta(days=9), 1, 0.7, 0.7, 0.7),
    ]
    assert result.total == 5


def test_score_buckets_follow_the_origin_and_the_filters(store: Store) -> None:
    seed_bucketed(store)
    monday = datetime(2025, 12, 29, tzinfo=UTC)
    weekly = store.scores.score_buckets("answer-relevancy-scorer", bucket_seconds=7 * 86_400, origin=monday)
    assert [(b.start, b.count) for b in weekly.buckets] == [(monday, 2), (monday + timedelta(days=7), 3)]
    live = store.scores.score_buckets(
        "answer-relevancy-scorer",
        source="LIVE",
        from_date=T0 + timedelta(days=3, hours=12),
        to_date=T0 + timedelta(days=5),
        bucket_seconds=3_600,
    )
    assert [(b.start, b.count, b.mean) for b in live.buckets] == [
        (T0 + timedelta(days=3, hours=23), 1, 0.6),
        (T0 + timedelta(days=4, hours=12), 1, 0.4),
    ]


def test_score_buckets_of_an_unknown_scorer_are_empty_and_a_bad_size_is_refused(store: Store) -> None:
    seed_bucketed(store)
    assert store.scores.score_buckets("nobody").buckets == []
    for size in (0, -60, 1.5, True):
        with pytest.raises(InvalidRequest):
            store.scores.score_buckets("answer-relevancy-scorer", bucket_seconds=size)  # type: ignore[arg-type]
