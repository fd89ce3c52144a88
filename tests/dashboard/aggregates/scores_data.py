"""Scores for the aggregate tests, and the figures a page shows, through the index and the store."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.scores.charts import ScorerPage, build_scorer_page
from dashboard.scores.forms import ScoreQuery
from dashboard.search.indexer import Indexer
from storeclient.interface import Store
from tests.contract.records import score_payload

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
SCORER = "answer-relevancy-scorer"


def write_scores(store: Store, count: int, *, scorer_id: str = SCORER, days: int = 40) -> list[Any]:
    """``count`` scores spread over the ``days`` before NOW (minutes apart at random-looking offsets),
    values over [0, 1] with ties and both ends, a few of another scorer in between."""
    saved = []
    for i in range(count):
        created = NOW - timedelta(minutes=(i * 7919) % (days * 24 * 60) + 1)
        value = ((i * 37) % 101) / 100
        saved.append(store.scores.save_score(score_payload(scorer_id, score=value), created_at=created))
        if i % 5 == 0:
            store.scores.save_score(score_payload("toxicity-scorer", score=0.1), created_at=created)
    return saved


def index(store: Store) -> None:
    """One poll of the indexer, as the worker makes it, handing the lease back."""
    indexer = Indexer(store)
    result = indexer.poll()
    indexer.release()
    assert result.worked and result.drained and not result.error


def figures(page: ScorerPage | None) -> dict[str, Any]:
    """What a reader compares between two renderings of the page (means to 9 places)."""
    assert page is not None
    s = page.summary

    def r(value: float | None) -> float | None:
        return None if value is None else round(value, 9)

    return {
        "count": s.count,
        "mean": r(s.mean),
        "min": s.min,
        "max": s.max,
        "bucket_seconds": page.bucket_seconds,
        "buckets": [(b.start, b.count, r(b.mean), b.min, b.max) for b in page.buckets],
        "histogram": [b.count for b in page.bins],
        "not_finite": page.series.not_finite,
    }


def exact(scorer_id: str, range_: str, now: datetime = NOW, **filters: Any) -> ScorerPage | None:
    return build_scorer_page(scorer_id, ScoreQuery(range=range_, **filters), now)


def close(a: float | None, b: float | None, tolerance: float) -> bool:
    return a is not None and b is not None and math.isclose(a, b, abs_tol=tolerance)
