"""Filtered feeds walked page by page: no match lost or repeated, pages never longer than asked.

On Convex with the dashboard module, filters no index answers (title substring, run status, score
source) are applied to windows of documents; a window holding more matches than a page resumes
from the same window (see convex/mastra/dashboard.ts). These walks cross that case on every store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from storeclient.interface import Store

from .records import score_payload, snapshot_with_status, thread

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def walk(page: Callable[[str | None], Any]) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        feed = page(cursor)
        pages.append([getattr(item, "id", None) or item.run_id for item in feed.items])
        cursor = feed.next_cursor
        if cursor is None:
            return pages


def test_a_title_search_walks_every_match_once(store: Store) -> None:
    for n in range(1, 31):
        store.memory.save_thread(thread(n, title=f"{'Blender' if n % 3 else 'Kettle'} issue {n}"))
    pages = walk(lambda c: store.memory.thread_feed(title_contains="blender", cursor=c, limit=4))
    seen = [i for p in pages for i in p]
    assert seen == [f"thread-{n:03d}" for n in range(30, 0, -1) if n % 3]
    assert all(len(p) <= 4 for p in pages)


def test_a_status_filter_walks_every_match_once(store: Store) -> None:
    for i in range(24):
        store.workflows.persist_workflow_snapshot(
            "refund-approval",
            f"run-{i:02d}",
            snapshot_with_status(f"run-{i:02d}", "failed" if i % 4 else "success"),
            created_at=T0 + timedelta(minutes=i),
            updated_at=T0 + timedelta(minutes=i),
        )
    pages = walk(lambda c: store.workflows.run_feed(status="failed", cursor=c, limit=5))
    assert [i for p in pages for i in p] == [f"run-{i:02d}" for i in range(23, -1, -1) if i % 4]
    assert all(len(p) <= 5 for p in pages)
    of_one = walk(
        lambda c: store.workflows.run_feed(workflow_name="refund-approval", status="success", cursor=c)
    )
    assert [i for p in of_one for i in p] == ["run-20", "run-16", "run-12", "run-08", "run-04", "run-00"]


def test_a_score_source_filter_walks_every_match_once(store: Store) -> None:
    for i in range(20):
        store.scores.save_score(
            score_payload(score=i / 20, source="TEST" if i % 5 == 0 else "LIVE"),
            created_at=T0 + timedelta(hours=i),
        )
    pages: list[list[float]] = []
    cursor = None
    while True:
        feed = store.scores.score_feed("answer-relevancy-scorer", source="LIVE", cursor=cursor, limit=3)
        pages.append([s.score for s in feed.items])
        cursor = feed.next_cursor
        if cursor is None:
            break
    assert [s for p in pages for s in p] == [i / 20 for i in range(19, -1, -1) if i % 5]
    assert all(len(p) <= 3 for p in pages)


def test_status_counts_stop_at_the_cap(store: Store) -> None:
    for i in range(6):
        store.workflows.persist_workflow_snapshot(
            "w", f"r{i}", snapshot_with_status(f"r{i}", "success"), created_at=T0 + timedelta(minutes=i)
        )
    full = store.workflows.status_counts()
    assert full["success"].value == 6 and not full["success"].at_least
    capped = store.workflows.status_counts(cap=2)
    assert capped["success"].value >= 2 and capped["success"].at_least


def test_a_score_series_and_buckets_cover_a_date_range(store: Store) -> None:
    for i in range(10):
        store.scores.save_score(score_payload(score=i / 10), created_at=T0 + timedelta(days=i))
        store.scores.save_score(
            score_payload("toxicity-scorer", score=0.5), created_at=T0 + timedelta(days=i)
        )
    series = store.scores.score_series(
        "answer-relevancy-scorer", from_date=T0 + timedelta(days=2), to_date=T0 + timedelta(days=5)
    )
    assert [p.score for p in series.points] == [0.2, 0.3, 0.4, 0.5]
    buckets = store.scores.score_buckets("answer-relevancy-scorer", bucket_seconds=5 * 86_400)
    assert [b.count for b in buckets.buckets] and buckets.total == 10
