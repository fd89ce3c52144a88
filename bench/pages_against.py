"""Thread pages' server time, this tree against other checkouts of the dashboard, on the same data.

The data (the small demo set, the thread with every part type and format, a 40-message thread) is
written once, with this tree's SQLite store, into Mastra-layout files. Then one worker process per
tree (this one and each ``--against`` checkout) sets Django up from its own code over its own fresh
dashboard database, opens the same files and renders pages through Django's test client for a
signed-in viewer when asked. Rounds are interleaved — each round renders every case once in every
tree, the order of the trees alternating — so load from the rest of the machine hits all alike.

    .venv/bin/python bench/pages_against.py --against /work/wt/base56 [--rounds 40] [--only list]

Prints, per case and tree, the median (min–max) ms and the response size, then the ratio of each
checkout's median to this tree's (this tree / checkout: below 1 means this tree is faster). A case
a checkout cannot render (an error or a non-200 answer) is reported as such, not timed. Figures
are for comparison within one run, never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from django_bench import start_django  # noqa: E402

WARM_UP = 2


@dataclass(frozen=True)
class Case:
    name: str
    #: Which of the data files the page reads.
    file: str
    url: str


# --- the data, written by this tree --------------------------------------------------------------------


def build_data(folder: Path) -> list[Case]:
    """Writes the Mastra files into ``folder``; returns the cases that read them."""
    sys.path.insert(0, str(ROOT))
    from dashboard.demo import dataset
    from storeclient.sqlite import SQLiteStore
    from tests.dashboard.thread_records import every_format_thread, long_thread, write

    with SQLiteStore(folder / "demo.db") as store:
        demo = dataset.write_small(store, seed=7, now=datetime(2026, 1, 10, 12, 0, tzinfo=UTC))
    with SQLiteStore(folder / "every_format.db") as store:
        write(store, every_format_thread())
    with SQLiteStore(folder / "long40.db") as store:
        write(store, long_thread(40, "thread-40"))
    busiest, count = Counter(m.thread_id for m in demo.messages).most_common(1)[0]
    return [
        Case("thread list (demo data)", "demo.db", "/threads/"),
        Case(f"thread page (demo, busiest: {count} msgs)", "demo.db", f"/threads/{busiest}/"),
        Case("thread page (every part type and format)", "every_format.db", "/threads/thread-every-format/"),
        Case("thread page (40 messages)", "long40.db", "/threads/thread-40/"),
    ]


# --- a worker: one tree's Django, rendering on request ---------------------------------------------------


def worker(tree: Path, folder: Path, cases: list[Case]) -> None:
    """Reads a case index per line on stdin, renders it once, answers one JSON line on stdout."""
    os.chdir(tree)
    start_django("bench-against-", root=tree, store_path=folder / "demo.db")
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from dashboard.accounts.roles import set_role
    from dashboard.core.store import use_store
    from storeclient.sqlite import SQLiteStore

    call_command("migrate", verbosity=0, interactive=False)
    user = User.objects.create_user(username="bench-viewer", password=secrets.token_urlsafe(16))
    set_role(user, "viewer")
    client = Client()
    client.force_login(user)
    stores = {name: SQLiteStore(folder / name, create=False) for name in {c.file for c in cases}}
    print(json.dumps({"ready": str(tree)}), flush=True)
    for line in sys.stdin:
        case = cases[int(line)]
        try:
            with use_store(stores[case.file]):
                started = time.perf_counter()
                response = client.get(case.url)
                elapsed = (time.perf_counter() - started) * 1000
        except Exception as error:  # a checkout that cannot render the case: reported, not fatal
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
            continue
        if response.status_code != 200:
            print(json.dumps({"error": f"answered {response.status_code}"}), flush=True)
        else:
            print(json.dumps({"ms": elapsed, "bytes": len(response.content)}), flush=True)


# --- the comparison ----------------------------------------------------------------------------------------


class Tree:
    """One worker process and what it measured."""

    def __init__(self, label: str, path: Path, folder: Path, cases: list[Case]) -> None:
        self.label, self.path = label, path
        spec = json.dumps([c.__dict__ for c in cases])
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", str(path), "--folder", str(folder), "--cases", spec],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.times: dict[int, list[float]] = {i: [] for i in range(len(cases))}
        self.sizes: dict[int, int] = {}
        self.errors: dict[int, str] = {}
        self._answer()  # "ready"

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"{self.label}: the worker exited (see its error above)")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def render(self, index: int, keep: bool) -> None:
        if index in self.errors:
            return
        assert self.process.stdin is not None
        self.process.stdin.write(f"{index}\n")
        self.process.stdin.flush()
        answer = self._answer()
        if "error" in answer:
            self.errors[index] = answer["error"]
        elif keep:
            self.times[index].append(answer["ms"])
            self.sizes[index] = answer["bytes"]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def compare(against: list[Path], rounds: int, only: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-against-data-"))
    cases = [c for c in build_data(folder) if only.lower() in c.name.lower()]
    trees = [Tree("this tree", ROOT, folder, cases)]
    trees += [Tree(_label(path), path, folder, cases) for path in against]
    try:
        for round_ in range(WARM_UP + rounds):
            for index in range(len(cases)):
                # Alternate which tree goes first, so neither always renders on a warmer cache.
                for tree in trees if round_ % 2 == 0 else trees[::-1]:
                    tree.render(index, keep=round_ >= WARM_UP)
    finally:
        for tree in trees:
            tree.close()
    print(
        f"{rounds} interleaved rounds (after {WARM_UP} warm-up), ms per render through Django's test client"
    )
    print(f"{'page':<46} {'tree':<28} {'median (min-max) ms':>24} {'KB':>7}")
    for index, case in enumerate(cases):
        for tree in trees:
            if index in tree.errors:
                print(f"{case.name:<46} {tree.label:<28} {'cannot: ' + tree.errors[index][:60]:>24}")
                continue
            ts = tree.times[index]
            spread = f"{statistics.median(ts):.2f} ({min(ts):.2f}-{max(ts):.2f})"
            print(f"{case.name:<46} {tree.label:<28} {spread:>24} {tree.sizes[index] / 1024:>7.1f}")
    print(f"\n{'this tree / checkout':<46} {'':<28} {'medians':>8} {'minimums':>9}")
    for index, case in enumerate(cases):
        ours = trees[0]
        for tree in trees[1:]:
            if index in tree.errors or index in ours.errors:
                continue
            medians = statistics.median(ours.times[index]) / statistics.median(tree.times[index])
            minimums = min(ours.times[index]) / min(tree.times[index])
            print(f"{case.name:<46} {tree.label:<28} {medians:>8.2f} {minimums:>9.2f}")


def _label(path: Path) -> str:
    commit = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return f"{path.name} ({commit or '?'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, action="append", default=[], help="another checkout")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--only", default="", help="only cases whose name contains this text")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cases", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker.resolve(), args.folder, [Case(**c) for c in json.loads(args.cases)])
        return
    if not args.against:
        parser.error("name at least one checkout with --against")
    compare([path.resolve() for path in args.against], args.rounds, args.only)


if __name__ == "__main__":
    main()
