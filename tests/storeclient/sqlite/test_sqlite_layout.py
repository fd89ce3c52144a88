"""The file itself: Mastra's exact DDL, WAL, the dashboard's own indexes (only in files it creates),
older files with missing tables or columns, query plans, health/describe/counts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storeclient.errors import InvalidRequest, StoreError
from storeclient.sqlite import RECOMMENDED_INDEXES, SQLiteStore
from storeclient.sqlite.schema import TABLE_DDL

from .mastra_samples import at, resources, threads, user_message, weather_messages

# sqlite_master.sql of a file @mastra/libsql 1.23.1 initialised.
MASTRA_INDEXES = {
    "idx_messages_thread_created_at": 'CREATE INDEX idx_messages_thread_created_at ON mastra_messages (thread_id, "createdAt")',
    "idx_messages_thread_resource_created_at": "CREATE INDEX idx_messages_thread_resource_created_at "
    'ON mastra_messages (thread_id, "resourceId", "createdAt")',
}


def _master(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
    finally:
        conn.close()


def _mastra_file(path: Path, *, tables: tuple[str, ...] = tuple(TABLE_DDL)) -> None:
    """A file as Mastra's init() leaves it: the tables and its two message indexes, nothing else."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    for table in tables:
        conn.execute(TABLE_DDL[table])
    if "mastra_messages" in tables:
        for sql in MASTRA_INDEXES.values():
            conn.execute(sql)
    conn.commit()
    conn.close()


