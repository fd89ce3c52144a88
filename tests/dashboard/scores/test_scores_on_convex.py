"""The scores pages on a real (local) Convex backend: with the dashboard's module deployed, and with
only Mastra's standard handler."""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
from collections.abc import Iterator
from datetime import timedelta

import pytest

from dashboard.core.store import use_store
from dashboard.demo.cast import Ids
from dashboard.demo.scores import DemoScore, agent_score
from storeclient import ConvexStore

from ..conftest import DEMO_NOW
from ..support import HTMX

pytestmark = pytest.mark.convex

SCORER = "answer-relevancy-scorer"


@pytest.fixture(params=["module", "handler-only"])
def convex_scores(request) -> Iterator[list[DemoScore]]:
    fixture = "convex_backend" if request.param == "module" else "convex_handler_only_backend"
    server = request.getfixturevalue(fixture)
    store = ConvexStore(server.url, server.admin_key)
    rng = random.Random(3)
    ids = Ids(rng)
    written = []
    for _ in range(60):
        created = DEMO_NOW - timedelta(seconds=rng.randint(60, 20 * 86_400))
        score = agent_score(
            rng, ids, SCORER, created, DEMO_NOW, None, "Where is my order?", "It ships today."
        )
        store.scores.save_score(score.payload, created_at=score.created_at)
        written.append(score)
    with use_store(store):
        yield written
    store.close()


def test_the_scorer_page_shows_exact_statistics(vera_client, convex_scores):
    values = [float(s.payload["score"]) for s in convex_scores]
    content = vera_client.get(f"/scores/{SCORER}/").content.decode()
    assert '<span class="stat-value">60</span><span class="stat-label">Count</span>' in content
    assert (
        f'<span class="stat-value">{statistics.fmean(values):.3f}</span><span class="stat-label">Mean</span>'
        in content
    )
    assert (
        f'<span class="stat-value">{statistics.median(values):.3f}</span><span class="stat-label">Median</span>'
        in content
    )
    assert "<h1>Answer Relevancy</h1>" in content
    assert "data-capped" not in content and "data-sampled" not in content


def test_the_export_holds_the_tables_rows(vera_client, convex_scores):
    table = vera_client.get(f"/scores/{SCORER}/?order=lowest", headers={**HTMX, "HX-Target": "score-table"})
    shown = re.findall(r'<tr data-score-id="([^"]+)">', table.content.decode())
    response = vera_client.get(f"/scores/{SCORER}/export.csv?order=lowest")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 60
    assert [r["id"] for r in rows][: len(shown)] == shown
    assert [float(r["score"]) for r in rows] == sorted(float(s.payload["score"]) for s in convex_scores)


def test_the_overview_and_the_score_panel(vera_client, convex_scores):
    overview = vera_client.get("/scores/?period=30d").content.decode()
    assert f'data-scorer-id="{SCORER}"' in overview and ">Answer Relevancy</a></h2>" in overview
    page = vera_client.get(f"/scores/{SCORER}/").content.decode()
    detail = re.search(r'hx-get="(/scores/[^"]+/[^"]+/)" hx-target="#score-detail"', page).group(1)
    panel = vera_client.get(detail, headers={**HTMX, "HX-Target": "score-detail"}).content.decode()
    assert panel.lstrip().startswith('<article class="card score-panel"')
    assert "<summary>Input</summary>" in panel
