"""Score rows no Mastra version writes but an agent (or another tool) can: a score that is not a
finite number, a createdAt in year 9999, an empty scorer id, ids with "/", a text cell holding a
BLOB or bytes that are not UTF-8. Written raw (bypassing
the store's encoders), every page that shows them must answer and say what it could not show."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from dashboard.core.store import use_store
from dashboard.scores.views import EXPORT_COLUMNS, EXPORT_PAGE_SIZE, score_problem
from storeclient.codec import to_iso
from storeclient.records import score_from_record, score_row
from storeclient.sqlite import SQLiteStore

from ..conftest import DEMO_NOW
from ..support import HTMX

SCORER = "answer-relevancy-scorer"
ODD_ID = "score-odd-1"


def agent_row(**overrides: Any) -> dict[str, Any]:
    """An answer-relevancy score as Mastra writes it, an hour before "now"."""
    stamp = to_iso(DEMO_NOW - timedelta(hours=1))
    return {
        "id": ODD_ID,
        "scorerId": SCORER,
        "scorer": json.dumps({"id": SCORER, "name": "Answer Relevancy"}),
        "runId": "run-7f3a",
        "score": 0.5,
        "source": "LIVE",
        "reason": "The reply answers the refund question.",
        "entityId": "supportAgent",
        "entityType": "AGENT",
        "createdAt": stamp,
        "updatedAt": stamp,
        **overrides,
    }


@pytest.fixture
def odd_store(tmp_path: Path) -> Iterator[tuple[SQLiteStore, Path]]:
    """An empty SQLite store holding one ordinary score of SCORER (0.8, two hours ago)."""
    path = tmp_path / "mastra.db"
    store = SQLiteStore(path)
    store.scores.save_score(
        {
            "scorerId": SCORER,
            "scorer": {"id": SCORER, "name": "Answer Relevancy"},
            "runId": "run-1",
            "source": "LIVE",
            "score": 0.8,
            "reason": "Relevant.",
        },
        created_at=DEMO_NOW - timedelta(hours=2),
    )
    with use_store(store):
        yield store, path
    store.close()


def write_raw(path: Path, row: dict[str, Any]) -> None:
    columns = ", ".join(f'"{c}"' for c in row)
    marks = ", ".join("?" for _ in row)
    with sqlite3.connect(path) as conn:
        conn.execute(f"INSERT INTO mastra_scorers ({columns}) VALUES ({marks})", list(row.values()))
    conn.close()


def scorer_url(scorer_id: str) -> str:
    return f"/scores/{quote(quote(scorer_id, safe=''), safe='') if scorer_id else '(none)'}/"


def load_every_page(client, scorer_id: str, score_id: str) -> dict[str, str]:
    """Every scores page showing the odd row, as text; each must answer 200."""
    base = scorer_url(scorer_id)
    detail = base + quote(quote(score_id, safe=""), safe="") + "/"
    pages = {
        "overview": client.get("/scores/?period=30d"),
        "scorer": client.get(base + "?range=all"),
        "table": client.get(base + "?range=all", headers={**HTMX, "HX-Target": "score-table"}),
        "lowest": client.get(base + "?range=all&order=lowest", headers={**HTMX, "HX-Target": "score-table"}),
        "panel": client.get(detail, headers=HTMX),
        "score": client.get(detail),
        "csv": client.get(base + "export.csv?range=all"),
        "json": client.get(base + "export.json?range=all"),
    }
    text = {}
    for name, response in pages.items():
        assert response.status_code == 200, (name, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text[name] = body.decode()
    return text


def exported(text: dict[str, str]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    return list(csv.DictReader(io.StringIO(text["csv"]))), json.loads(text["json"])


@pytest.mark.parametrize(
    ("value", "placeholder", "raw"),
    [
        (float("inf"), "not a finite number: inf", "inf"),
        (float("-inf"), "not a finite number: -inf", "-inf"),
        ("abc", "not a number: &#x27;abc&#x27;", "abc"),
        (b"\x00\xffabc", "not a number: &#x27;\\x00\ufffdabc&#x27;", "\x00\ufffdabc"),
        (None, "not a number: nothing stored", ""),
    ],
)
def test_a_score_that_is_not_a_finite_number_is_shown_as_a_placeholder(
    vera_client, odd_store, value, placeholder, raw
):
    write_raw(odd_store[1], agent_row(score=value))
    text = load_every_page(vera_client, SCORER, ODD_ID)
    for name in ("scorer", "table", "lowest", "panel", "score"):
        assert placeholder in text[name], name
    # The statistics cover the one ordinary score and say the other was left out.
    assert '<span class="stat-value">1</span><span class="stat-label">Count</span>' in text["scorer"]
    assert '<span class="stat-value">0.800</span><span class="stat-label">Mean</span>' in text["scorer"]
    assert (
        "1 score left out of the statistics and charts: its value is not a finite number." in text["scorer"]
    )
    assert "1 score left out" in text["overview"]
    rows, records = exported(text)
    # The CSV defuses a cell a spreadsheet would run as a formula ("-inf") as it does any text.
    assert [r["score"].removeprefix("'") for r in rows] == [raw, "0.8"]
    assert [r["score"] for r in records] == [raw or None, 0.8]


def test_a_nan_written_by_sqlite_is_read_as_nothing_stored(vera_client, odd_store):
    # SQLite stores a NaN REAL as NULL.
    write_raw(odd_store[1], agent_row(score=float("nan")))
    text = load_every_page(vera_client, SCORER, ODD_ID)
    assert "not a number: nothing stored" in text["panel"]


def test_a_huge_score_is_counted_without_overflowing(vera_client, odd_store):
    write_raw(odd_store[1], agent_row(score=1e308))
    text = load_every_page(vera_client, SCORER, ODD_ID)
    assert '<span class="stat-value">2</span><span class="stat-label">Count</span>' in text["scorer"]
    rows, records = exported(text)
    assert records[0]["score"] == 1e308


def test_two_huge_scores_of_either_sign_are_summed_without_overflowing(vera_client, odd_store):
    write_raw(odd_store[1], agent_row(score=1.7e308))
    write_raw(odd_store[1], agent_row(id="score-odd-2", score=1.7e308))
    write_raw(odd_store[1], agent_row(id="score-odd-3", score=-1.7e308))
    text = load_every_page(vera_client, SCORER, ODD_ID)
    assert '<span class="stat-value">4</span><span class="stat-label">Count</span>' in text["scorer"]


def test_plus_and_minus_infinity_in_one_scorer_leave_the_finite_statistics(vera_client, odd_store):
    write_raw(odd_store[1], agent_row(score=float("inf")))
    write_raw(odd_store[1], agent_row(id="score-odd-2", score=float("-inf")))
    text = load_every_page(vera_client, SCORER, ODD_ID)
    assert '<span class="stat-value">0.800</span><span class="stat-label">Mean</span>' in text["scorer"]
    assert "2 scores left out of the statistics and charts" in text["scorer"]
    assert "not a finite number: -inf" in text["table"]


def test_a_score_from_year_9999_is_listed(vera_client, odd_store):
    write_raw(odd_store[1], agent_row(createdAt="9999-12-31T23:59:59.999Z"))
    text = load_every_page(vera_client, SCORER, ODD_ID)
    assert f'data-score-id="{ODD_ID}"' in text["table"]
    rows, _ = exported(text)
    assert rows[0]["createdAt"] == "9999-12-31T23:59:59.999Z"


def test_a_score_without_a_scorer_id_is_listed_under_a_label(vera_client, odd_store):
    write_raw(odd_store[1], agent_row(scorerId="", scorer=None))
    text = load_every_page(vera_client, "", ODD_ID)
    assert "(no scorer id)" in text["overview"]
    assert 'href="/scores/(none)/"' in text["overview"]
    assert "(no scorer id)" in text["scorer"]
    assert f'data-score-id="{ODD_ID}"' in text["table"]


def test_a_scorer_id_with_a_slash_gets_a_working_page(vera_client, odd_store):
    write_raw(odd_store[1], agent_row(scorerId="team/relevancy", scorer=None))
    text = load_every_page(vera_client, "team/relevancy", ODD_ID)
    assert 'href="/scores/team%252Frelevancy/"' in text["overview"]
    assert "<h1>team/relevancy</h1>" in text["scorer"]
    assert f'href="/scores/team%252Frelevancy/{ODD_ID}/"' in text["table"]


def test_a_score_id_with_a_slash_gets_a_working_link(vera_client, odd_store):
    write_raw(odd_store[1], agent_row(id="run/7/score"))
    text = load_every_page(vera_client, SCORER, "run/7/score")
    assert f'href="/scores/{SCORER}/run%252F7%252Fscore/"' in text["table"]
    assert 'data-score-id="run/7/score"' in text["panel"]


def test_the_lowest_first_table_pages_past_blobs_and_infinities(vera_client, odd_store):
    for i in range(30):
        write_raw(odd_store[1], agent_row(id=f"odd-{i:02}", score=b"\x00\xff" if i % 2 else float("inf")))
    first = vera_client.get(
        f"/scores/{SCORER}/?range=all&order=lowest", headers={**HTMX, "HX-Target": "score-table"}
    )
    assert first.status_code == 200
    next_url = html.unescape(re.findall(r'href="([^"]*cursor=[^"]*)"', first.content.decode())[-1])
    second = vera_client.get(next_url, headers={**HTMX, "HX-Target": "score-table"})
    assert second.status_code == 200
    shown = re.findall(r'data-score-id="([^"]+)"', first.content.decode() + second.content.decode())
    assert len(shown) == len(set(shown)) == 31
    assert "not a number: &#x27;\\x00\ufffd&#x27;" in second.content.decode()


def test_an_export_of_many_odd_rows_streams_to_the_end(vera_client, odd_store):
    for i in range(520):
        write_raw(
            odd_store[1], agent_row(id=f"odd-{i:03}", score=[b"\xff", "abc", float("inf"), 0.25][i % 4])
        )
    for order in ("newest", "lowest"):
        response = vera_client.get(f"/scores/{SCORER}/export.json?range=all&order={order}")
        records = json.loads(b"".join(response.streaming_content))
        assert len(records) == 521
        assert sorted({str(r["score"]) for r in records}) == ["0.25", "0.8", "abc", "inf", "\ufffd"]


def test_a_scorer_whose_only_score_is_from_year_9999_has_a_chart(vera_client, odd_store):
    write_raw(odd_store[1], agent_row(scorerId="far-future", createdAt="9999-12-31T23:59:59.999Z"))
    text = load_every_page(vera_client, "far-future", ODD_ID)
    assert '<span class="stat-value">1</span><span class="stat-label">Count</span>' in text["scorer"]


@pytest.mark.parametrize(
    ("stored", "placeholder", "export"),
    [
        (float("inf"), "not a finite number: inf", "inf"),
        (float("nan"), "not a finite number: nan", "nan"),
        ("abc", "not a number: 'abc'", "abc"),
        (True, "not a number: 'true'", "true"),
        ({"value": 1}, """not a number: '{"value":1}'""", '{"value":1}'),
        (10**400, "not a finite number: 1" + "0" * 59 + "…", "1" + "0" * 400),
        (None, "not a number: nothing stored", None),
    ],
)
def test_any_stored_score_decodes_to_a_placeholder(stored, placeholder, export):
    # What a Convex reply or a legacy row can hold (Convex's own client sends no Infinity or NaN).
    score = score_from_record(agent_row(score=stored))
    assert score_problem(score) == placeholder
    # The export carries the whole text.
    assert score_row(score, EXPORT_COLUMNS)[EXPORT_COLUMNS.index("score")] == export


def test_a_scorer_with_no_finite_score_still_lists_its_rows(vera_client, odd_store):
    write_raw(odd_store[1], agent_row(scorerId="text-only", score="abc"))
    text = load_every_page(vera_client, "text-only", ODD_ID)
    assert "not a number: &#x27;abc&#x27;" in text["scorer"]
    assert '<span class="stat-value">0</span><span class="stat-label">Count</span>' in text["scorer"]
    assert "1 score left out of the statistics and charts" in text["scorer"]
    assert "1 score left out: not a finite number." in text["overview"]


# Text cells an agent-written file can hold where Mastra writes UTF-8 text.
#: How each hostile value is stored (an SQL expression, so the bytes reach the file unchanged)
#: and the text the CSV and JSON downloads show for it.
HOSTILE_CELLS = {
    "blob": ("x'00ff41'", "\x00\ufffdA"),
    "nul": ("'be' || char(0) || 'fore'", "be\x00fore"),
    "invalid utf-8": ("CAST(x'41ff42' AS TEXT)", "A\ufffdB"),
    "encoded surrogate": ("CAST(x'41eda08042' AS TEXT)", "A\ufffd\ufffd\ufffdB"),
}


def set_raw(path: Path, score_id: str, column: str, sql_value: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(f'UPDATE mastra_scorers SET "{column}" = {sql_value} WHERE id = ?', (score_id,))
    conn.close()


@pytest.mark.parametrize("column", ["reason", "entityId", "runId"])
@pytest.mark.parametrize("kind", list(HOSTILE_CELLS))
def test_a_hostile_text_cell_is_exported_readably_with_every_other_row(vera_client, odd_store, column, kind):
    sql_value, shown = HOSTILE_CELLS[kind]
    path = odd_store[1]
    # Newest first, then by id descending: the bad row, ok-0100, comes after a whole chunk of the
    # store's read, so the chunks before and after it are exported too.
    count = EXPORT_PAGE_SIZE + 200
    ok_rows = [agent_row(id=f"ok-{i:04}", reason=f"Fine {i}.") for i in range(count)]
    with sqlite3.connect(path) as conn:
        conn.executemany(
            f"INSERT INTO mastra_scorers ({', '.join(ok_rows[0])}) VALUES ({', '.join('?' * len(ok_rows[0]))})",
            [list(row.values()) for row in ok_rows],
        )
    conn.close()
    set_raw(path, "ok-0100", column, sql_value)

    response = vera_client.get(f"/scores/{SCORER}/export.csv?range=all")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == count + 1
    assert {r["id"] for r in rows} >= {f"ok-{i:04}" for i in range(count)}
    assert next(r for r in rows if r["id"] == "ok-0100")[column] == shown

    response = vera_client.get(f"/scores/{SCORER}/export.json?range=all")
    assert response.status_code == 200
    records = json.loads(b"".join(response.streaming_content))
    assert len(records) == count + 1
    assert next(r for r in records if r["id"] == "ok-0100")[column] == shown


@pytest.mark.parametrize("column", ["reason", "entityId", "runId", "source"])
@pytest.mark.parametrize("kind", list(HOSTILE_CELLS))
def test_a_hostile_text_cell_leaves_every_scores_page_readable(vera_client, odd_store, column, kind):
    path = odd_store[1]
    write_raw(path, agent_row(id="odd-cell", reason="Odd."))
    set_raw(path, "odd-cell", column, HOSTILE_CELLS[kind][0])
    text = load_every_page(vera_client, SCORER, "odd-cell")
    assert "Relevant." in text["table"]  # the ordinary score is still listed beside it
    assert "odd-cell" in text["table"]
