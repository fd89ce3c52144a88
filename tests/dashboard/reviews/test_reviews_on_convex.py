"""The review flow on a real (local) Convex backend, with the dashboard's module and with only
Mastra's standard handler: the queue holds the lowest scores, an item reads one score, a verdict
is saved, and the export carries the stored input and output."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse

from dashboard.core.store import use_store
from dashboard.demo.cast import Ids
from dashboard.demo.scores import DemoScore, agent_score
from dashboard.reviews.models import Review
from storeclient import ConvexStore
from tests.support.counting_store import CountingStore

from ..conftest import DEMO_NOW
from .conftest import SCORER, post_review, start_queue, store_reads

pytestmark = pytest.mark.convex


@pytest.fixture(params=["module", "handler-only"])
def convex_scores(request) -> Iterator[tuple[list[DemoScore], CountingStore]]:
    fixture = "convex_backend" if request.param == "module" else "convex_handler_only_backend"
    server = request.getfixturevalue(fixture)
    store = ConvexStore(server.url, server.admin_key)
    rng = random.Random(5)
    ids = Ids(rng)
    written = []
    for _ in range(30):
        created = DEMO_NOW - timedelta(seconds=rng.randint(60, 20 * 86_400))
        score = agent_score(
            rng, ids, SCORER, created, DEMO_NOW, None, "Where is my order?", "It ships today."
        )
        store.scores.save_score(score.payload, created_at=score.created_at)
        written.append(score)
    counting = CountingStore(store)
    with use_store(counting):
        yield written, counting
    store.close()


def test_a_review_queue_on_convex(editor, eddie, convex_scores):
    written, counting = convex_scores
    queue = start_queue(editor, size="3")
    lowest = sorted(float(s.payload["score"]) for s in written)[:3]
    store = counting._target
    in_queue = [store.scores.get_score_by_id(i.score_id).score for i in queue.items.order_by("position")]
    assert in_queue == lowest
    counting.log.clear()
    page = editor.get(reverse("reviews:item", args=[queue.pk, 1]))
    assert page.status_code == 200
    assert store_reads(counting).count("get_score_by_id") == 1
    first = queue.items.get(position=1).score_id
    assert post_review(editor, first, verdict="disagree", human_score="0.9").status_code == 200
    review = Review.objects.get(reviewer=eddie)
    assert review.judge_score == store.scores.get_score_by_id(first).score
    export = b"".join(editor.get(reverse("reviews:export_jsonl")).streaming_content).decode()
    record = json.loads(export)
    assert record["scoreId"] == first and record["inStore"] is True
    assert record["output"] == store.scores.get_score_by_id(first).to_record()["output"]
