"""The overview on Convex with the dashboard module: server time and documents read per view.

One local Convex dev server holds 1,200 threads, one thread of 12,000 messages, 2,000 scores, 200
workflow runs and 100 resources (the shape of issue #21's figure). The overview (``/``) is rendered
through Django's test client for a signed-in viewer, three ways, in interleaved rounds:

* ``before``  - as the view worked before issue #21: its store calls one after another, the five
  counts one after another, nothing cached (the same code with the pools made sequential and the
  cache emptied before every view);
* ``cold``    - now, with the cached counts made stale before every view (``invalidate_counts``):
  the calls run at once, the five counts at once;
* ``indexed`` - now, cold, with the dashboard's index built and fresh: threads, messages, resources
  and scores are counted in the index, only the runs in the store;
* ``warm``    - now, counts from the cache (what every view within a minute of the last count gets).

``before`` and ``cold`` are measured with the index's counts switched off (the same index is there).

Documents read come from the dev server's ``/__dev/stats`` (convex-test's own read accounting)
around each view. The dev server is convex-test in one Node process with no real indexes, so it
serves one call at a time: concurrency shows less here than against a hosted deployment, and
absolute times say little; compare the columns of one run.

    .venv/bin/python bench/convex_overview.py [--rounds 5] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django_bench import start_django  # noqa: E402

WORKDIR = start_django("bench-overview-")

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from dashboard.core import overview_counts, store_calls  # noqa: E402
from dashboard.core.overview_counts import invalidate_counts  # noqa: E402
from dashboard.core.store import use_store  # noqa: E402
from dashboard.demo.convex_dev import ConvexDevServer  # noqa: E402
from storeclient import ConvexStore  # noqa: E402
from storeclient.codec import to_iso  # noqa: E402
from storeclient.models import Message, Resource  # noqa: E402
from storeclient.records import message_to_row, new_score_record  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)
THREADS, MESSAGES, SCORES, RUNS, RESOURCES = 1_200, 12_000, 2_000, 200, 100
BIG_THREAD = "thread-00000"


class DevServer:
    def __init__(self, dev: ConvexDevServer) -> None:
        self.dev = dev
        self.http = httpx.Client(timeout=120, headers={"Authorization": f"Convex {dev.admin_key}"})

    def documents_read(self) -> int:
        response = self.http.get(f"{self.dev.url}/__dev/stats")
        response.raise_for_status()
        return int(response.json()["documentsRead"])

    def insert_many(self, table: str, docs: list[dict[str, Any]], chunk: int = 500) -> None:
        for start in range(0, len(docs), chunk):
            body = {
                "path": "devserver_test:insertMany",
                "args": {"table": table, "docs": docs[start : start + chunk]},
                "format": "json",
            }
            reply = self.http.post(
                f"{self.dev.url}/api/function",
                content=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
            if reply.json().get("status") != "success":
                raise RuntimeError(reply.text[:500])


def seed(server: DevServer, store: ConvexStore) -> None:
    server.insert_many(
        "mastra_threads",
        [
            {
                "id": f"thread-{i:05d}",
                "resourceId": f"user-{i % RESOURCES:03d}",
                "title": f"Order question #{i}",
                "metadata": {},
                "createdAt": to_iso(T0 + timedelta(minutes=i)),
                "updatedAt": to_iso(T0 + timedelta(minutes=i)),
            }
            for i in range(THREADS)
        ],
    )
    server.insert_many(
        "mastra_messages",
        [
            message_to_row(
                Message(
                    id=f"msg-{i:05d}",
                    thread_id=BIG_THREAD,
                    resource_id="user-000",
                    role="user" if i % 2 == 0 else "assistant",
                    created_at=T0 + timedelta(seconds=i),
                    content={
                        "format": 2,
                        "parts": [{"type": "text", "text": f"Message {i} " + "lorem " * 30}],
                    },
                )
            )
            for i in range(MESSAGES)
        ],
    )
    server.insert_many(
        "mastra_scorers",
        [
            new_score_record(
                {
                    "scorerId": f"scorer-{i % 4}",
                    "runId": f"run-{i % RUNS:03d}",
                    "score": (i % 10) / 10,
                    "source": "LIVE",
                    "scorer": {"id": f"scorer-{i % 4}"},
                    "input": {"q": i},
                    "output": {"a": i},
                    "entityId": "supportAgent",
                    "entityType": "AGENT",
                },
                created_at=T0 + timedelta(minutes=i),
            )
            for i in range(SCORES)
        ],
    )
    for i in range(RESOURCES):
        store.memory.save_resource(
            Resource(
                id=f"user-{i:03d}", working_memory=f"# User {i}\n", metadata={}, created_at=T0, updated_at=T0
            )
        )
    for i in range(RUNS):
        store.workflows.persist_workflow_snapshot(
            "refund-approval",
            f"run-{i:03d}",
            {"runId": f"run-{i:03d}", "status": "success", "context": {}, "serializedStepGraph": []},
            created_at=T0 + timedelta(minutes=i),
        )


class _Sequential:
    """A stand-in pool that runs each call when it is submitted: the view as it was before."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed back like a pool hands back a call's exception
            future.set_exception(exc)
        return future


