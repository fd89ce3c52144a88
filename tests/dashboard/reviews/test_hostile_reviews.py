"""Score rows an agent can write that no Mastra version does, through the review pages: each one can
be queued, opened, reviewed and exported, and the page says what it could not show, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from dashboard.reviews.models import Review

from ..html_query import find_all, find_one
from ..scores.test_hostile_scores import ODD_ID, agent_row, odd_store, write_raw  # noqa: F401
from .conftest import SCORER, post_review, start_queue

HOSTILE = [
    pytest.param({"score": "not a number"}, id="score-text"),
    pytest.param({"score": float("inf")}, id="score-inf"),
    pytest.param({"id": "run/7/score"}, id="id-with-slashes"),
    pytest.param(
        {"threadId": "no-such-thread", "output": json.dumps([{"id": "m1", "role": "assistant"}])},
        id="gone-thread",
    ),
    pytest.param(
        {"entityType": "WORKFLOW", "entityId": "refund-approval", "runId": "no-such-run"}, id="gone-run"
    ),
    pytest.param({"input": "{not json", "output": json.dumps({"a": [[[[[[[["deep"]]]]]]]]})}, id="bad-json"),
    pytest.param({"reason": "<script>alert(1)</script>[x](javascript:alert(1))"}, id="hostile-reason"),
    pytest.param({"createdAt": "9999-12-31T23:59:59.999Z"}, id="year-9999"),
]


@pytest.mark.parametrize("overrides", HOSTILE)
def test_a_hostile_score_can_be_queued_reviewed_and_exported(editor, odd_store, overrides: dict[str, Any]):  # noqa: F811
    write_raw(odd_store[1], agent_row(**overrides))
    score_id = overrides.get("id", ODD_ID)
    queue = start_queue(editor, size="5", pick="newest")
    item = queue.items.get(score_id=score_id)
    page = editor.get(reverse("reviews:item", args=[queue.pk, item.position]))
    assert page.status_code == 200
    assert b"<script>alert(1)" not in page.content
    assert not find_all(page.content, "a", href="javascript:alert(1)")
    assert find_one(page.content, "form", id="review-form").get("data-score-id") == score_id
    assert post_review(editor, score_id, verdict="disagree", human_score="0.5").status_code == 200
    review = Review.objects.get(score_id=score_id)
    exported = b"".join(editor.get(reverse("reviews:export_jsonl")).streaming_content).decode()
    record = next(
        json.loads(line) for line in exported.splitlines() if json.loads(line)["scoreId"] == score_id
    )
    assert record["humans"][0]["verdict"] == "disagree"
    assert record["judge"]["score"] == review.judge_score
    csv_text = b"".join(editor.get(reverse("reviews:export_csv")).streaming_content).decode()
    assert score_id in csv_text
    assert editor.get(reverse("reviews:agreement") + f"?scorer={SCORER}").status_code == 200


def test_a_score_that_is_not_a_number_is_reviewed_without_a_judge_score(editor, odd_store):  # noqa: F811
    write_raw(odd_store[1], agent_row(score="abc"))
    queue = start_queue(editor, size="5", pick="newest")
    post_review(editor, ODD_ID, verdict="disagree", human_score="0.2")
    assert Review.objects.get(score_id=ODD_ID).judge_score is None
    page = editor.get(reverse("reviews:agreement") + f"?scorer={SCORER}")
    assert page.status_code == 200
    assert queue.items.count() == 2
