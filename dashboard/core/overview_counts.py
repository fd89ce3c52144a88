"""The overview's bounded counts, cached when counting is expensive.

On Convex a bounded count pages through its table: the five counts read up to ~50,000 documents,
and they barely change from one view to the next. So they are kept in the shared cache (every
worker sees the same entry) for ``COUNTS_SECONDS`` and the page says "as of" when they were
counted. All entries hang off ONE generation number (the pattern of djangoproject.com's dashboard):
``invalidate_counts`` bumps it and every cached count is stale at once, whatever the store or cap.

When they are counted, the kinds the dashboard's index can count exactly (it is fresh, its feeds
are exact) are read from it instead (``INDEX_COUNTS``, registered by dashboard.aggregates, which
this package must not import), and only the rest from the store.

The embedded SQLite store counts in about a millisecond from its indexes: its counts are always
fresh and never cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import caches
from django.utils import timezone

from storeclient.convex import ConvexStore
from storeclient.interface import Store
from storeclient.models import COUNTED_KINDS, Count

#: The cache every worker process shares, so one refresh (or one count) serves them all.
CACHE_ALIAS = "shared"
#: How long counted figures are shown before the next view counts again.
COUNTS_SECONDS = 60
GENERATION_KEY = "overview-counts:generation"
#: Who may ask for a fresh count before the cached one expires: editors and admins, the roles
#: that act on the data (a count reads thousands of documents, so not every viewer's click).
REFRESH_PERMISSION = "accounts.edit_working_memory"


@dataclass(frozen=True)
class OverviewCounts:
    counts: dict[str, Count]
    #: When these were counted; ``None`` when they were counted for this very view, uncached.
    as_of: datetime | None = None
    #: The kinds read from the dashboard's index rather than counted in the store.
    from_index: tuple[str, ...] = ()


#: Sources of some of the counts that read no store (kind -> count, for a cap), or ``None`` when a
#: source cannot give the store's figures now. Asked on the request's thread (they query the
#: dashboard's database) before the store is asked for the rest.
INDEX_COUNTS: list[Callable[[int], Mapping[str, Count] | None]] = []


@dataclass(frozen=True)
class CountsSource:
    """Where one overview's counts come from. ``cached`` and ``keep`` use the cache (a database
    table): call them on the request's thread, whose connection Django closes. ``count`` only asks
    the store, so it may run on any thread."""

    store: Store
    cap: int
    #: The cache entry for this store, cap and generation; ``None``: this store is never cached.
    key: str | None

    @classmethod
    def of(cls, store: Store, cap: int) -> CountsSource:
        key = _counts_key(store, cap, _generation()) if isinstance(store, ConvexStore) else None
        return cls(store, cap, key)

    def cached(self) -> OverviewCounts | None:
        if self.key is None:
            return None
        value = caches[CACHE_ALIAS].get(self.key)
        return value if isinstance(value, OverviewCounts) else None

    def from_index(self) -> dict[str, Count]:
        """What the dashboard's index can count for a store whose counts are worth caching."""
        counts: dict[str, Count] = {}
        if self.key is not None:
            for source in INDEX_COUNTS:
                counts = {**(source(self.cap) or {}), **counts}
        return counts

    def count(self, indexed: Mapping[str, Count] | None = None) -> OverviewCounts:
        """Counted now: the store counts what ``indexed`` (``from_index``) does not hold. Store
        errors propagate (and so are never cached)."""
        indexed = indexed or {}
        rest = [kind for kind in COUNTED_KINDS if kind not in indexed]
        counted = self.store.counts(cap=self.cap, kinds=rest)
        counts = {kind: indexed[kind] if kind in indexed else counted[kind] for kind in COUNTED_KINDS}
        return OverviewCounts(
            counts,
            as_of=timezone.now() if self.key is not None else None,
            from_index=tuple(kind for kind in COUNTED_KINDS if kind in indexed),
        )

    def keep(self, counted: OverviewCounts) -> None:
        if self.key is not None:
            caches[CACHE_ALIAS].set(self.key, counted, COUNTS_SECONDS)


def invalidate_counts() -> None:
    """Make every cached count stale: the next overview counts again."""
    cache = caches[CACHE_ALIAS]
    # The database cache's incr() is a read and a write; two refreshes racing both end up past the
    # old generation, which is all a refresh needs.
    if not cache.add(GENERATION_KEY, 1, timeout=None):
        cache.incr(GENERATION_KEY)


def _generation() -> int:
    value = caches[CACHE_ALIAS].get(GENERATION_KEY)
    return value if isinstance(value, int) else 0


def _counts_key(store: ConvexStore, cap: int, generation: int) -> str:
    # The deployment and handler name the data; hashed, so no URL ends up in a cache key.
    where = f"{store.deployment_url}|{store.handler.function_path}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    return f"overview-counts:{generation}:{digest}:{cap}"
