"""A scorer's CSV export against the raw-SQL floor: the same rows straight from sqlite3 into the
csv module, in one process, interleaved rounds.

    .venv/bin/python bench/exports.py [--scores 100000] [--rounds 5]

Three ways to write the same file of every Answer Relevancy score (``--scores`` realistic ~2.5 KB
rows over 90 days, newest first):

* ``floor``: ``SELECT`` of the export's 13 columns in one statement, ``csv.writer`` into a sink;
* ``export``: ``GET /scores/<scorer>/export.csv?range=all`` through Django's test client as a
  signed-in viewer, the streamed body read to the end (what a person downloads);
* ``full models``: what the export did before ``score_rows``: feed pages of 500 decoded into
  whole scores, each cut down to the columns (kept here as the reference for the ratio).

Each round runs the three in turn (order rotated per round); the figure is the ratio of each to
the floor taken round by round, printed as min / median / max. Memory is measured apart from the
timed rounds, in a fresh process per variant (peak RSS over its start, and tracemalloc's peak),
so one variant's heap never shows in another's figure. The file is cached in var/bench/.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import secrets
import sqlite3
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django_bench import start_django  # noqa: E402

WORKDIR = start_django("bench-exports-")

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from dashboard.core.csv_export import csv_lines  # noqa: E402
from dashboard.core.store import use_store  # noqa: E402
from dashboard.scores.views import EXPORT_COLUMNS  # noqa: E402
from storeclient.records import score_row  # noqa: E402
from storeclient.sqlite import SQLiteStore  # noqa: E402

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
SCORER = "answer-relevancy-scorer"
BUILD_VERSION = 1
TURNS = [
    ("Where is my order A-10492?", "Order A-10492 left our warehouse yesterday and should arrive soon."),
    ("Can I return the blender?", "Yes: returns are free within 30 days. I've e-mailed you a label."),
    ("I was charged twice for A-10377.", "Sorry! I've refunded the duplicate charge; expect it in 3-5 days."),
]


def scores_file(count: int) -> Path:
    """The cached SQLite file of ``count`` scores (var/bench/export_scores_<count>.db)."""
    from dashboard.demo.cast import Ids
    from dashboard.demo.scores import agent_score

    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    db, marker = out / f"export_scores_{count}.db", out / f"export_scores_{count}.json"
    want = {"version": BUILD_VERSION, "scores": count, "now": NOW.isoformat()}
    if db.exists() and marker.exists() and json.loads(marker.read_text()) == want:
        return db
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"building {db} ({count:,} scores) ...", flush=True)
    started = time.perf_counter()
    rng = random.Random(count)
    ids = Ids(rng)
    with SQLiteStore(db) as store:
        for start in range(0, count, 1_000):
            batch = []
            for _ in range(min(1_000, count - start)):
                created = NOW - timedelta(seconds=rng.randint(60, 90 * 86_400))
                ask, answer = rng.choice(TURNS)
                score = agent_score(rng, ids, SCORER, created, NOW, None, ask, answer)
                batch.append((score.payload, score.created_at))
            store.scores.save_scores(batch)
    marker.write_text(json.dumps(want))
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return db


class Sink:
    """Where the CSV text goes: counted, not kept (a download's bytes leave the process)."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> None:
        self.chars += len(text)


def floor(path: Path) -> int:
    columns = ", ".join(f'"{c}"' for c in EXPORT_COLUMNS)
    sink = Sink()
    writer = csv.writer(sink)
    conn = sqlite3.connect(path)
    try:
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(
            conn.execute(
                f'SELECT {columns} FROM mastra_scorers WHERE "scorerId" = ? ORDER BY "createdAt" DESC, id DESC',
                (SCORER,),
            )
        )
    finally:
        conn.close()
    return sink.chars


def export(client: Client) -> int:
    response = client.get(f"/scores/{SCORER}/export.csv?range=all")
    assert response.status_code == 200, response.status_code
    return sum(len(piece) for piece in response.streaming_content)


def full_models(store: SQLiteStore) -> int:
    def rows() -> Any:
        cursor = None
        while True:
            feed = store.scores.score_feed(SCORER, cursor=cursor, limit=500)
            for score in feed.items:
                yield score_row(score, EXPORT_COLUMNS)
            if not feed.next_cursor:
                return
            cursor = feed.next_cursor

    return sum(len(line) for line in csv_lines(EXPORT_COLUMNS, rows()))


def signed_in_client() -> Client:
    from django.contrib.auth.models import User

    from dashboard.accounts.roles import set_role

    call_command("migrate", verbosity=0, interactive=False)
    user = User.objects.create_user(username="vera", password=secrets.token_urlsafe(16))
    set_role(user, "viewer")
    client = Client()
    client.force_login(user)
    return client


def variants(path: Path, store: SQLiteStore) -> dict[str, Callable[[], int]]:
    client = signed_in_client()
    return {
        "floor": lambda: floor(path),
        "export": lambda: export(client),
        "full models": lambda: full_models(store),
    }


def memory_of(name: str, path: Path) -> None:
    """Run one variant in this (fresh) process and print its memory as JSON: the peak RSS above
    the RSS before it ran, and tracemalloc's peak in a second run."""
    with SQLiteStore(path, create=False) as store, use_store(store):
        run = variants(path, store)[name]
        before = _rss_kib()
        run()
        rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, 0)
        tracemalloc.start()
        run()
        _, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(json.dumps({"rss_mib": rss / 1024, "traced_mib": traced / 2**20}))


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scores", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = scores_file(args.scores)
    if args.memory_of:
        memory_of(args.memory_of, path)
        return

    times: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    with SQLiteStore(path, create=False) as store, use_store(store):
        runs = variants(path, store)
        names = list(runs)
        for name in names:  # warm the page cache and the imports
            sizes[name] = runs[name]()
        for round_ in range(args.rounds):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                started = time.perf_counter()
                runs[name]()
                times.setdefault(name, []).append(time.perf_counter() - started)
    memory = {}
    for name in names:
        out = subprocess.run(
            [sys.executable, __file__, "--scores", str(args.scores), "--memory-of", name],
            capture_output=True,
            text=True,
            check=True,
        )
        memory[name] = json.loads(out.stdout.strip().splitlines()[-1])

    print(
        f"\n{args.scores:,} scores of one scorer, CSV of {len(EXPORT_COLUMNS)} columns, {args.rounds} rounds"
    )
    print(
        f"file: {sizes['floor'] / 2**20:.1f} MiB of text (export {sizes['export'] / 2**20:.1f} MiB with its guards)"
    )
    print(
        "| variant | seconds, min / median / max | ratio to the floor, min / median / max | peak RSS over start (MiB) | tracemalloc peak (MiB) |"
    )
    print("|---|---|---|---|---|")
    for name in names:
        ratios = [t / f for t, f in zip(times[name], times["floor"], strict=True)]
        print(
            f"| {name} | {spread(times[name])} | {spread(ratios)} | "
            f"{memory[name]['rss_mib']:.1f} | {memory[name]['traced_mib']:.1f} |"
        )


if __name__ == "__main__":
    main()
