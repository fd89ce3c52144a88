"""The overview's counts of threads, messages, resources and scores, read from the dashboard's
index instead of the store.

On Convex a bounded count pages through its table (up to ~40,000 documents for these four); the
index holds a row per thread, message, resource and score, so while it is fresh and its feeds are
exact the same bounded counts are four small queries on the dashboard's database. ``index_counts``
answers ``None`` whenever that would not give the store's figures, and the store counts them as it
did before (dashboard/core/overview_counts.py). Runs are always left to the store: on Convex the
run feed only approximates (a status change patches a run in place), and its deletion sweep does
not run then, so the index may still hold a run the store has deleted.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from dashboard.search.freshness import Freshness
from dashboard.search.indexer import status
from dashboard.search.models import IndexedMessage, IndexedResource, IndexedThread
from storeclient.models import Count

from .models import ScorePoint
from .rollups import score_feed_note

COUNTED: dict[str, type[Model]] = {
    "threads": IndexedThread,
    "messages": IndexedMessage,
    "resources": IndexedResource,
    "scores": ScorePoint,
}


def index_counts(cap: int) -> dict[str, Count] | None:
    """The counts ``Store.counts(cap=cap)`` gives for ``COUNTED``'s kinds, from the index; ``None``
    when it cannot say them exactly now (behind the store, failing, a feed that only approximates,
    or a record it had to skip)."""
    current = status()
    freshness = Freshness(current)
    if freshness.stale or freshness.problem or current.failing or current.synced_at is None:
        return None
    if current.feed_note or current.records_skipped or score_feed_note():
        return None
    return {kind: _bounded(model._default_manager.all(), cap) for kind, model in COUNTED.items()}


def _bounded(rows: QuerySet[Model], cap: int) -> Count:
    # A count of at most cap + 1 rows (a LIMIT in a subquery): bounded like the store's, at any size.
    n = rows[: cap + 1].count()
    return Count(min(n, cap), at_least=n > cap)
