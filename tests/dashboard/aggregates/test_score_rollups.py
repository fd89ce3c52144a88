"""Score rollups on a SQLite store in Mastra's layout: the indexer keeps them equal to the exact
aggregation over every score, and the scorer page shows the same figures from them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from dashboard.aggregates.models import SCORE_BINS, ScoreHour, ScorePoint
from dashboard.core.store import use_store
from dashboard.scores import indexed
from dashboard.scores.forms import ScoreQuery
from dashboard.search.indexer import Indexer, IndexerState
from storeclient.sqlite import SQLiteStore
from tests.contract.records import score_payload
from tests.support.counting_store import CountingStore

from .scores_data import NOW, SCORER, close, exact, figures, index, write_scores

pytestmark = pytest.mark.django_db

URL = f"/scores/{SCORER}/"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    with use_store(store):
        yield store
    store.close()


@pytest.fixture
def from_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """The index serves pages from a few scores on (in production: beyond 5,000)."""
    monkeypatch.setattr(indexed, "READ_WHOLE_UP_TO", 5)


def hourly(store: SQLiteStore, scorer_id: str = SCORER) -> dict[object, tuple[int, float, float, float]]:
    exact_buckets = store.scores.score_buckets(scorer_id, bucket_seconds=3600)
    return {b.start: (b.count, round(b.mean, 9), b.min, b.max) for b in exact_buckets.buckets}


def rolled_up(scorer_id: str = SCORER) -> dict[object, tuple[int, float, float, float]]:
    return {
        row.hour: (row.count, round(row.total / row.count, 9), row.low, row.high)
        for row in ScoreHour.objects.filter(scorer_id=scorer_id)
        if row.count
    }


def test_the_rollups_equal_the_exact_aggregation_after_inserts(store):
    write_scores(store, 120)
    index(store)
    assert rolled_up() == hourly(store)
    assert rolled_up("toxicity-scorer") == hourly(store, "toxicity-scorer")
    write_scores(store, 30, days=2)  # more, into hours already rolled up
    index(store)
    assert rolled_up() == hourly(store)
    assert ScorePoint.objects.filter(scorer_id=SCORER).count() == 150


def test_a_score_saved_again_under_its_id_moves_its_contribution(store):
    first = write_scores(store, 40)[0]
    index(store)
    moved = score_payload(SCORER, score=0.02) | {"id": first.id}
    store.scores.save_score(moved, created_at=NOW - timedelta(days=3, minutes=30))
    index(store)
    assert rolled_up() == hourly(store)
    assert ScorePoint.objects.get(score_id=first.id).value == 0.02


def test_a_rebuild_gives_the_same_rollups(store):
    write_scores(store, 80)
    index(store)
    before = rolled_up()
    ScoreHour.objects.update(count=0)  # damage that only a rebuild repairs
    assert Indexer(store).rebuild().drained
    assert rolled_up() == before == hourly(store)


def test_a_score_that_is_not_a_number_is_counted_apart(store, tmp_path, from_index):
    write_scores(store, 30)
    with sqlite3.connect(tmp_path / "mastra.db") as raw:
        raw.execute(
            'UPDATE mastra_scorers SET score = ? WHERE id = (SELECT id FROM mastra_scorers WHERE "scorerId" = ? LIMIT 1)',
            ("not a number", SCORER),
        )
    index(store)
    assert ScorePoint.objects.filter(value__isnull=True).count() == 1
    page = indexed.scorer_page(SCORER, ScoreQuery(range="all"), NOW)
    assert page is not None and page.from_index
    assert figures(page) == figures(exact(SCORER, "all"))
    assert page.series.not_finite == 1


@pytest.mark.parametrize("range_", ["24h", "7d", "30d", "90d", "all"])
def test_the_scorer_page_from_the_index_shows_the_exact_figures(store, from_index, range_):
    write_scores(store, 200)
    index(store)
    page = indexed.scorer_page(SCORER, ScoreQuery(range=range_), NOW)
    store_page = exact(SCORER, range_)
    assert page is not None and page.from_index
    assert figures(page) == figures(store_page)
    assert store_page is not None
    assert close(page.summary.stddev, store_page.summary.stddev, 1e-9)
    for name in ("median", "p10", "p90"):
        assert close(getattr(page.summary, name), getattr(store_page.summary, name), 0.01 + 1e-9)


def test_hours_rolled_up_by_an_older_version_show_the_same_figures(store, from_index):
    """Rows written before the bins were a dense list hold ``{"bin": count}``: they are read as
    they are, and give the page the same histogram and percentiles as rows written now."""
    write_scores(store, 200)
    index(store)
    now = indexed.scorer_page(SCORER, ScoreQuery(range="all"), NOW)
    for row in ScoreHour.objects.all():
        dense = json.loads(row.bins)
        assert len(dense) == SCORE_BINS
        row.bins = json.dumps({str(i): n for i, n in enumerate(dense) if n})
        row.save(update_fields=["bins"])
    before = indexed.scorer_page(SCORER, ScoreQuery(range="all"), NOW)
    assert now is not None and before is not None and before.from_index
    assert [b.count for b in before.bins] == [b.count for b in now.bins]
    assert sum(b.count for b in now.bins) == 200
    assert (before.summary.median, before.summary.p10, before.summary.p90) == (
        now.summary.median,
        now.summary.p10,
        now.summary.p90,
    )


def test_scores_written_after_the_index_caught_up_are_counted_from_the_store(store, from_index):
    write_scores(store, 100)
    index(store)
    store.scores.save_score(score_payload(SCORER, score=0.5), created_at=NOW - timedelta(minutes=1))
    page = indexed.scorer_page(SCORER, ScoreQuery(), NOW)
    assert page is not None and page.from_index
    assert figures(page) == figures(exact(SCORER, "30d"))


def test_the_page_says_it_read_the_index_and_skips_the_exact_aggregation(store, from_index, vera_client):
    write_scores(store, 150)
    index(store)
    counting = CountingStore(store)
    with use_store(counting):
        content = vera_client.get(URL).content.decode()
    assert 'data-aggregates="index"' in content
    assert "score_buckets" not in {name.rsplit(".", 1)[-1] for name, _, _ in counting.log}
    assert f'<span class="stat-value">{figures(exact(SCORER, "30d"))["count"]}</span>' in content


def test_without_an_index_the_page_reads_the_store_and_says_so(store, from_index, vera_client):
    write_scores(store, 50)
    content = vera_client.get(URL).content.decode()
    assert 'data-aggregates="store"' in content
    assert "have not been built yet" in content
    assert 'data-aggregates="index"' not in content


def test_a_stale_index_is_not_used(store, from_index):
    write_scores(store, 50)
    index(store)
    IndexerState.objects.update(synced_at=NOW - timedelta(hours=2))
    page = indexed.scorer_page(SCORER, ScoreQuery(), NOW)
    assert page is not None and not page.from_index
    assert "behind the store" in page.index_note


def test_a_source_filter_reads_the_store(store, from_index):
    write_scores(store, 50)
    index(store)
    page = indexed.scorer_page(SCORER, ScoreQuery(source="LIVE"), NOW)
    assert page is not None and not page.from_index
    assert figures(page) == figures(exact(SCORER, "30d", source="LIVE"))


def test_few_scores_are_read_whole_with_exact_percentiles(store):
    write_scores(store, 60)
    index(store)
    page = indexed.scorer_page(SCORER, ScoreQuery(), NOW)
    assert page is not None and not page.from_index and not page.estimated
    assert page.summary == exact(SCORER, "30d").summary  # type: ignore[union-attr]


def test_a_score_outside_zero_to_one_reads_the_store(store, from_index):
    write_scores(store, 50)
    store.scores.save_score(score_payload(SCORER, score=7.5), created_at=NOW - timedelta(days=2))
    index(store)
    page = indexed.scorer_page(SCORER, ScoreQuery(), NOW)
    assert page is not None and not page.from_index
    assert page.summary.max == 7.5
