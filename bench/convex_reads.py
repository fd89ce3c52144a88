"""Documents read (and time) for the newest page of a thread: dashboard module vs Mastra's handler.

It also prints what the change feeds (``message_changes``, ``thread_changes``) read per call: a first
page, and an indexer's idle poll at the end of each feed; and what the thread page's and the thread
list's "new messages / new threads" polls read when nothing changed.

One local Convex dev server holds three threads of 100, 1,000 and 5,000 messages (~2 KB each; set
``--message-bytes``). For each thread, the newest 40 messages are read by:

* ``module``  - Python ConvexStore through the dashboard's module (``mastra/dashboard:messages``,
  one ``paginate`` over ``by_thread_created`` desc);
* ``handler`` - Python ConvexStore with the module switched off (Mastra's ``queryTable`` by
  ``thread_id``: the whole thread, then a slice);
* ``mastra``  - Mastra's own TypeScript ConvexStore (``listMessages`` newest 40, perPage 40, DESC),
  run by tests/node/mastra_convex_client.mjs ``bench``.

Documents read come from the dev server: convex-test counts every document a function reads (it
enforces Convex's read limits with that count) and the server adds them up per request and in
``GET /__dev/stats``. The figure for each client is the difference of those totals around its calls,
divided by the number of calls. Times are medians in milliseconds on the dev server, which has no
real indexes (every read sorts the table in memory): compare the documents-read columns, not times.

    .venv/bin/python bench/convex_reads.py [--repeats 5] [--message-bytes 2000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.demo.convex_dev import ConvexDevServer  # noqa: E402
from storeclient import ConvexStore, StoreError  # noqa: E402
from tests.support.mastra_client import mastra  # noqa: E402

SIZES = (100, 1_000, 5_000)
PAGE = 40
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class Server:
    def __init__(self, dev: ConvexDevServer) -> None:
        self.dev = dev
        self.http = httpx.Client(timeout=120, headers={"Authorization": f"Convex {dev.admin_key}"})

    def stats(self) -> dict[str, int]:
        response = self.http.get(f"{self.dev.url}/__dev/stats")
        response.raise_for_status()
        return dict(response.json())

    def insert_many(self, table: str, docs: list[dict[str, Any]], chunk: int = 1000) -> None:
        for start in range(0, len(docs), chunk):
            body = {
                "path": "devserver_test:insertMany",
                "args": {"table": table, "docs": docs[start : start + chunk]},
                "format": "json",
            }
            response = self.http.post(f"{self.dev.url}/api/function", json=body)
            if response.json().get("status") != "success":
                raise RuntimeError(response.text)


def seed(server: Server, message_bytes: int) -> None:
    filler = "lorem ipsum " * (message_bytes // 12)
    for size in SIZES:
        thread_id = f"bench-{size}"
        server.insert_many(
            "mastra_threads",
            [
                {
                    "id": thread_id,
                    "resourceId": "user-bench",
                    "title": f"A thread of {size} messages",
                    "metadata": {},
                    "createdAt": iso(T0),
                    "updatedAt": iso(T0 + timedelta(seconds=size)),
                }
            ],
        )
        server.insert_many(
            "mastra_messages",
            [
                {
                    "id": f"{thread_id}-{i:05d}",
                    "thread_id": thread_id,
                    "resourceId": "user-bench",
                    "role": "user" if i % 2 == 0 else "assistant",
                    "type": "v2",
                    "createdAt": iso(T0 + timedelta(seconds=i)),
                    "content": json.dumps(
                        {"format": 2, "parts": [{"type": "text", "text": f"#{i} {filler}"}]}
                    ),
                }
                for i in range(size)
            ],
        )


def measure(server: Server, call: Callable[[], object], repeats: int) -> tuple[float, float, str]:
    """(documents read per call, median ms, error or '') for a Python call."""
    before = server.stats()
    times: list[float] = []
    error = ""
    for _ in range(repeats):
        started = time.perf_counter()
        try:
            call()
        except StoreError as exc:
            error = "16 MiB limit" if "16 MiB" in exc.message else type(exc).__name__
        times.append((time.perf_counter() - started) * 1000)
    after = server.stats()
    return (after["documentsRead"] - before["documentsRead"]) / repeats, statistics.median(times), error


def measure_mastra(server: Server, thread_id: str, repeats: int) -> tuple[float, float, str]:
    before = server.stats()
    try:
        result = mastra(
            server.dev,
            "bench",
            {"operations": [{"op": "listMessages", "threadId": thread_id}], "repeats": repeats},
        )
    except AssertionError as exc:  # the script failed (Mastra's client throws on the 560)
        after = server.stats()
        reason = "16 MiB limit" if "Read too much data" in str(exc) else "error"
        # The script stops at the first failed call: one call's reads.
        return after["documentsRead"] - before["documentsRead"], float("nan"), reason
    after = server.stats()
    return (
        (after["documentsRead"] - before["documentsRead"]) / repeats,
        result["listMessages"]["medianMs"],
        "",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--message-bytes", type=int, default=2000)
    args = parser.parse_args()

    with ConvexDevServer(with_test_module=True) as dev:
        server = Server(dev)
        started = time.monotonic()
        seed(server, args.message_bytes)
        print(
            f"Seeded threads of {', '.join(f'{s:,}' for s in SIZES)} messages (~{args.message_bytes:,} bytes each) "
            f"in {time.monotonic() - started:.1f} s. Newest page = {PAGE} messages; {args.repeats} calls each.\n"
        )
        with (
            ConvexStore(dev.url, dev.admin_key, change_settle_seconds=0) as with_module,
            ConvexStore(
                dev.url, dev.admin_key, dashboard_module=None, change_settle_seconds=0
            ) as handler_only,
        ):
            assert with_module.mode() == "dashboard module"
            rows = []
            for size in SIZES:
                thread_id = f"bench-{size}"
                module = measure(
                    server, lambda t=thread_id: with_module.memory.message_feed(t, limit=PAGE), args.repeats
                )
                handler = measure(
                    server, lambda t=thread_id: handler_only.memory.message_feed(t, limit=PAGE), args.repeats
                )
                ts = measure_mastra(server, thread_id, args.repeats)
                rows.append((size, module, handler, ts))
            feeds = change_feed_reads(server, with_module, handler_only, args.repeats)

    header = f"{'messages':>9} | {'module docs':>11} {'ms':>7} | {'handler docs':>21} {'ms':>7} | {'Mastra TS docs':>21} {'ms':>7}"
    print(header)
    print("-" * len(header))
    for size, module, handler, ts in rows:
        cells = []
        for (docs, ms, error), width in ((module, 11), (handler, 21), (ts, 21)):
            # A failed call still read documents before it hit the limit: show both.
            text = f"{docs:,.0f}" + (f" ({error})" if error else "")
            cells.append(f"{text:>{width}} {ms:>7.1f}")
        print(f"{size:>9,} | " + " | ".join(cells))
    print(
        "\nDocuments read per call, counted by the dev server (convex-test's transaction metrics). The module"
        "\nreads one page whatever the thread's length; Mastra's handler reads the whole thread (up to its"
        "\n10,000-row cap, and fails past Convex's 16 MiB read limit)."
    )
    print(f"\n{'change feed call':<44} | {'module docs':>11} {'ms':>7} | {'handler docs':>12} {'ms':>7}")
    print("-" * 90)
    for name, module, handler in feeds:
        print(f"{name:<44} | {module[0]:>11,.0f} {module[1]:>7.1f} | {handler[0]:>12,.0f} {handler[1]:>7.1f}")
    print(
        "\nAn indexer's poll when nothing changed reads no document through the module; without it, every"
        "\npoll reads the whole thread table (and each changed thread's messages)."
    )


def change_feed_reads(
    server: Server, with_module: ConvexStore, handler_only: ConvexStore, repeats: int
) -> list[tuple[str, tuple[float, float, str], tuple[float, float, str]]]:
    """Documents read by the change feeds: a first page, and idle polls at the end of each feed."""

    def end_of(store: ConvexStore, poll: Callable[..., Any]) -> str:
        cursor: str | None = None
        while True:
            page = poll(cursor, limit=1000)
            cursor = page.cursor
            if not page.has_more:
                return cursor

    def calls(store: ConvexStore) -> dict[str, Callable[[], object]]:
        messages_end = end_of(store, store.memory.message_changes)
        threads_end = end_of(store, store.memory.thread_changes)
        return {
            "message_changes, first page of 500": lambda: store.memory.message_changes(None, limit=500),
            "message_changes, idle poll at the end": lambda: store.memory.message_changes(
                messages_end, limit=500
            ),
            "thread_changes, idle poll at the end": lambda: store.memory.thread_changes(
                threads_end, limit=200
            ),
            # What an idle "N new messages" / "N new threads" poll reads (dashboard/threads/live.py):
            # the newest message of the thread (5,000 messages) / the top thread, nothing more.
            "thread page news poll, idle": lambda: store.memory.message_feed("bench-5000", limit=1),
            "thread list news poll, idle": lambda: store.memory.thread_feed(limit=1),
        }

    module_calls, handler_calls = calls(with_module), calls(handler_only)
    results = [
        (name, measure(server, module_calls[name], repeats), measure(server, handler_calls[name], repeats))
        for name in module_calls
    ]
    return results


if __name__ == "__main__":
    main()
