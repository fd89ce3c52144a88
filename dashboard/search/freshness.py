"""How current the dashboard's index is, for every page that reads it (search, tools, activity).

A page that reads the index while no indexer runs first indexes for up to
``SEARCH_CATCH_UP_SECONDS`` (``catch_up_if_idle``), then says how far behind the store it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings

from dashboard.core.store import get_store

from .indexer import Indexer, IndexStatus, status

logger = logging.getLogger(__name__)


@dataclass
class Freshness:
    status: IndexStatus
    #: Messages this request indexed before searching.
    caught_up: int = 0
    problem: str = ""

    @property
    def seconds_behind(self) -> float | None:
        return self.status.seconds_behind

    @property
    def stale(self) -> bool:
        behind = self.seconds_behind
        return behind is None or behind > max(5.0, 3 * settings.SEARCH_INDEX_INTERVAL)


def catch_up_if_idle() -> Freshness:
    """Index for up to ``SEARCH_CATCH_UP_SECONDS`` when no worker holds the lease, then the status."""
    current = status()
    budget = settings.SEARCH_CATCH_UP_SECONDS
    if current.worker_running or budget <= 0:
        return Freshness(current)
    try:
        result = Indexer(get_store()).catch_up(budget)
    except Exception as exc:  # the index answers even when the store or a record does not
        logger.exception("Catching up the index failed")
        return Freshness(status(), problem=f"{type(exc).__name__}: the index could not catch up.")
    return Freshness(status(), caught_up=result.messages, problem=result.error)