def test_new_file_has_mastras_exact_ddl_wal_and_dashboard_indexes(db_path: Path) -> None:
    store = SQLiteStore(db_path)
    master = _master(db_path)
    for table, ddl in TABLE_DDL.items():
        assert master[table] == ddl
    for name, sql in MASTRA_INDEXES.items():
        assert master[name] == sql
    for index in RECOMMENDED_INDEXES:
        assert index.name.startswith("dashboard_idx_") and index.name in master
    assert store.created_file and sorted(store.created_tables) == sorted(TABLE_DDL)
    assert store.missing_indexes() == []
    assert sqlite3.connect(db_path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_reference_ddl_matches_the_reference_document() -> None:
    # The five CREATE TABLE statements exactly as @mastra/libsql 1.23.1 writes them.
    assert TABLE_DDL["mastra_threads"].startswith(
        'CREATE TABLE mastra_threads (\n  "id" TEXT NOT NULL PRIMARY KEY,'
    )
    assert TABLE_DDL["mastra_workflow_snapshot"].endswith(
        '"updatedAt" TEXT,\n  UNIQUE (workflow_name, run_id)\n)'
    )
    assert TABLE_DDL["mastra_scorers"].count("\n") == 36


def test_existing_mastra_file_is_never_altered_nor_indexed_silently(db_path: Path) -> None:
    _mastra_file(db_path)
    before = _master(db_path)
    store = SQLiteStore(db_path)
    assert not store.created_file and store.created_tables == []
    assert _master(db_path) == before
    missing = store.missing_indexes()
    assert [i.name for i in missing] == [i.name for i in RECOMMENDED_INDEXES]
    assert f"{len(RECOMMENDED_INDEXES)} recommended indexes missing" in store.describe()
    assert "SQLiteStore.add_indexes()" in store.health().detail and store.health().ok
    created = store.add_indexes(["dashboard_idx_threads_updated"])
    assert [i.name for i in created] == ["dashboard_idx_threads_updated"]
    assert len(store.missing_indexes()) == len(RECOMMENDED_INDEXES) - 1
    with pytest.raises(InvalidRequest):
        store.add_indexes(["not_an_index"])
    store.add_indexes()
    assert store.missing_indexes() == []
    assert "missing" not in store.describe()
    after = _master(db_path)
    for table in TABLE_DDL:
        assert after[table] == before[table]  # tables untouched
    store.close()


def test_an_equivalent_index_counts_as_present(db_path: Path) -> None:
    _mastra_file(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute('CREATE INDEX my_own ON mastra_threads ("updatedAt", id, title)')
    conn.commit()
    conn.close()
    store = SQLiteStore(db_path)
    assert "dashboard_idx_threads_updated" not in {i.name for i in store.missing_indexes()}
    store.close()


def test_missing_tables_are_created_with_mastras_ddl(db_path: Path) -> None:
    _mastra_file(db_path, tables=("mastra_threads", "mastra_messages", "mastra_resources"))
    store = SQLiteStore(db_path)
    assert sorted(store.created_tables) == ["mastra_scorers", "mastra_workflow_snapshot"]
    master = _master(db_path)
    assert master["mastra_scorers"] == TABLE_DDL["mastra_scorers"]
    assert not any(name.startswith("dashboard_idx_") for name in master)  # not a new file
    store.close()


def test_older_file_without_newer_columns_reads_and_writes(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    # Messages from before resourceId was added; scores from before the tenancy columns.
    conn.execute(TABLE_DDL["mastra_messages"].replace(',\n  "resourceId" TEXT', ""))
    conn.execute(
        TABLE_DDL["mastra_scorers"].replace(
            '  "organizationId" TEXT,\n  "projectId" TEXT,\n  "batchId" TEXT,\n  "datasetId" TEXT,\n  "datasetItemId" TEXT,\n',
            "",
        )
    )
    conn.execute(
        'INSERT INTO mastra_messages (id, thread_id, content, role, type, "createdAt") VALUES (?, ?, ?, ?, ?, ?)',
        (
            "m1",
            "t1",
            '{"format":2,"parts":[{"type":"text","text":"old"}]}',
            "user",
            "v2",
            "2024-01-01T00:00:00.000Z",
        ),
    )
    conn.commit()
    conn.close()
    store = SQLiteStore(db_path)
    [msg] = store.memory.list_messages("t1").messages
    assert msg.resource_id is None and msg.content["parts"][0]["text"] == "old"
    saved = store.scores.save_score(
        {
            "scorerId": "s",
            "runId": "r",
            "score": 1,
            "source": "TEST",
            "organizationId": "org-1",
            "entityId": "e",
        }
    )
    assert "organizationId" not in saved.fields and saved.score == 1.0
    store.close()


def test_create_false_and_in_memory_paths(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        SQLiteStore(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()
    with pytest.raises(InvalidRequest):
        SQLiteStore(":memory:")
    nested = SQLiteStore(tmp_path / "var" / "deep" / "mastra.db")
    assert nested.health().ok
    nested.close()


def test_health_describe_counts(store: SQLiteStore, db_path: Path) -> None:
    health = store.health()
    assert (health.ok, health.mode, health.atomic_saves) == (True, "embedded SQLite", True)
    assert str(db_path) in store.describe() and "Mastra LibSQL layout" in store.describe()
    for t in threads():
        store.memory.save_thread(t)
    store.memory.save_messages(weather_messages())
    for r in resources():
        store.memory.save_resource(r)
    counts = store.counts()
    assert {k: (v.value, v.at_least) for k, v in counts.items()} == {
        "threads": (3, False),
        "messages": (3, False),
        "resources": (2, False),
        "runs": (0, False),
        "scores": (0, False),
    }
    capped = store.counts(cap=2)
    assert (capped["threads"].value, capped["threads"].at_least) == (2, True)
    assert (capped["resources"].value, capped["resources"].at_least) == (2, False)
    assert str(capped["threads"]) == "2+"
    with pytest.raises(InvalidRequest):
        store.counts(cap=0)


def test_health_reports_a_broken_file_without_raising(db_path: Path) -> None:
    store = SQLiteStore(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TABLE mastra_scorers")
    conn.commit()
    conn.close()
    health = store.health()
    assert not health.ok and "mastra_scorers" in health.detail
    store.close()
    assert not store.health().ok  # closed: still no exception
    with pytest.raises(StoreError):
        store.memory.get_thread_by_id("x")


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "mastra.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        SQLiteStore(path)


PLANS = [
    ("threads feed", lambda s: s.memory.thread_feed(limit=5)),
    ("threads feed by resource", lambda s: s.memory.thread_feed(resource_id="user-alice", limit=5)),
    ("messages feed", lambda s: s.memory.message_feed("t", limit=5)),
    ("resources feed", lambda s: s.memory.resource_feed(limit=5)),
    ("runs feed", lambda s: s.workflows.run_feed(limit=5)),
    ("runs feed by workflow", lambda s: s.workflows.run_feed(workflow_name="w", limit=5)),
    ("runs feed by resource", lambda s: s.workflows.run_feed(resource_id="r", limit=5)),
    ("scores feed", lambda s: s.scores.score_feed("s", limit=5)),
    ("scores feed lowest", lambda s: s.scores.score_feed("s", lowest_first=True, limit=5)),
    # An export's chunks: the columns it writes, each selected as an expression (blob-safe).
    ("score rows", lambda s: s.scores.score_rows("s", ("id", "createdAt", "score", "reason"), chunk=5)),
    (
        "score rows lowest",
        lambda s: s.scores.score_rows("s", ("createdAt", "score"), lowest_first=True, chunk=5),
    ),
    ("listThreads", lambda s: s.memory.list_threads(per_page=5)),
    ("listThreads updatedAt", lambda s: s.memory.list_threads(per_page=5, order_by="updatedAt")),
    ("listMessages", lambda s: s.memory.list_messages("t", per_page=5)),
    ("listWorkflowRuns", lambda s: s.workflows.list_workflow_runs(page=0, per_page=5)),
    ("listScoresByScorerId", lambda s: s.scores.list_scores_by_scorer_id("s", per_page=5)),
    ("listScoresByRunId", lambda s: s.scores.list_scores_by_run_id("r", per_page=5)),
    ("listScoresByEntityId", lambda s: s.scores.list_scores_by_entity_id("e", "AGENT", per_page=5)),
]


@pytest.mark.parametrize(("name", "call"), PLANS, ids=[p[0] for p in PLANS])
def test_pages_are_served_by_an_index_without_sorting(db_path: Path, name: str, call: object) -> None:
    """Every feed page and Mastra list page is an index walk with LIMIT: no full scan, no sort."""
    store = SQLiteStore(db_path)
    store.memory.save_thread(threads()[0])
    store.scores.save_score(
        {"scorerId": "s", "runId": "r", "score": 1, "source": "LIVE", "entityId": "e", "entityType": "AGENT"}
    )
    statements: list[str] = []
    # The pool hands the same idle connection back to a single-threaded caller: trace it. The
    # callback receives each statement with its parameters expanded.
    with store.pool.connection() as traced:
        traced.set_trace_callback(statements.append)
    call(store)  # type: ignore[operator]
    with store.pool.connection() as traced:
        traced.set_trace_callback(None)
        plans = [
            " | ".join(str(r[-1]) for r in traced.execute("EXPLAIN QUERY PLAN " + sql).fetchall())
            for sql in statements
            if sql.lstrip().upper().startswith("SELECT") and "LIMIT" in sql and "COUNT(" not in sql
        ]
    assert plans, name
    for plan in plans:
        assert "USING" in plan and "INDEX" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        assert not plan.startswith("SCAN mastra") or "USING" in plan, plan
    store.close()


def test_written_json_columns_are_text_and_readable_by_sqlite(store: SQLiteStore, db_path: Path) -> None:
    for r in resources():
        store.memory.save_resource(r)
    store.workflows.persist_workflow_snapshot("payment-flow", "run-1", {"status": "failed", "value": {}})
    store.scores.save_score(
        {
            "scorerId": "s",
            "runId": "r",
            "score": 0.5,
            "source": "LIVE",
            "entityId": "e",
            "scorer": {"id": "s"},
        }
    )
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT DISTINCT typeof(metadata) FROM mastra_resources").fetchall() == [("text",)]
    assert conn.execute(
        "SELECT json_extract(snapshot, '$.status') FROM mastra_workflow_snapshot"
    ).fetchone() == ("failed",)
    assert conn.execute("SELECT json_valid(scorer), typeof(scorer) FROM mastra_scorers").fetchone() == (
        1,
        "text",
    )
    stamp = conn.execute('SELECT "createdAt" FROM mastra_resources WHERE id = ?', ("user-alice",)).fetchone()[
        0
    ]
    assert stamp == "2025-06-02T09:00:00.000Z"


def test_messages_of_a_thread_are_cheap_to_count(store: SQLiteStore) -> None:
    store.memory.save_messages([user_message("t-x", i, f"m{i}", t=i) for i in range(30)])
    assert store.memory.list_messages("t-x", per_page=7, page=4).messages[0].created_at == at(28)
