"""How the dashboard's own search index builds, answers and keeps up, at 10k and 1M messages.

Stores (cached under var/bench/search/, built once; ``--rebuild-stores`` builds them again):

* large: ``seed_demo --scale large`` (dashboard.demo.dataset.write_large: 100k threads, 1M
  messages, one thread of 20k, 5k resources) in Mastra's SQLite layout;
* small: the first 10k messages of the large store (in write order), their threads and every
  resource: the same vocabulary and shapes, 100x fewer messages.

For each size, a child process with a fresh dashboard database (SQLite FTS5, or PostgreSQL with
``--postgres URL``) measures, in one run:

* build: ``Indexer.rebuild()`` over the whole store, messages/s;
* search: p50/p95 ms of what /search/ does for a page of 30 (the full-text query with its filters,
  then loading the rows and building the escaped, highlighted snippets), for one term, two terms, a
  phrase and a filtered query (role, resource prefix, a date range), each over several words;
* lag (large only): a writer adds 20 messages/s to one thread for 20 s while `index --follow`
  runs; the time from each save until the message is in the index (p50/p95/max);

then, on the local Convex dev server (the real @mastra/convex handler with the dashboard module),
the documents the indexer reads per poll when nothing changed (with and without the deletion sweep).
The dev server has no real indexes and keeps everything in memory: only its document counts mean
anything, never its times.

    .venv/bin/python bench/search.py [--repeats 40] [--skip-large] [--postgres postgres://...]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

OUT = ROOT / "var" / "bench" / "search"
LARGE = OUT / "large.db"
SMALL = OUT / "small.db"
SMALL_MESSAGES = 10_000
#: Searches of each kind cycle through these (words the demo data uses, common and rare).
QUERIES: dict[str, list[dict[str, str]]] = {
    "one term": [{"q": w} for w in ("descale", "norway", "charged", "warehouse", "discount", "vinegar")],
    "two terms": [{"q": q} for q in ("missing part", "delivery address", "shipped order", "rinse twice")],
    "phrase": [
        {"q": q} for q in ('"left our warehouse"', '"missing a part"', '"ship the"', '"within 3 days"')
    ],
    "filtered": [
        {"q": q, "role": "user", "resource": "user_", "since": "2000-01-01", "until": "2100-01-01"}
        for q in ("descale", "norway", "charged", "discount")
    ],
}
LAG_RATE = 20
LAG_SECONDS = 20


# --- the stores -------------------------------------------------------------------------------------


def build_large() -> None:
    from dashboard.demo import dataset
    from storeclient.sqlite import SQLiteStore

    building = LARGE.with_suffix(".building")
    building.unlink(missing_ok=True)
    started = time.monotonic()
    print("Writing the large demo data set (1M messages; about 10 minutes)…", file=sys.stderr)
    store = SQLiteStore(building)
    dataset.write_large(store, seed=0)
    store.close()
    building.rename(LARGE)
    print(f"  done in {time.monotonic() - started:.0f} s", file=sys.stderr)


def build_small() -> None:
    """The first SMALL_MESSAGES messages of the large store, with their threads and all resources."""
    SMALL.unlink(missing_ok=True)
    source = sqlite3.connect(LARGE)
    schema = [row[0] for row in source.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
    source.close()
    db = sqlite3.connect(SMALL)
    for statement in schema:
        db.execute(statement)
    db.execute("ATTACH DATABASE ? AS large", (str(LARGE),))
    db.execute(
        f"INSERT INTO mastra_messages SELECT * FROM large.mastra_messages ORDER BY rowid LIMIT {SMALL_MESSAGES}"
    )
    db.execute(
        "INSERT INTO mastra_threads SELECT * FROM large.mastra_threads "
        "WHERE id IN (SELECT DISTINCT thread_id FROM mastra_messages)"
    )
    db.execute("INSERT INTO mastra_resources SELECT * FROM large.mastra_resources")
    db.commit()
    db.close()


# --- one size, in its own process (its own dashboard database) ----------------------------------------


def measure(store_path: Path, repeats: int, lag: bool) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dashboard.search import backends
    from dashboard.search.indexer import Indexer, status
    from dashboard.search.models import IndexedMessage
    from dashboard.search.query import parse
    from dashboard.search.views import MESSAGES_PER_PAGE, _groups
    from storeclient.sqlite import SQLiteStore

    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as db:
            db.execute("PRAGMA journal_mode=WAL")
    store = SQLiteStore(store_path)
    indexer = Indexer(store)
    started = time.monotonic()
    result = indexer.rebuild()
    build_seconds = time.monotonic() - started
    indexer.release()
    figures: dict[str, Any] = {
        "messages": status().messages_indexed,
        "build_seconds": build_seconds,
        "build_rate": result.messages / build_seconds,
        "search": {},
    }

    from dashboard.search.forms import SearchForm

    for kind, variants in QUERIES.items():
        times = []
        hits = []
        for i in range(repeats + 3):
            form = SearchForm(variants[i % len(variants)])
            assert form.is_valid(), form.errors
            query = parse(form.cleaned_data["q"])
            t = time.perf_counter()
            page = backends.search_messages(
                query, form.message_filters(), order="newest", cursor="", limit=MESSAGES_PER_PAGE
            )
            groups = _groups(page.ids, query)
            elapsed = (time.perf_counter() - t) * 1000
            if i >= 3:  # the first calls warm the page cache
                times.append(elapsed)
                hits.append(sum(len(g.hits) for g in groups))
        times.sort()
        figures["search"][kind] = {
            "p50": statistics.median(times),
            "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
            "hits": statistics.median(hits),
        }

    if lag:
        figures["lag"] = measure_lag(store, IndexedMessage)
    store.close()
    return figures


def measure_lag(store: Any, indexed_message: Any) -> dict[str, float]:
    from django.db import connection

    from dashboard.search.indexer import Indexer
    from storeclient.models import Message, Thread

    thread_id = f"bench-lag-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    store.memory.save_thread(Thread(thread_id, "user_bench", "Lag benchmark", now, now, {}))
    stop = threading.Event()
    written: dict[str, float] = {}

    def follow() -> None:
        try:
            Indexer(store).follow(1.0, stop)
        finally:
            connection.close()

    def write() -> None:
        for n in range(LAG_RATE * LAG_SECONDS):
            due = started + n / LAG_RATE
            time.sleep(max(0.0, due - time.monotonic()))
            message_id = f"{thread_id}-{n:04d}"
            content = {"format": 2, "parts": [{"type": "text", "text": f"Lag probe {n} for order A-{n}"}]}
            store.memory.save_messages(
                [Message(message_id, thread_id, "user", datetime.now(UTC), content, "user_bench")]
            )
            written[message_id] = time.monotonic()

    worker = threading.Thread(target=follow, daemon=True)
    worker.start()
    started = time.monotonic()
    writer = threading.Thread(target=write)
    writer.start()
    seen: dict[str, float] = {}
    total = LAG_RATE * LAG_SECONDS
    deadline = started + LAG_SECONDS + 60
    while len(seen) < total and time.monotonic() < deadline:
        ids = set(indexed_message.objects.filter(thread_id=thread_id).values_list("message_id", flat=True))
        moment = time.monotonic()
        for message_id in ids - seen.keys():
            seen[message_id] = moment
        time.sleep(0.05)
    writer.join()
    stop.set()
    worker.join(timeout=30)
    store.memory.delete_thread(thread_id)
    lags = sorted(seen[m] - written[m] for m in seen if m in written)
    return {
        "found": len(seen) / total,
        "p50": statistics.median(lags),
        "p95": lags[min(len(lags) - 1, int(len(lags) * 0.95))],
        "max": lags[-1],
    }


# --- Convex: documents read per idle poll -------------------------------------------------------------


def convex_idle_reads() -> dict[str, float]:
    import django

    django.setup()
    import httpx
    from django.core.management import call_command

    from dashboard.demo import dataset
    from dashboard.demo.convex_dev import ConvexDevServer
    from dashboard.search import indexer as indexer_module
    from dashboard.search.indexer import Indexer
    from storeclient.convex import ConvexStore

    call_command("migrate", verbosity=0)
    with ConvexDevServer() as server:
        store = ConvexStore(server.url, server.admin_key, change_settle_seconds=0)
        dataset.write_small(store, seed=1)
        http = httpx.Client(timeout=60, headers={"Authorization": f"Convex {server.admin_key}"})

        def read() -> int:
            return int(http.get(f"{server.url}/__dev/stats").json()["documentsRead"])

        indexer = Indexer(store)
        indexer.poll(sweep=True)
        indexer.poll(sweep=True)  # a thread touched by the first poll's own reads settles
        polls = 10
        before = read()
        for _ in range(polls):
            indexer.poll(sweep=False)
        idle = (read() - before) / polls
        before = read()
        indexer.poll(sweep=True)
        swept = read() - before
        threads = len(store.memory.thread_feed(limit=1000).items)
        store.close()
    return {"idle": idle, "sweep": swept, "threads": threads, "sweep_batch": indexer_module.SWEEP_BATCH}


# --- the parent: build, run the children, print -------------------------------------------------------


def child(args: list[str], database_url: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "False",
        "MASTRA_SQLITE_PATH": str(SMALL),
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    if proc.returncode:
        raise SystemExit(f"bench child {args} failed:\n{proc.stderr[-4000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--rebuild-stores", action="store_true")
    parser.add_argument("--skip-large", action="store_true", help="Only the 10k store (and Convex).")
    parser.add_argument("--postgres", default="", help="Also index into this PostgreSQL database (emptied).")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--lag", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--convex", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.repeats, args.lag)))
        return
    if args.convex:
        print(json.dumps(convex_idle_reads()))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    if args.rebuild_stores or not LARGE.exists():
        build_large()
    if args.rebuild_stores or not SMALL.exists():
        build_small()

    engines = [("SQLite FTS5", "sqlite")]
    if args.postgres:
        engines.append(("PostgreSQL", args.postgres))
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for engine, url in engines:
        for size, path in (("10k", SMALL), ("1M", LARGE)):
            if size == "1M" and args.skip_large:
                continue
            database = url
            if url == "sqlite":
                index = OUT / f"index-{size}.sqlite3"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{index}{suffix}").unlink(missing_ok=True)
                database = f"sqlite:///{index}"
            print(f"{engine}, {size}: building the index and searching…", file=sys.stderr)
            flags = ["--measure", str(path), "--repeats", str(args.repeats)]
            if size == "1M" and url == "sqlite":
                flags.append("--lag")
            results[(engine, size)] = child(flags, database)
            # Kept as they come: a later failure must not throw away a 1M run.
            (OUT / "results.json").write_text(json.dumps({f"{e} {z}": f for (e, z), f in results.items()}))
    print("Convex dev server: documents read per idle poll…", file=sys.stderr)
    convex = child(["--convex"], f"sqlite:///{OUT / 'index-convex.sqlite3'}")
    (OUT / "index-convex.sqlite3").unlink(missing_ok=True)

    print()
    print(f"{'engine':<12} {'size':>4} {'messages':>10} {'build s':>8} {'msg/s':>7}")
    for (engine, size), figures in results.items():
        print(
            f"{engine:<12} {size:>4} {figures['messages']:>10,} {figures['build_seconds']:>8.1f} {figures['build_rate']:>7,.0f}"
        )
    print()
    print(
        f"{'engine':<12} {'query':<10} "
        + " ".join(f"{s + ' p50':>8} {s + ' p95':>8}" for s in ("10k", "1M"))
        + f" {'p95 1M/10k':>10} {'hits':>5}"
    )
    for engine, _ in engines:
        for kind in QUERIES:
            cells, p95 = [], {}
            for size in ("10k", "1M"):
                figures = results.get((engine, size))
                if figures is None:
                    cells.append(f"{'—':>8} {'—':>8}")
                    continue
                row = figures["search"][kind]
                p95[size] = row["p95"]
                cells.append(f"{row['p50']:>8.1f} {row['p95']:>8.1f}")
            ratio = f"{p95['1M'] / p95['10k']:>10.2f}" if len(p95) == 2 else f"{'—':>10}"
            hits = results[(engine, "10k")]["search"][kind]["hits"]
            print(f"{engine:<12} {kind:<10} {' '.join(cells)} {ratio} {hits:>5.0f}")
    lag = results.get(("SQLite FTS5", "1M"), {}).get("lag")
    if lag:
        print()
        print(
            f"Lag at {LAG_RATE} messages/s for {LAG_SECONDS} s (1M store, index --follow every 1 s): "
            f"p50 {lag['p50']:.2f} s, p95 {lag['p95']:.2f} s, max {lag['max']:.2f} s, found {lag['found']:.0%}"
        )
    print(
        f"Convex (dev server, {convex['threads']} threads): {convex['idle']:.1f} documents read per idle poll; "
        f"{convex['sweep']} with the deletion sweep (every {10:.0f} s, up to {convex['sweep_batch']:,} threads per call)"
    )


if __name__ == "__main__":
    main()
