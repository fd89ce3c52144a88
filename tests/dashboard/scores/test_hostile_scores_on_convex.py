"""The odd score rows of test_hostile_scores, written raw into a real (local) Convex backend, with
the dashboard's module and with Mastra's standard handler only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from dashboard.core.store import use_store
from storeclient import ConvexStore

from ..conftest import DEMO_NOW
from .test_hostile_scores import ODD_ID, SCORER, agent_row, exported, load_every_page

pytestmark = pytest.mark.convex


@pytest.fixture(params=["module", "handler-only"])
def convex_store(request) -> Iterator[ConvexStore]:
    """A Convex store holding one ordinary score of SCORER (0.8, two hours ago)."""
    fixture = "convex_backend" if request.param == "module" else "convex_handler_only_backend"
    server = request.getfixturevalue(fixture)
    store = ConvexStore(server.url, server.admin_key)
    store.scores.save_score(
        {
            "scorerId": SCORER,
            "scorer": {"id": SCORER},
            "input": {"question": "Where is my refund?"},
            "output": {"text": "It is on its way."},
            "runId": "run-1",
            "source": "LIVE",
            "score": 0.8,
            "reason": "Relevant.",
        },
        created_at=DEMO_NOW - timedelta(hours=2),
    )
    with use_store(store):
        yield store
    store.close()


def write_raw(store: ConvexStore, **overrides: Any) -> None:
    """Straight into mastra_scorers through Mastra's handler, bypassing the store's encoders."""
    row = {"input": {"question": "Where is my refund?"}, "output": {"text": "It is on its way."}}
    row |= agent_row(**overrides)
    # Mastra's Convex schema insists on input, output and a scorer object (SQLite took JSON text).
    if isinstance(row["scorer"], str):
        row["scorer"] = json.loads(row["scorer"])
    store.handler.insert("mastra_scorers", row)


# Mastra's Convex schema validates score as a number and the client sends JSON, which has no
# Infinity or NaN (Convex refuses a "$float" field): a score that is not a finite number cannot be
# written through the handler, so test_hostile_scores covers its decoding with score_from_record.


def test_huge_scores_of_either_sign_are_summed_without_overflowing(vera_client, convex_store):
    write_raw(convex_store, score=1.7e308)
    write_raw(convex_store, id="score-odd-2", score=1.7e308)
    write_raw(convex_store, id="score-odd-3", score=-1.7e308)
    text = load_every_page(vera_client, SCORER, ODD_ID)
    assert '<span class="stat-value">4</span><span class="stat-label">Count</span>' in text["scorer"]


def test_a_single_huge_score_gets_a_histogram(vera_client, convex_store):
    write_raw(convex_store, id="score-odd-1", scorerId="huge", score=1e308)
    text = load_every_page(vera_client, "huge", ODD_ID)
    assert '<span class="stat-value">1</span><span class="stat-label">Count</span>' in text["scorer"]


def test_odd_ids_and_a_year_9999_score_get_working_pages(vera_client, convex_store):
    write_raw(convex_store, scorerId="", scorer={}, createdAt="9999-12-31T23:59:59.999Z")
    write_raw(convex_store, id="run/7/score", scorerId="team/relevancy", scorer={})
    empty = load_every_page(vera_client, "", ODD_ID)
    assert "(no scorer id)" in empty["scorer"] and "(no scorer id)" in empty["overview"]
    text = load_every_page(vera_client, "team/relevancy", "run/7/score")
    assert 'data-score-id="run/7/score"' in text["panel"]
    rows, records = exported(text)
    assert [r["id"] for r in rows] == [r["id"] for r in records] == ["run/7/score"]
    assert exported(empty)[0][0]["createdAt"] == "9999-12-31T23:59:59.999Z"
