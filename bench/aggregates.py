"""The scorer page and the run list with and without the dashboard's aggregates (dashboard/aggregates).

One Mastra file in LibSQL's layout holds a scorer with 1k scores and one with 100k (both spread over
the 90 days before "now"), and a workflow with 200 runs and one with 20k. The index is built once
(``Indexer.rebuild``); then every page is rendered in interleaved rounds, each from the index and
from the store (the index marked stale, so the page takes today's exact path), and the ratios
100k/1k and 20k/200 are printed per round: min / median / max over the rounds.

    PYTHONPATH=. .venv/bin/python bench/aggregates.py [--repeats 30] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django_bench import start_django  # noqa: E402

WORKDIR = start_django("bench-aggregates-")

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from sqlite_scale import PLACEHOLDER, jsonb, snapshot_template  # noqa: E402

from storeclient.sqlite import RECOMMENDED_INDEXES, SQLiteStore  # noqa: E402
from storeclient.sqlite.schema import MASTRA_INDEX_DDL, TABLE_DDL  # noqa: E402

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
OUT = ROOT / "var" / "bench"
BUILD_VERSION = 1
SCORERS = {"scorer-1k": 1_000, "scorer-100k": 100_000}
WORKFLOWS = {"wf-200": 200, "wf-20k": 20_000}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def build(path: Path) -> None:
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    for table, ddl in TABLE_DDL.items():
        conn.execute(ddl)
        for index in MASTRA_INDEX_DDL.get(table, ()):
            conn.execute(index)
    scorer = jsonb({"id": "answer-relevancy", "name": "Answer Relevancy", "hasJudge": True})
    entity = jsonb({"id": "support-agent", "name": "Support Agent"})
    span = 90 * 86_400
    conn.execute("BEGIN")
    for scorer_id, count in SCORERS.items():
        conn.executemany(
            'INSERT INTO mastra_scorers (id, "scorerId", "runId", scorer, score, reason, "entityType", entity, '
            '"entityId", source, "createdAt", "updatedAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
            (
                (
                    str(uuid.uuid4()),
                    scorer_id,
                    f"run-{i:07d}",
                    scorer,
                    (i * 7919 % 1000) / 1000,
                    "Relevant to the question.",
                    "AGENT",
                    entity,
                    "support-agent",
                    "LIVE" if i % 5 else "TEST",
                    iso(NOW - timedelta(seconds=60 + (i * 104_729) % span)),
                    iso(NOW - timedelta(seconds=60 + (i * 104_729) % span)),
                )
                for i in range(count)
            ),
        )
    templates = {s: snapshot_template(s) for s in ("success", "suspended", "failed")}
    for workflow, count in WORKFLOWS.items():
        rows = []
        for i in range(count):
            run_id = str(uuid.uuid4())
            status = ("success", "success", "suspended", "failed")[i % 4]
            moment = iso(NOW - timedelta(seconds=60 + i * (span // count)))
            snap = templates[status].replace(PLACEHOLDER.encode(), run_id.encode())
            rows.append((workflow, run_id, f"user-{i % 100:05d}", snap, moment, moment))
        conn.executemany(
            'INSERT INTO mastra_workflow_snapshot (workflow_name, run_id, "resourceId", snapshot, "createdAt", '
            '"updatedAt") VALUES (?,?,?,?,?,?)',
            rows,
        )
    conn.execute("COMMIT")
    for index in RECOMMENDED_INDEXES:
        conn.execute(index.sql)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    os.replace(tmp, path)


def ensure(rebuild: bool) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path, marker = OUT / "aggregates.db", OUT / "aggregates.json"
    want = {"version": BUILD_VERSION, "scorers": SCORERS, "workflows": WORKFLOWS}
    if rebuild or not path.exists() or not marker.exists() or json.loads(marker.read_text()) != want:
        print(f"building {path} ...", flush=True)
        build(path)
        marker.write_text(json.dumps(want))
    return path


CASES = {
    "scorer page, 30 days": ("/scores/scorer-1k/", "/scores/scorer-100k/"),
    "scorer page, all time": ("/scores/scorer-1k/?range=all", "/scores/scorer-100k/?range=all"),
    "run list of a workflow": ("/workflows/?workflow=wf-200", "/workflows/?workflow=wf-20k"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="build the Mastra file again")
    args = parser.parse_args()
    path = ensure(args.rebuild)
    time_machine.travel(NOW, tick=True).start()
    call_command("migrate", verbosity=0, interactive=False)

    from django.contrib.auth.models import User

    from dashboard.accounts.roles import set_role
    from dashboard.core.store import use_store
    from dashboard.search.indexer import Indexer, IndexerState

    store = SQLiteStore(path, create=False)
    with use_store(store):
        started = time.perf_counter()
        result = Indexer(store).rebuild()
        Indexer(store).release()
        assert result.drained and not result.error, result
        print(f"index built in {time.perf_counter() - started:.1f} s", flush=True)
        synced = IndexerState.objects.get().synced_at

        user = User.objects.create_user(username="bench", password=secrets.token_urlsafe(16))
        set_role(user, "viewer")
        client = Client()
        client.force_login(user)

        assert synced is not None
        modes = {"index": synced, "store": NOW - timedelta(days=1)}
        times: dict[tuple[str, str, int], list[float]] = {}
        markers = {"index": ('data-aggregates="index"', 'data-counts-source="index"')}
        # "index": fresh at every request (time ticks); "store": stale, so the page reads the store.
        for round_ in range(args.repeats + 2):
            for case, urls in CASES.items():
                for mode, synced_at in modes.items():
                    for size, url in enumerate(urls):
                        IndexerState.objects.update(
                            synced_at=datetime.now(UTC) if mode == "index" else synced_at
                        )
                        started = time.perf_counter()
                        response = client.get(url)
                        elapsed = (time.perf_counter() - started) * 1000
                        assert response.status_code == 200, (url, response.status_code)
                        body = response.content.decode()
                        # 1k scores are few enough for the page to read whole (exact percentiles).
                        if mode == "index" and (size == 1 or "workflows" in url):
                            assert any(m in body for m in markers["index"]), f"{url} did not use the index"
                        if round_ >= 2:
                            times.setdefault((case, mode, size), []).append(elapsed)
    store.close()
    print(
        f"\n{'page':<28} {'mode':<6} {'small ms':>9} {'large ms':>9}   large/small per round: min / median / max"
    )
    for case in CASES:
        for mode in modes:
            small, large = times[(case, mode, 0)], times[(case, mode, 1)]
            ratios = sorted(b / a for a, b in zip(small, large, strict=True))
            print(
                f"{case:<28} {mode:<6} {statistics.median(small):>9.1f} {statistics.median(large):>9.1f}   "
                f"{ratios[0]:.2f} / {statistics.median(ratios):.2f} / {ratios[-1]:.2f}"
            )
    print("\nsmall: 1k scores / 200 runs; large: 100k scores / 20k runs (one file, one index)")


if __name__ == "__main__":
    main()
