"""How many records a whole list holds, for its header: "30 threads", "at least 10,000 threads".

``Store.counts`` is bounded (it stops at its cap and says so) but counts every kind at once, and on
Convex's standard handler it reads up to the cap in records per kind. So it is asked at most once
per ``TTL_SECONDS`` per process and store, and only for the full page of an unfiltered list (a
filtered list has no cheap total: its header says nothing rather than a wrong number). What the
dashboard's index can count exactly is read from it instead (``CountsSource.from_index``, as the
overview does): on Convex the store then counts only the rest.
"""

from __future__ import annotations

import logging
import threading
import time

from storeclient.errors import StoreError
from storeclient.models import Count

from .overview_counts import CountsSource
from .store import get_store

logger = logging.getLogger(__name__)

TTL_SECONDS = 30.0
#: The bound of each count (the store's default).
CAP = 10_000

_lock = threading.Lock()
#: (store, when it was counted, the counts)
_cached: tuple[object, float, dict[str, Count]] | None = None


def store_totals() -> dict[str, Count]:
    """``Store.counts()`` of the current store, at most ``TTL_SECONDS`` old; ``{}`` when the store
    cannot count now (the list itself still shows, and reports the store's error if it has one)."""
    global _cached
    store = get_store()
    cached = _cached
    now = time.monotonic()
    if cached is not None and cached[0] is store and now - cached[1] < TTL_SECONDS:
        return cached[2]
    with _lock:
        try:
            source = CountsSource.of(store, CAP)
            counts = source.count(source.from_index()).counts
        except StoreError as exc:
            logger.warning("List totals: the store could not count (%s)", type(exc).__name__)
            return {}
        _cached = (store, now, counts)
    return counts


def describe_total(count: Count | None, one: str, many: str) -> str:
    """``"1 thread"``, ``"30 threads"``, ``"at least 10,000 threads"``; ``""`` without a count."""
    if count is None:
        return ""
    if count.at_least:
        return f"at least {count.value:,} {many}"
    return f"{count.value:,} {one if count.value == 1 else many}"
