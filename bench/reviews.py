"""Review queues at scale: queue start, next item, a verdict and the agreement page, with the server
time (Django's test client, median and p90 of ``--repeats``) and the store calls each one makes.

    .venv/bin/python bench/reviews.py [--scores 100000] [--reviews 10000] [--repeats 30]
    .venv/bin/python bench/reviews.py --convex --scores 5000 --reviews 1000   # the local dev server

The Mastra file (``--scores`` Answer Relevancy scores over 90 days, realistic ~2.5 KB rows saved
written in batches through ``SQLiteStore.save_scores``) is cached in var/bench/; the reviews (three
reviewers, a fifth of the scores reviewed twice) are written into a fresh dashboard database each
run. With ``--convex`` the scores are written to a fresh local Convex dev server instead: an
in-memory test backend, so its store calls mean more than its milliseconds. Figures are for
comparison between runs on one machine, never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORKDIR = Path(tempfile.mkdtemp(prefix="bench-reviews-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'dashboard.sqlite3'}"
os.environ["MASTRA_SQLITE_PATH"] = str(WORKDIR / "unused.db")
(WORKDIR / "unused.db").touch()

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from dashboard.core.store import use_store  # noqa: E402
from storeclient.sqlite import SQLiteStore  # noqa: E402
from tests.support.counting_store import CountingStore  # noqa: E402

override_settings(
    ALLOWED_HOSTS=["testserver"],
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
).enable()

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
SCORER = "answer-relevancy-scorer"
BUILD_VERSION = 1
TURNS = [
    (
        "Where is my order A-10492?",
        "Order A-10492 left our warehouse yesterday and should arrive within 2 days.",
    ),
    ("Can I return the blender?", "Yes: returns are free within 30 days. I've e-mailed you a return label."),
    (
        "I was charged twice for A-10377.",
        "Sorry about that! I've refunded the duplicate charge; expect it in 3-5 days.",
    ),
]


def fill(store: Any, count: int) -> None:
    """``count`` realistic Answer Relevancy scores over the 90 days before ``NOW``: in batches
    where the store has ``save_scores`` (the same rows ``save_score`` writes), else one by one."""
    from dashboard.demo.cast import Ids
    from dashboard.demo.scores import agent_score

    rng = random.Random(count)
    ids = Ids(rng)
    batch: list[tuple[Any, datetime]] = []
    bulk = getattr(store.scores, "save_scores", None)
    for _ in range(count):
        created = NOW - timedelta(seconds=rng.randint(60, 90 * 86_400))
        ask, answer = rng.choice(TURNS)
        score = agent_score(rng, ids, SCORER, created, NOW, None, ask, answer)
        if bulk is None:
            store.scores.save_score(score.payload, created_at=score.created_at)
            continue
        batch.append((score.payload, score.created_at))
        if len(batch) == 1_000:
            bulk(batch)
            batch.clear()
    if batch:
        bulk(batch)


def scores_file(count: int) -> Path:
    """The cached SQLite file of ``count`` scores (var/bench/review_scores_<count>.db)."""
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    db, marker = out / f"review_scores_{count}.db", out / f"review_scores_{count}.json"
    want = {"version": BUILD_VERSION, "scores": count, "now": NOW.isoformat()}
    if db.exists() and marker.exists() and json.loads(marker.read_text()) == want:
        return db
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"building {db} ({count:,} scores) ...", flush=True)
    started = time.perf_counter()
    with SQLiteStore(db) as store:
        fill(store, count)
    marker.write_text(json.dumps(want))
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return db


def seed_reviews(store: Any, count: int) -> list[Any]:
    """``count`` reviews by three reviewers over the newest scores (a fifth reviewed twice)."""
    from django.contrib.auth.models import User

    from dashboard.accounts.roles import set_role
    from dashboard.reviews.models import Review, ReviewLabel

    reviewers = []
    for name in ("rita", "omar", "lena"):
        user = User.objects.create_user(username=name, password=secrets.token_urlsafe(16))
        set_role(user, "editor")
        reviewers.append(user)
    distinct = int(count / 1.2)
    scores: list[Any] = []
    cursor = None
    while len(scores) < distinct:
        feed = store.scores.score_feed(SCORER, cursor=cursor, limit=500)
        scores.extend(feed.items)
        cursor = feed.next_cursor
        if not cursor:
            break
    rng = random.Random(7)
    rows = []
    for i, score in enumerate(scores[:distinct]):
        pair = i % 5 == 0
        for reviewer in [reviewers[i % 3], *([reviewers[(i + 1) % 3]] if pair else [])]:
            if len(rows) >= count:
                break
            human = min(1.0, max(0.0, score.score + rng.gauss(0, 0.15)))
            rows.append(
                Review(
                    score_id=score.id,
                    scorer_id=SCORER,
                    reviewer=reviewer,
                    verdict="agree" if abs(human - score.score) < 0.2 else "disagree",
                    human_score=round(human, 2),
                    judge_score=score.score,
                    score_created_at=score.created_at,
                    created_at=NOW - timedelta(minutes=rng.randint(1, 60 * 24 * 60)),
                    note="",
                )
            )
    Review.objects.bulk_create(rows, batch_size=2_000)
    hallucination = ReviewLabel.objects.get(name="hallucination")
    hallucination.reviews.add(*Review.objects.filter(verdict="disagree")[:500])
    return reviewers


def timed(
    client: Client, counting: CountingStore, request: Callable[[], Any], repeats: int
) -> tuple[float, float, float]:
    """(median ms, p90 ms, store calls per request)."""
    times, calls = [], []
    for _ in range(repeats):
        counting.log.clear()
        started = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (response.status_code, response.content[:500])
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        calls.append(len([c for c in counting.log if c[0] != "describe"]))
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], statistics.mean(calls)


Result = tuple[str, tuple[float, float, float]]


def measure(store: Any, repeats: int, reviews: int) -> list[Result]:
    from dashboard.reviews.models import Review, ReviewQueue

    counting = CountingStore(store)
    results: list[Result] = []
    with use_store(counting):
        started = time.perf_counter()
        reviewers = seed_reviews(store, reviews)
        print(
            f"{Review.objects.count():,} reviews seeded in {time.perf_counter() - started:.1f} s", flush=True
        )
        client = Client()
        client.force_login(reviewers[0])

        def run(label: str, request: Callable[[], Any], times: int = repeats) -> None:
            results.append((label, timed(client, counting, request, times)))

        def start(pick: str, unreviewed: bool) -> Callable[[], Any]:
            data = {"scorer": SCORER, "pick": pick, "size": "25", "range": "all"}
            if unreviewed:
                data["unreviewed_only"] = "on"
            return lambda: client.post("/scores/(reviews)/start/", data)

        run("queue start: worst first, 25, unreviewed only", start("worst", True))
        run("queue start: newest, 25, unreviewed only", start("newest", True))
        run("queue start: random sample of 25 (pool 1,000)", start("sample", False))
        queue = ReviewQueue.objects.filter(filters__pick="worst").latest("id")
        queue_url = f"/scores/(reviews)/queues/{queue.pk}/"
        run("next item: the queue's redirect", lambda: client.get(queue_url))
        item_url = client.get(queue_url)["Location"]
        run("next item: the item page", lambda: client.get(item_url))
        score_id = queue.items.get(position=1).score_id
        revision = [0]

        def verdict() -> Any:
            data = {"revision": str(revision[0]), "verdict": "disagree" if revision[0] % 2 else "agree"}
            revision[0] += 1
            return client.post(f"/scores/(reviews)/score/{score_id}/review/", data, HTTP_HX_REQUEST="true")

        run("a verdict (htmx POST)", verdict)
        few = max(repeats // 3, 3)
        run(
            f"agreement page, {SCORER}",
            lambda: client.get(f"/scores/(reviews)/agreement/?scorer={SCORER}"),
            few,
        )
        run("agreement page, every scorer", lambda: client.get("/scores/(reviews)/agreement/"), few)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scores", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument(
        "--convex", action="store_true", help="the local Convex dev server, with the dashboard module"
    )
    args = parser.parse_args()
    time_machine.travel(NOW, tick=True).start()
    call_command("migrate", verbosity=0, interactive=False)
    if args.convex:
        from dashboard.demo.convex_dev import ConvexDevServer
        from storeclient import ConvexStore

        with ConvexDevServer() as server:
            store = ConvexStore(server.url, server.admin_key)
            started = time.perf_counter()
            fill(store, args.scores)
            print(f"{args.scores:,} scores written in {time.perf_counter() - started:.0f} s", flush=True)
            results = measure(store, args.repeats, args.reviews)
            store.close()
        backend = "the local Convex dev server (in memory, no real indexes: compare store calls, not ms)"
    else:
        with SQLiteStore(scores_file(args.scores), create=False) as store:
            results = measure(store, args.repeats, args.reviews)
        backend = "embedded SQLite"
    print(f"\n{args.scores:,} scores, {args.reviews:,} reviews, {backend}")
    print(f"| {'what':<50} | median ms | p90 ms | store calls |")
    print(f"|{'-' * 52}|-----------|--------|-------------|")
    for label, (median, p90, calls) in results:
        print(f"| {label:<50} | {median:9.1f} | {p90:6.1f} | {calls:11.1f} |")


if __name__ == "__main__":
    main()
