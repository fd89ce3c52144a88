"""Python ConvexStore vs Mastra's own TypeScript ConvexStore, per operation, in one run.

Both clients talk to the same local Convex dev server holding the same fixed dataset, and run the
same Mastra API calls (first page of threads, newest 40 messages of a thread, a resource, first page
of workflow runs, first page of a scorer's scores). Printed: median milliseconds per call for each
client and the ratio Python/TypeScript (aim: <= 1.0).

The dev server is convex-test in Node with no real indexes, so absolute times say little about a
hosted deployment; the ratio compares the two clients' own overheads on identical work.

    .venv/bin/python bench/store_ops.py [--repeats 15] [--rounds 4]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.demo.convex_dev import ConvexDevServer  # noqa: E402
from dashboard.demo.node import NodeNotFound, node_executable  # noqa: E402
from storeclient import ConvexStore  # noqa: E402
from storeclient.models import Message, Resource, Thread  # noqa: E402

NODE_SCRIPT = ROOT / "tests" / "node" / "mastra_convex_client.mjs"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
BIG_THREAD = "bench-thread-000"


def seed(store: ConvexStore) -> None:
    for i in range(200):
        store.memory.save_thread(
            Thread(
                id=f"bench-thread-{i:03d}",
                resource_id=f"user-{i % 20:02d}",
                title=f"Order question #{i}",
                metadata={"channel": "web"},
                created_at=T0 + timedelta(minutes=i),
                updated_at=T0 + timedelta(minutes=i),
            )
        )
    messages = [
        Message(
            id=f"bench-msg-{i:04d}",
            thread_id=BIG_THREAD,
            resource_id="user-00",
            role="user" if i % 2 == 0 else "assistant",
            created_at=T0 + timedelta(seconds=i),
            content={"format": 2, "parts": [{"type": "text", "text": f"Message {i} " + "lorem ipsum " * 40}]},
        )
        for i in range(400)
    ]
    store.memory.save_messages(messages)
    for i in range(20):
        store.memory.save_resource(
            Resource(
                id=f"user-{i:02d}",
                working_memory=f"# User {i}\n- **Plan**: pro\n",
                metadata={"plan": "pro"},
                created_at=T0,
                updated_at=T0,
            )
        )
    for i in range(100):
        store.workflows.persist_workflow_snapshot(
            "refund-approval",
            f"run-{i:03d}",
            {
                "runId": f"run-{i:03d}",
                "status": "success",
                "context": {"input": {"n": i}},
                "serializedStepGraph": [],
            },
            created_at=T0 + timedelta(minutes=i),
        )
    for i in range(300):
        store.scores.save_score(
            {
                "scorerId": "answer-relevancy-scorer",
                "runId": f"run-{i % 100:03d}",
                "score": (i % 10) / 10,
                "source": "LIVE",
                "scorer": {"id": "answer-relevancy-scorer"},
                "input": {"q": i},
                "output": {"a": i},
                "entityId": "supportAgent",
                "entityType": "AGENT",
            },
            created_at=T0 + timedelta(minutes=i),
        )


def python_median(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm: capability probes, connection pool
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=4, help="interleaved measuring rounds per client")
    args = parser.parse_args()
    try:
        node = node_executable()
    except NodeNotFound as exc:
        sys.exit(str(exc))

    with ConvexDevServer() as server, ConvexStore(server.url, server.admin_key) as store:
        seed(store)
        ops: dict[str, tuple[Callable[[], object], dict[str, object]]] = {
            "listThreads": (lambda: store.memory.list_threads(page=0, per_page=20), {}),
            "listMessages": (
                lambda: store.memory.list_messages(BIG_THREAD, page=0, per_page=40, direction="DESC"),
                {"threadId": BIG_THREAD},
            ),
            "getResourceById": (
                lambda: store.memory.get_resource_by_id("user-07"),
                {"resourceId": "user-07"},
            ),
            "listWorkflowRuns": (lambda: store.workflows.list_workflow_runs(page=0, per_page=20), {}),
            "listScoresByScorerId": (
                lambda: store.scores.list_scores_by_scorer_id("answer-relevancy-scorer", page=0, per_page=20),
                {"scorerId": "answer-relevancy-scorer"},
            ),
        }
        spec = {
            "operations": [{"op": name, **params} for name, (_, params) in ops.items()],
            "repeats": args.repeats,
        }

        def typescript_medians() -> dict[str, float]:
            done = subprocess.run(
                [node, str(NODE_SCRIPT), "bench", "--url", server.url, "--admin-key", server.admin_key],
                input=json.dumps(spec),
                capture_output=True,
                text=True,
                check=True,
            )
            return {name: result["medianMs"] for name, result in json.loads(done.stdout).items()}

        # The dev server's JIT warms up over the first few hundred calls: whoever ran first would
        # look slower. Warm it with both clients, then measure each in several interleaved rounds, keeping the
        # best median of the rounds for each (the dev server's own pauses only ever add time).
        for fn, _ in ops.values():
            for _ in range(20):
                fn()
        typescript_medians()
        rounds = [
            ({n: python_median(fn, args.repeats) for n, (fn, _) in ops.items()}, typescript_medians())
            for _ in range(args.rounds)
        ]
        python = {n: min(r[0][n] for r in rounds) for n in ops}
        typescript = {n: min(r[1][n] for r in rounds) for n in ops}

    print(f"store_ops: median ms per call, {args.repeats} repeats, local Convex dev server")
    print(f"{'operation':<24}{'python':>10}{'typescript':>12}{'ratio':>8}")
    for name in ops:
        ratio = python[name] / typescript[name] if typescript[name] else float("nan")
        print(f"{name:<24}{python[name]:>10.2f}{typescript[name]:>12.2f}{ratio:>8.2f}")
    geo = statistics.geometric_mean(python[n] / typescript[n] for n in ops)
    print(f"{'geometric mean ratio':<46}{geo:>8.2f}")


if __name__ == "__main__":
    main()
