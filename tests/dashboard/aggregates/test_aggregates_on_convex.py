"""Score rollups and run counts against the local Convex dev server (the real @mastra/convex handler and the
dashboard module): exact where the store's own series stops at its read cap; with Mastra's
handler alone the feed is approximate, so the page reads the store and says why."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from dashboard.core.store import use_store
from dashboard.scores import indexed
from dashboard.scores.forms import ScoreQuery
from storeclient.convex import ConvexStore
from storeclient.convex import scores as convex_scores

from .scores_data import NOW, SCORER, close, figures, index, write_scores

pytestmark = [pytest.mark.convex, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    # Time runs (Convex stamps _creationTime with its own clock, and the feed waits for it to settle).
    with time_machine.travel(NOW, tick=True):
        yield


def open_store(server) -> Iterator[ConvexStore]:
    store = ConvexStore(server.url, server.admin_key, change_settle_seconds=0)
    with use_store(store):
        yield store
    store.close()


@pytest.fixture
def module_store(convex_backend) -> Iterator[ConvexStore]:
    yield from open_store(convex_backend)


@pytest.fixture
def handler_store(convex_handler_only_backend) -> Iterator[ConvexStore]:
    yield from open_store(convex_handler_only_backend)


@pytest.fixture(autouse=True)
def from_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexed, "READ_WHOLE_UP_TO", 5)


def test_the_feed_hands_out_every_score_once(module_store):
    saved = write_scores(module_store, 30)
    seen, cursor = [], None
    while True:
        page = module_store.scores.score_changes(cursor, limit=7)
        seen.extend(s.id for s in page.items)
        cursor = page.cursor
        if not page.has_more:
            break
    assert not page.limited
    assert set(seen) >= {s.id for s in saved} and len(seen) == len(set(seen)) == 36
    assert module_store.scores.score_changes(cursor, limit=7).items == []


def test_the_page_is_exact_beyond_the_stores_read_cap(module_store, monkeypatch):
    write_scores(module_store, 60)
    monkeypatch.setattr(convex_scores, "SERIES_READ_CAP", 20)  # as 20,000 are to 100,000 scores
    whole = indexed.build_scorer_page(SCORER, ScoreQuery(range="all"), NOW)
    assert whole is not None and whole.summary.count < 60  # the store's own path stops at its cap
    index(module_store)
    page = indexed.scorer_page(SCORER, ScoreQuery(range="all"), NOW)
    assert page is not None and page.from_index
    assert page.summary.count == 60
    monkeypatch.setattr(convex_scores, "SERIES_READ_CAP", 20_000)
    uncapped = indexed.build_scorer_page(SCORER, ScoreQuery(range="all"), NOW)
    assert figures(page) == figures(uncapped)
    assert uncapped is not None and close(page.summary.median, uncapped.summary.median, 0.01 + 1e-9)


def test_with_the_handler_alone_the_page_reads_the_store_and_says_why(handler_store, vera_client):
    write_scores(handler_store, 20)
    index(handler_store)
    page = indexed.scorer_page(SCORER, ScoreQuery(), NOW)
    assert page is not None and not page.from_index
    assert "standard Convex handler" in page.index_note
    content = vera_client.get(f"/scores/{SCORER}/").content.decode()
    assert 'data-aggregates="store"' in content and "Deploy the dashboard" in content


def test_the_run_list_counts_in_the_store_and_says_why(module_store, vera_client):
    module_store.workflows.persist_workflow_snapshot("order-approval", "run-1", {"status": "failed"})
    index(module_store)
    content = vera_client.get("/workflows/").content.decode()
    assert 'data-counts-source="store"' in content and "no index on a run" in content
    assert '<span class="status-chip-count">1</span>' in content
