"""Fixtures for the scores pages: "now" is the moment the demo data was laid out from, and helpers
that compute what a page should show straight from the demo records (not through the store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine

from dashboard.core.store import use_store
from dashboard.demo.dataset import DemoData
from dashboard.demo.scores import DemoScore
from storeclient.sqlite import SQLiteStore
from tests.support.counting_store import CountingStore

from ..conftest import DEMO_NOW


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[datetime]:
    with time_machine.travel(DEMO_NOW, tick=False):
        yield DEMO_NOW


def demo_scores(
    data: DemoData,
    scorer_id: str,
    *,
    since: timedelta | None = None,
    source: str | None = None,
    entity_id: str | None = None,
) -> list[DemoScore]:
    """The demo scores a filtered page should show, picked from the records as written."""
    return [
        s
        for s in data.scores
        if s.payload["scorerId"] == scorer_id
        and (since is None or DEMO_NOW - since <= s.created_at <= DEMO_NOW)
        and (source is None or s.payload["source"] == source)
        and (entity_id is None or s.payload.get("entityId") == entity_id)
    ]


def values(scores: list[DemoScore]) -> list[float]:
    return [float(s.payload["score"]) for s in scores]


class StoreCalls:
    """The store methods the views called during a test, by bare name, in order. The footer's
    ``describe()`` is left out: it is asked once per store object, not per page."""

    def __init__(self, counting: CountingStore) -> None:
        self.counting = counting

    @property
    def names(self) -> list[str]:
        return [name.rsplit(".", 1)[-1] for name, _, _ in self.counting.log if name != "describe"]


@pytest.fixture
def store_calls(demo_store: SQLiteStore) -> Iterator[StoreCalls]:
    counting = CountingStore(demo_store)
    with use_store(counting):
        yield StoreCalls(counting)
