"""Score rows (exports) and bulk score saves: the same scores as the feed and as ``save_score``,
however they were stored, in fewer reads and writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storeclient import InvalidRequest
from storeclient.interface import Store
from storeclient.records import score_row

from .conftest import RawWriter
from .records import score_payload

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SCORER = "answer-relevancy-scorer"
#: The export's columns, plus JSON ones a row can also carry.
COLUMNS = (
    "id", "createdAt", "scorerId", "score", "source", "entityType", "entityId", "runId",
    "threadId", "resourceId", "traceId", "spanId", "reason", "scorer", "metadata",
)  # fmt: skip


def raw_score(n: int, **overrides: Any) -> dict[str, Any]:
    stamp = (T0 + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {
        "id": f"score-{n:02}",
        "scorerId": SCORER,
        "scorer": '{"id": "answer-relevancy-scorer", "name": "Answer Relevancy"}',
        "runId": f"run-{n}",
        "score": n / 20,
        "source": "LIVE",
        "reason": f"Reply {n} answers the question.",
        "entityId": "weatherAgent" if n % 2 else "supportAgent",
        "entityType": "AGENT",
        "createdAt": stamp,
        "updatedAt": stamp,
        **overrides,
    }


def seed_odd_scores(write_raw: RawWriter, store_kind: str) -> None:
    """Ordinary rows and what agents write around Mastra: text scores (SQLite; Convex's schema
    wants a number), timestamps in other forms, formulas, missing fields, a malformed JSON cell."""
    text_scores = store_kind == "sqlite"
    odd: list[dict[str, Any]] = [
        {"score": "abc"} if text_scores else {"score": 10**20},
        {"score": "0.25"} if text_scores else {"score": 0},
        {"createdAt": "2026-01-01T07:00:00+02:00"},
        {"createdAt": "2026-01-01T08:00:00Z"},
        {"createdAt": "2026-13-01T09:00:00.000Z"},
        {"createdAt": "0999-01-01T10:00:00.000Z"},
        {"reason": '=HYPERLINK("https://evil.example/","x")', "entityId": "@agent"},
        {"reason": None, "entityType": None, "metadata": '{"broken": '},
        {"scorerId": SCORER, "source": "", "threadId": "thread-1", "resourceId": "user_8f2c1a"},
    ]
    for n in range(24):
        row = raw_score(n, **(odd[n] if n < len(odd) else {}))
        if not text_scores:
            # Mastra's Convex schema insists on input, output and a scorer object (SQLite took JSON text).
            row |= {"scorer": json.loads(row["scorer"]), "input": {"q": "?"}, "output": {"text": "!"}}
        write_raw("mastra_scorers", {k: v for k, v in row.items() if v is not None})


def feed_rows(store: Store, **filters: Any) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    cursor = None
    while True:
        feed = store.scores.score_feed(SCORER, cursor=cursor, limit=5, **filters)
        rows += [score_row(s, COLUMNS) for s in feed.items]
        if not feed.next_cursor:
            return rows
        cursor = feed.next_cursor


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"lowest_first": True},
        {"highest_first": True},
        {"entity_prefix": "WEATHER"},
        {"source": "LIVE", "from_date": T0 + timedelta(hours=3), "to_date": T0 + timedelta(hours=20)},
    ],
    ids=["newest", "lowest", "highest", "entity-prefix", "source-and-dates"],
)
def test_score_rows_hold_the_feeds_scores_in_its_order_across_chunks(
    store: Store, store_kind: str, write_raw: RawWriter, filters: dict[str, Any]
) -> None:
    seed_odd_scores(write_raw, store_kind)
    expected = feed_rows(store, **filters)
    rows = list(store.scores.score_rows(SCORER, COLUMNS, chunk=4, **filters))
    assert rows == expected
    assert len(rows) > 4  # read across several chunks
    if not filters:
        by_id = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows}
        assert by_id["score-00"]["score"] == ("abc" if store_kind == "sqlite" else 1e20)  # not NaN
        assert by_id["score-02"]["createdAt"] == "2026-01-01T05:00:00.000Z"
        assert by_id["score-04"]["createdAt"] == "1970-01-01T00:00:00.000Z"
        assert by_id["score-07"]["reason"] is None
        assert by_id["score-10"]["scorer"] == {"id": SCORER, "name": "Answer Relevancy"}


def test_score_rows_of_an_unknown_scorer_are_none(store: Store) -> None:
    assert list(store.scores.score_rows("nobody", ("id", "score"))) == []


def test_score_rows_refuse_a_field_a_score_does_not_have_before_reading(store: Store) -> None:
    with pytest.raises(InvalidRequest, match="notAField"):
        store.scores.score_rows(SCORER, ("id", "notAField"))
    with pytest.raises(InvalidRequest):
        store.scores.score_rows(SCORER, ("id",), lowest_first=True, highest_first=True)


def test_saved_in_bulk_scores_read_back_as_saved_one_by_one(store: Store) -> None:
    payloads = [
        (score_payload(SCORER, run_id=f"run-{i}", score=i / 10, source="LIVE" if i % 2 else "TEST"), T0 + timedelta(minutes=i))
        for i in range(6)
    ]  # fmt: skip
    payloads[2][0]["traceId"] = "trace-2"  # a column the others leave out
    single = [store.scores.save_score(payload, created_at=created) for payload, created in payloads]
    ids = store.scores.save_scores(payloads)
    assert len(ids) == len(set(ids)) == 6 and not set(ids) & {s.id for s in single}
    bulk = [store.scores.get_score_by_id(i) for i in ids]
    for one, many in zip(single, bulk, strict=True):
        assert many is not None
        assert {**many.to_record(), "id": one.id} == one.to_record()
