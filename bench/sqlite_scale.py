"""How the SQLite store's page reads scale with the size of a Mastra file.

Builds two files in Mastra's LibSQL layout (JSONB snapshots and score columns, as Mastra writes them)
and times the dashboard's first-page reads on both:

* small: 10k messages (1k threads, one thread of 2k messages), 1k scores, 200 runs, 100 resources
* large: 1M messages (100k threads, one thread of 20k messages), 100k scores, 20k runs, 10k resources

The files are cached under var/bench/ (a marker file records how they were built), so a re-run only
times. ``--rebuild`` builds them again. Run: ``.venv/bin/python bench/sqlite_scale.py``.

The change feeds (``message_changes`` by rowid, ``thread_changes`` by ``updatedAt``), a deep
``message_window`` and the id-prefix feeds are timed too: their large/small ratio should be near
1.0 as well.

Each figure is the median of ``--repeats`` calls after a few warm-up calls (the page cache is warm:
this measures the query plan, not the disk). A ratio large/small near 1.0 means the call costs
O(page), not O(table).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from storeclient.changes import encode_change_cursor  # noqa: E402
from storeclient.sqlite import RECOMMENDED_INDEXES, SQLiteStore  # noqa: E402
from storeclient.sqlite.changes import MESSAGE_FEED, THREAD_FEED  # noqa: E402
from storeclient.sqlite.schema import MASTRA_INDEX_DDL, TABLE_DDL  # noqa: E402

OUT = REPO / "var" / "bench"
BUILD_VERSION = 3
SIZES: dict[str, dict[str, int]] = {
    "small": {
        "threads": 1_000,
        "messages": 10_000,
        "big_thread": 2_000,
        "scores": 1_000,
        "runs": 200,
        "resources": 100,
    },
    "large": {
        "threads": 100_000,
        "messages": 1_000_000,
        "big_thread": 20_000,
        "scores": 100_000,
        "runs": 20_000,
        "resources": 10_000,
    },
}
BIG_THREAD = "thread-big"
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def iso(ms: int) -> str:
    dt = T0 + timedelta(milliseconds=ms)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


# --- JSONB (what Mastra's jsonb(?) stores), enough for the bench data ------------------------------


def _head(kind: int, size: int) -> bytes:
    if size <= 11:
        return bytes([(size << 4) | kind])
    for nibble, width in ((12, 1), (13, 2), (14, 4), (15, 8)):
        if size < 1 << (8 * width):
            return bytes([(nibble << 4) | kind]) + size.to_bytes(width, "big")
    raise ValueError(size)


def jsonb(value: Any) -> bytes:
    if value is None:
        return b"\x00"
    if value is True or value is False:
        return b"\x01" if value else b"\x02"
    if isinstance(value, int):
        raw = str(value).encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, float):
        raw = repr(value).encode()
        return _head(5, len(raw)) + raw
    if isinstance(value, str):
        body = json.dumps(value, ensure_ascii=False)[1:-1].encode()
        return _head(8 if b"\\" in body else 7, len(body)) + body
    if isinstance(value, list):
        payload = b"".join(jsonb(v) for v in value)
        return _head(11, len(payload)) + payload
    payload = b"".join(jsonb(str(k)) + jsonb(v) for k, v in value.items())
    return _head(12, len(payload)) + payload


PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def snapshot_template(status: str) -> bytes:
    steps: dict[str, Any] = {
        "input": {"orderId": "ord-1001"},
        "fetch-order": {
            "payload": {"orderId": "ord-1001"},
            "startedAt": 1795710540900,
            "status": "success",
            "output": {
                "orderId": "ord-1001",
                "amount": 129.5,
                "lines": [{"sku": f"SKU-{i}", "qty": i} for i in range(8)],
            },
            "endedAt": 1795710540905,
        },
    }
    if status == "suspended":
        steps["manager-approval"] = {
            "payload": {"orderId": "ord-1001"},
            "startedAt": 1795710540906,
            "status": "suspended",
            "suspendPayload": {"reason": "Amount over 100 EUR needs a manager"},
            "suspendedAt": 1795710540910,
        }
    elif status == "failed":
        steps["charge-card"] = {
            "payload": {"orderId": "ord-1001"},
            "startedAt": 1795710540922,
            "status": "failed",
            "error": {"message": "Card declined: insufficient funds", "name": "Error"},
            "endedAt": 1795710540926,
        }
    snap = {
        "runId": PLACEHOLDER,
        "status": status,
        "value": {},
        "context": steps,
        "activePaths": [0],
        "stepExecutionPath": list(steps)[1:],
        "serializedStepGraph": [
            {
                "type": "step",
                "step": {"id": s, "description": f"Step {s}", "canSuspend": s == "manager-approval"},
            }
            for s in list(steps)[1:]
        ],
        "suspendedPaths": {"manager-approval": [1]} if status == "suspended" else {},
        "requestContext": {},
        "timestamp": 1795710540927,
    }
    return jsonb(snap)


USER_CONTENT = '{{"format":2,"parts":[{{"type":"text","text":"Question {n}: what is the status of order A-{n}?","createdAt":{ms}}}],"content":"Question {n}: what is the status of order A-{n}?"}}'
ASSISTANT_CONTENT = (
    '{{"format":2,"parts":[{{"type":"step-start"}},{{"type":"tool-invocation","toolInvocation":{{"state":"result",'
    '"toolCallId":"call_{n}","toolName":"lookupOrder","args":{{"orderId":"A-{n}"}},"result":{{"orderId":"A-{n}",'
    '"status":"delivered","total":84.5,"currency":"USD"}}}},"createdAt":{ms}}},{{"type":"text","text":"Order A-{n} was '
    'delivered; the total was $84.50.","createdAt":{ms}}}],"content":"Order A-{n} was delivered; the total was $84.50."}}'
)


def build(path: Path, size: dict[str, int]) -> float:
    started = time.monotonic()
    tmp = path.with_suffix(".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    for table, ddl in TABLE_DDL.items():
        conn.execute(ddl)
        for index in MASTRA_INDEX_DDL.get(table, ()):
            conn.execute(index)

    def bulk(sql: str, rows: Any, batch: int = 100_000) -> None:
        chunk: list[Any] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == batch:
                conn.execute("BEGIN")
                conn.executemany(sql, chunk)
                conn.execute("COMMIT")
                chunk = []
        if chunk:
            conn.execute("BEGIN")
            conn.executemany(sql, chunk)
            conn.execute("COMMIT")

    n_threads, n_messages, n_big = size["threads"], size["messages"], size["big_thread"]
    n_resources = size["resources"]
    meta = jsonb({"channel": "web", "agentId": "supportAgent", "locale": "en-US"})
    span = 300 * 24 * 3600 * 1000  # messages spread over 300 days

    def threads() -> Any:
        yield (BIG_THREAD, "user-00000", "A very long support conversation", meta, iso(0), iso(span + 1))
        for i in range(1, n_threads):
            ms = i * (span // n_threads)
            yield (
                f"thread-{i:06d}",
                f"user-{i % n_resources:05d}",
                f"Order A-{10_000 + i} question",
                meta,
                iso(ms),
                iso(ms + 60_000),
            )

    bulk(
        'INSERT INTO mastra_threads (id, "resourceId", title, metadata, "createdAt", "updatedAt") VALUES (?,?,?,?,?,?)',
        threads(),
    )

    def messages() -> Any:
        step = span // n_big
        for j in range(n_big):
            ms = j * step
            content = (USER_CONTENT if j % 2 == 0 else ASSISTANT_CONTENT).format(n=j, ms=ms)
            yield (
                f"big-{j:06d}",
                BIG_THREAD,
                content,
                "user" if j % 2 == 0 else "assistant",
                "v2",
                iso(ms),
                "user-00000",
            )
        rest = n_messages - n_big
        per_thread = max(1, rest // (n_threads - 1))
        for k in range(rest):
            t = 1 + (k // per_thread) % (n_threads - 1)
            ms = t * (span // n_threads) + (k % per_thread) * 1000
            content = (USER_CONTENT if k % 2 == 0 else ASSISTANT_CONTENT).format(n=k, ms=ms)
            yield (
                f"msg-{k:07d}",
                f"thread-{t:06d}",
                content,
                "user" if k % 2 == 0 else "assistant",
                "v2",
                iso(ms),
                f"user-{t % n_resources:05d}",
            )

    bulk(
        'INSERT INTO mastra_messages (id, thread_id, content, role, type, "createdAt", "resourceId") VALUES (?,?,?,?,?,?,?)',
        messages(),
    )
    wm = "# User Information\n- **First Name**: {n}\n- **Location**: Paris, France\n- **Interests**: hiking, pastry\n"
    res_meta = jsonb({"plan": "pro", "locale": "fr-FR", "onboarded": True})
    bulk(
        'INSERT INTO mastra_resources (id, "workingMemory", metadata, "createdAt", "updatedAt") VALUES (?,?,?,?,?)',
        (
            (f"user-{i:05d}", wm.format(n=i), res_meta, iso(i * 1000), iso(span - i * 1000))
            for i in range(n_resources)
        ),
    )
    templates = {s: snapshot_template(s) for s in ("success", "suspended", "failed")}

    def runs() -> Any:
        names = ["order-approval", "payment-flow", "refund-approval", "nightly-report"]
        for i in range(size["runs"]):
            run_id = str(uuid.UUID(int=i + 1, version=4))
            status = ("success", "success", "suspended", "failed")[i % 4]
            snap = templates[status].replace(PLACEHOLDER.encode(), run_id.encode())
            ms = i * (span // size["runs"])
            yield (names[i % 4], run_id, f"user-{i % n_resources:05d}", snap, iso(ms), iso(ms + 500))

    bulk(
        'INSERT INTO mastra_workflow_snapshot (workflow_name, run_id, "resourceId", snapshot, "createdAt", "updatedAt") '
        "VALUES (?,?,?,?,?,?)",
        runs(),
    )
    scorer = jsonb({"id": "answer-relevancy", "name": "Answer Relevancy", "hasJudge": True})
    score_input = jsonb(
        {"inputMessages": [{"role": "user", "content": USER_CONTENT.format(n=1, ms=0)}], "systemMessages": []}
    )
    score_output = jsonb([{"role": "assistant", "content": ASSISTANT_CONTENT.format(n=1, ms=0)}])
    entity = jsonb({"id": "support-agent", "name": "Support Agent"})

    def scores() -> Any:
        scorers = ["answer-relevancy"] * 7 + ["toxicity", "faithfulness", "completeness"]
        for i in range(size["scores"]):
            ms = i * (span // size["scores"])
            yield (
                str(uuid.UUID(int=10**9 + i, version=4)),
                scorers[i % 10],
                f"run-{i:07d}",
                scorer,
                (i * 7919 % 1000) / 1000,
                "Relevant to the question.",
                score_input,
                score_output,
                "AGENT",
                entity,
                "support-agent",
                "LIVE" if i % 5 else "TEST",
                iso(ms),
                iso(ms),
            )

    bulk(
        'INSERT INTO mastra_scorers (id, "scorerId", "runId", scorer, score, reason, input, output, "entityType", entity, '
        '"entityId", source, "createdAt", "updatedAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
        scores(),
    )
    for index in RECOMMENDED_INDEXES:
        conn.execute(index.sql)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    os.replace(tmp, path)
    return time.monotonic() - started


def ensure(name: str, rebuild: bool) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"sqlite_{name}.db"
    marker = OUT / f"sqlite_{name}.json"
    want = {"version": BUILD_VERSION, **SIZES[name]}
    if not rebuild and path.exists() and marker.exists() and json.loads(marker.read_text()) == want:
        return path
    print(f"building {path} ({SIZES[name]['messages']:,} messages) ...", flush=True)
    marker.unlink(missing_ok=True)
    seconds = build(path, SIZES[name])
    marker.write_text(json.dumps(want))
    print(f"  built in {seconds:.1f} s, {path.stat().st_size / 1e6:,.0f} MB", flush=True)
    return path


def medians_ms(fns: list[Callable[[], Any]], repeats: int) -> list[float]:
    """Median wall time of each function, calls interleaved (a, b, a, b, ...) so that machine noise
    (other processes, CPU frequency) hits every file alike."""
    for fn in fns:
        for _ in range(3):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            times[i].append((time.perf_counter() - t) * 1000)
    return [statistics.median(ts) for ts in times]


def operations(store: SQLiteStore) -> dict[str, Callable[[], Any]]:
    # A real cursor from the middle of the big thread, reached by walking the feed.
    with store.pool.connection() as conn:
        n_big = conn.execute(
            "SELECT COUNT(*) FROM mastra_messages WHERE thread_id = ?", (BIG_THREAD,)
        ).fetchone()[0]
    cursor: str | None = None
    walked = 0
    while walked < n_big // 2:
        page = store.memory.message_feed(BIG_THREAD, cursor=cursor, limit=min(1000, n_big // 2 - walked))
        walked += len(page.items)
        cursor = page.next_cursor
    # Change-feed positions in the middle and at the end of the file, as an indexer would hold them.
    with store.pool.connection() as conn:
        last_rowid = conn.execute("SELECT MAX(rowid) FROM mastra_messages").fetchone()[0]
        middle, last = (
            conn.execute(
                'SELECT rowid, id, "createdAt" FROM mastra_messages WHERE rowid = ?', (r,)
            ).fetchone()
            for r in (last_rowid // 2, last_rowid)
        )
        newest_thread = conn.execute(
            'SELECT "updatedAt", id FROM mastra_threads ORDER BY "updatedAt" DESC, id DESC LIMIT 1'
        ).fetchone()
    middle_cursor = encode_change_cursor(MESSAGE_FEED, list(middle))
    end_cursor = encode_change_cursor(MESSAGE_FEED, list(last))
    threads_end = encode_change_cursor(THREAD_FEED, list(newest_thread))
    deep_message = f"big-{n_big // 4:06d}"
    return {
        "thread feed, first page (25)": lambda: store.memory.thread_feed(limit=25),
        "message_changes mid-file (cursor, 500)": lambda: store.memory.message_changes(
            middle_cursor, limit=500
        ),
        "message_changes idle poll at the end": lambda: store.memory.message_changes(end_cursor, limit=500),
        "thread_changes idle poll at the end": lambda: store.memory.thread_changes(threads_end, limit=200),
        "message_window deep in 'big' thread (20+20)": lambda: store.memory.message_window(
            BIG_THREAD, deep_message, before=20, after=20
        ),
        "thread feed, resource prefix 'USER-0004' (25)": lambda: store.memory.thread_feed(
            resource_prefix="USER-0004", limit=25
        ),
        "resource feed, id prefix 'USER-0004' (25)": lambda: store.memory.resource_feed(
            id_prefix="USER-0004", limit=25
        ),
        "message page mid 'big' thread (cursor, 40)": lambda: store.memory.message_feed(
            BIG_THREAD, cursor=cursor, limit=40
        ),
        "get resource": lambda: store.memory.get_resource_by_id("user-00042"),
        "run feed, first page (25)": lambda: store.workflows.run_feed(limit=25),
        "score feed, first page (25)": lambda: store.scores.score_feed("answer-relevancy", limit=25),
        # Not O(page) by design: shown for honesty.
        "run feed status=failed (25; JSONB scan)": lambda: store.workflows.run_feed(
            status="failed", limit=25
        ),
        "listThreads page 0 (20) + exact COUNT": lambda: store.memory.list_threads(per_page=20),
        "status_counts (cap 10,000)": lambda: store.workflows.status_counts(cap=10_000),
        "counts (cap 10,000)": lambda: store.counts(cap=10_000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="build the files again")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--only-small", action="store_true", help="skip the 1M-message file")
    args = parser.parse_args()
    names = ["small"] if args.only_small else ["small", "large"]
    stores = {name: SQLiteStore(ensure(name, args.rebuild), create=False) for name in names}
    for store in stores.values():
        assert not store.missing_indexes()
    ops = {name: operations(store) for name, store in stores.items()}
    results: dict[str, dict[str, float]] = {name: {} for name in names}
    for op in ops[names[0]]:
        for name, ms in zip(names, medians_ms([ops[n][op] for n in names], args.repeats), strict=True):
            results[name][op] = ms
    for store in stores.values():
        store.close()
    print()
    print(
        f"SQLiteStore page reads, median of {args.repeats} calls (ms); Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    header = f"{'operation':<46} {'small':>9}" + (
        f" {'large':>9} {'large/small':>12}" if len(names) > 1 else ""
    )
    print(header)
    print("-" * len(header))
    for op in results[names[0]]:
        line = f"{op:<46} {results['small'][op]:>9.3f}"
        if len(names) > 1:
            line += f" {results['large'][op]:>9.3f} {results['large'][op] / results['small'][op]:>12.2f}"
        print(line)
    sizes = ", ".join(f"{n}: {SIZES[n]['messages']:,} messages" for n in names)
    print(f"\nfiles: {sizes} (cached in {OUT.relative_to(REPO)})")


if __name__ == "__main__":
    main()