@contextmanager
def as_before(store: ConvexStore) -> Iterator[None]:
    with (
        mock.patch.object(store_calls, "_pool", _Sequential()),
        mock.patch.object(store, "_executor", lambda: _Sequential()),
    ):
        yield


def viewer_client() -> Client:
    from django.contrib.auth.models import User

    from dashboard.accounts.roles import set_role

    user = User.objects.create_user(username="bench-viewer", password=secrets.token_urlsafe(16))
    set_role(user, "viewer")
    client = Client()
    client.force_login(user)
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the three ways")
    parser.add_argument("--repeats", type=int, default=3, help="views per way in each round")
    args = parser.parse_args()
    call_command("migrate", verbosity=0, interactive=False)
    client = viewer_client()

    with ConvexDevServer(with_test_module=True) as dev, ConvexStore(dev.url, dev.admin_key) as store:
        server = DevServer(dev)
        started = time.monotonic()
        seed(server, store)
        print(
            f"Seeded {THREADS:,} threads, a {MESSAGES:,}-message thread, {SCORES:,} scores, {RUNS} runs, "
            f"{RESOURCES} resources in {time.monotonic() - started:.0f} s; {args.rounds} rounds x "
            f"{args.repeats} views per way.\n"
        )
        assert store.mode() == "dashboard module"
        from dashboard.search.indexer import Indexer, IndexerState

        started = time.monotonic()
        with ConvexStore(dev.url, dev.admin_key, change_settle_seconds=0) as indexing:
            built = Indexer(indexing).rebuild()
            Indexer(indexing).release()
        assert built.drained and not built.error, built
        print(f"Index built in {time.monotonic() - started:.0f} s.\n")

        def view(way: str) -> tuple[float, int]:
            if way != "warm":
                invalidate_counts()
            # "indexed": the index just caught up; the others: its counts switched off.
            IndexerState.objects.update(synced_at=datetime.now(UTC))
            index_counts = overview_counts.INDEX_COUNTS if way == "indexed" else []
            before = server.documents_read()
            began = time.perf_counter()
            with mock.patch.object(overview_counts, "INDEX_COUNTS", index_counts):
                if way == "before":
                    with as_before(store):
                        response = client.get("/")
                else:
                    response = client.get("/")
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 200 or b"stat-value" not in response.content:
                raise SystemExit(f"{way}: the overview answered {response.status_code} without its counts")
            if way == "indexed" and b'data-counts-source="index"' not in response.content:
                raise SystemExit("indexed: the overview did not read its counts from the index")
            return elapsed, server.documents_read() - before

        ways = ("before", "cold", "indexed", "warm")
        results: dict[str, list[tuple[float, int]]] = {way: [] for way in ways}
        with use_store(store):
            for way in ways:  # warm-up: template compilation, connections, the module probe
                view(way)
            for _ in range(args.rounds):
                for way in ways:
                    results[way] += [view(way) for _ in range(args.repeats)]

    base = statistics.median(ms for ms, _ in results["before"])
    print(f"{'overview':<10} {'median ms':>10} {'min':>8} {'max':>8} {'docs read':>10} {'x before':>9}")
    for way in ways:
        times = [ms for ms, _ in results[way]]
        docs = statistics.median(d for _, d in results[way])
        print(
            f"{way:<10} {statistics.median(times):>10.1f} {min(times):>8.1f} {max(times):>8.1f} "
            f"{docs:>10,.0f} {statistics.median(times) / base:>9.2f}"
        )
    print(
        "\nbefore: calls and counts one after another, uncached; cold: at once, counted for the view;"
        "\nindexed: cold, four of the counts from the dashboard's index (only the runs from the store);"
        "\nwarm: counts from the shared cache (every view within a minute of the last count)."
    )


if __name__ == "__main__":
    main()
