"""The agreement page and the exports of the reviewed set, from reviews made through the pages."""

from __future__ import annotations

import csv
import io
import json

from django.test import Client
from django.urls import reverse

from dashboard.reviews.models import Review, ReviewLabel

from ..html_query import find_all, find_one
from .conftest import SCORER, post_review, signed_in, start_queue

#: Text a spreadsheet would run, markup, quotes, a line separator and a lone newline.
HOSTILE_NOTE = (
    '=HYPERLINK("http://evil.example","click")\n</script><img src=x onerror=alert(1)> "q" \u2028 end'
)
HOSTILE_LABEL = "@SUM(A1:A9)"


def _review_three(editor: Client, ada: Client) -> list[str]:
    queue = start_queue(editor, size="3", reviews_wanted="2")
    ids = list(queue.items.order_by("position").values_list("score_id", flat=True))
    ReviewLabel.objects.create(name=HOSTILE_LABEL)
    post_review(editor, ids[0], verdict="agree", human_score="0.9")
    post_review(
        editor,
        ids[1],
        verdict="disagree",
        human_score="0.05",
        labels=["hallucination", HOSTILE_LABEL],
        note=HOSTILE_NOTE,
    )
    post_review(ada, ids[1], verdict="disagree", human_score="0.1")
    post_review(ada, ids[2], verdict="agree")
    return ids


def test_the_agreement_page_shows_the_figures_and_the_disagreements(editor, ada, client, vera):
    ids = _review_three(editor, signed_in(ada))
    page = signed_in(vera).get(reverse("reviews:agreement") + f"?scorer={SCORER}")
    assert page.status_code == 200
    assert find_one(page.content, "span", data_figure="reviews").text == "4"
    # Verdicts: agree, disagree, disagree, agree.
    assert find_one(page.content, "span", data_figure="rate").text == "50%"
    rows = find_all(page.content, "tr", data_disagreement=...)
    assert {r.get("data-disagreement") for r in rows} == {ids[1]}
    assert len(rows) == 2
    # The hostile note is shown as text, never as markup.
    assert b"<img src=x" not in page.content and b"&lt;img src=x" in page.content


def test_undefined_figures_say_na_and_why(editor, vera):
    queue = start_queue(editor, size="1")
    post_review(editor, queue.items.get().score_id, verdict="agree")
    page = signed_in(vera).get(reverse("reviews:agreement") + f"?scorer={SCORER}")
    assert find_one(page.content, "span", data_figure="pearson").text == "n/a"
    assert "at least two" in find_one(page.content, "small", data_why="pearson").text
    assert find_one(page.content, "span", data_figure="kappa").text == "n/a"


def test_the_overview_of_agreement_lists_each_reviewed_scorer(editor, vera):
    queue = start_queue(editor, size="1")
    post_review(editor, queue.items.get().score_id, verdict="agree")
    page = signed_in(vera).get(reverse("reviews:agreement"))
    assert [r.get("data-scorer") for r in find_all(page.content, "tr", data_scorer=...)] == [SCORER]


def _streamed(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_the_jsonl_export_equals_the_stored_reviews(editor, ada, demo_store):
    ids = _review_three(editor, signed_in(ada))
    response = editor.get(reverse("reviews:export_jsonl") + f"?scorer={SCORER}")
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = _streamed(response).splitlines()
    records = {r["scoreId"]: r for r in map(json.loads, lines)}
    assert set(records) == set(ids)
    hostile = records[ids[1]]
    stored = demo_store.scores.get_score_by_id(ids[1])
    assert (
        hostile["input"] == stored.to_record()["input"] and hostile["output"] == stored.to_record()["output"]
    )
    assert hostile["judge"]["score"] == stored.score and hostile["judge"]["reason"] == stored.reason
    humans = {h["reviewer"]: h for h in hostile["humans"]}
    assert humans["eddie"]["note"] == HOSTILE_NOTE
    assert humans["eddie"]["labels"] == sorted(["hallucination", HOSTILE_LABEL])
    assert humans["ada"] == {**humans["ada"], "verdict": "disagree", "score": 0.1, "labels": [], "note": ""}
    # Both people fail it at the default threshold: a regression example with an expected outcome.
    assert hostile["expected"] == {"passed": False}
    # The line separator is escaped, so every record is exactly one line.
    assert len(lines) == 3


def test_the_csv_export_has_one_row_per_review_with_formulas_defused(editor, ada):
    _review_three(editor, signed_in(ada))
    text = _streamed(editor.get(reverse("reviews:export_csv")))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == Review.objects.count() == 4
    eddie_hostile = next(r for r in rows if r["note"].startswith("'="))
    assert eddie_hostile["note"] == "'" + HOSTILE_NOTE
    assert eddie_hostile["labels"] == "'@SUM(A1:A9);hallucination"
    assert {r["reviewer"] for r in rows} == {"eddie", "ada"}
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
