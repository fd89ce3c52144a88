"""Fixtures for the scores pages: "now" is the moment the demo data was laid out from, and helpers
that compute what a page should show straight from the demo records (not through the store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from dashboard.core import demo_data
from dashboard.scores import views
from storeclient.sqlite import SQLiteStore

from ..conftest import DEMO_NOW


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(views, "now", lambda: DEMO_NOW)
    return DEMO_NOW


def demo_scores(
    data: demo_data.DemoData,
    scorer_id: str,
    *,
    since: timedelta | None = None,
    source: str | None = None,
    entity_id: str | None = None,
) -> list[demo_data.DemoScore]:
    """The demo scores a filtered page should show, picked from the records as written."""
    return [
        s
        for s in data.scores
        if s.payload["scorerId"] == scorer_id
        and (since is None or DEMO_NOW - since <= s.created_at <= DEMO_NOW)
        and (source is None or s.payload["source"] == source)
        and (entity_id is None or s.payload.get("entityId") == entity_id)
    ]


def values(scores: list[demo_data.DemoScore]) -> list[float]:
    return [float(s.payload["score"]) for s in scores]


class StoreCalls:
    """Records the store methods a request calls, by name."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def clear(self) -> None:
        self.names.clear()


@pytest.fixture
def store_calls(demo_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreCalls]:
    calls = StoreCalls()
    for owner, names in (
        (demo_store, ("counts", "health")),
        (demo_store.memory, ("thread_feed", "message_feed", "get_thread_by_id")),
        (demo_store.workflows, ("run_feed", "get_workflow_run_by_id")),
        (
            demo_store.scores,
            ("scorer_ids", "score_feed", "score_series", "score_buckets", "get_score_by_id"),
        ),
    ):
        for name in names:
            original = getattr(owner, name)

            def wrapper(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
                calls.names.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(owner, name, wrapper)
    yield calls
