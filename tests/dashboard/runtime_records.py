"""Hostile rows for the agent runtime's tables, in Mastra's exact stored layout (@mastra/libsql
1.23.1: the file is initialised by Mastra's own LibSQLStore.init(), the rows are then written as
libsql writes them, JSON columns as JSON text). Every text a page shows carries a payload of the
XSS corpus, and some rows hold the wrong types where an agent or an older Mastra could put them."""

from __future__ import annotations

import json
import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.storeclient.sqlite.nodetools import run_node
from tests.support.xss_payloads import PAYLOADS, URLS

RESOURCE = "user-hostile"
THREAD = "thread-hostile-om"
INDEX = "mastra_memory_hostile"
T0 = 1767967331000  # 2026-01-09T14:02:11Z in ms


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    values = [json.dumps(v) if isinstance(v, dict | list) else v for v in row.values()]
    columns = ", ".join(f'"{c}"' for c in row)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in row)})", values)


def _om(
    n: int, payload: str, *, lookup: str, scope: str, thread: str | None, generation: int
) -> dict[str, Any]:
    chunk = {
        "id": f"ombuf-{n}",
        "cycleId": payload,
        "observations": payload,
        "tokenCount": 8,
        "messageIds": [payload],
        "messageTokens": 420,
        "lastObservedAt": _iso(T0),
        "createdAt": _iso(T0),
        "currentTask": payload,
        "suggestedContinuation": payload,
    }
    return {
        "id": f"om-{n}",
        "lookupKey": lookup,
        "scope": scope,
        "resourceId": RESOURCE,
        "threadId": thread,
        "activeObservations": f"- 🔴 {payload}\n\n--- message boundary ({_iso(T0)}) ---\n\n- {payload}",
        "activeObservationsPendingUpdate": None,
        "originType": payload if n % 2 else "reflection",
        "config": json.dumps({payload: payload, "observation": {"messageTokens": payload}}),
        "generationCount": generation,
        "lastObservedAt": _iso(T0),
        "lastReflectionAt": None,
        "pendingMessageTokens": 0,
        "totalTokensObserved": 12,
        "observationTokenCount": 20,
        "isObserving": 1,
        "isReflecting": 0,
        "observedMessageIds": json.dumps([payload]),
        "observedTimezone": payload,
        "bufferedObservations": None,
        "bufferedObservationTokens": None,
        "bufferedMessageIds": None,
        "bufferedReflection": payload,
        "bufferedReflectionTokens": 5,
        "bufferedReflectionInputTokens": 9,
        "reflectedObservationLineCount": 1,
        "bufferedObservationChunks": json.dumps([chunk, payload, 42]),
        "isBufferingObservation": 0,
        "isBufferingReflection": 1,
        "lastBufferedAtTokens": 0,
        "lastBufferedAtTime": _iso(T0),
        "metadata": json.dumps({"note": payload}),
        "createdAt": _iso(T0 + n),
        "updatedAt": _iso(T0 + n),
    }


def write_hostile_runtime(path: Path) -> None:
    """A mastra.db Mastra initialised, holding the hostile rows."""
    run_node("mastra_inventory.mjs", str(path))  # LibSQLStore.init(): every table, Mastra's DDL
    with sqlite3.connect(path) as conn:
        _insert(
            conn,
            "mastra_threads",
            {
                "id": THREAD,
                "resourceId": RESOURCE,
                "title": PAYLOADS[0],
                "metadata": "{}",
                "createdAt": _iso(T0),
                "updatedAt": _iso(T0),
            },
        )
        # Observational memory: resource scope over several generations, thread scope, and one
        # generation whose fields hold the wrong types (an older writer or a hand edit).
        for n, payload in enumerate(PAYLOADS[:5]):
            _insert(
                conn,
                "mastra_observational_memory",
                _om(n, payload, lookup=f"resource:{RESOURCE}", scope="resource", thread=None, generation=n),
            )
        _insert(
            conn,
            "mastra_observational_memory",
            _om(90, PAYLOADS[5], lookup=f"thread:{THREAD}", scope="thread", thread=THREAD, generation=0),
        )
        broken = _om(91, PAYLOADS[6], lookup=f"thread:{THREAD}", scope="thread", thread=THREAD, generation=1)
        broken.update(
            config="not json {",
            bufferedObservationChunks='{"not": "a list"}',
            observedMessageIds="[1, 2",
            metadata="[1,2,3]",
            totalTokensObserved="many",
            lastObservedAt="yesterday",
        )
        _insert(conn, "mastra_observational_memory", broken)

        for n, payload in enumerate(PAYLOADS[:8]):
            schedule_id = f"sched_{n}"
            _insert(
                conn,
                "mastra_schedules",
                {
                    "id": schedule_id,
                    "target": json.dumps(
                        {"type": "workflow", "workflowId": payload, "inputData": {payload: payload}}
                    )
                    if n % 2
                    else json.dumps(
                        {"type": "agent", "agentId": payload, "prompt": payload, "threadId": payload}
                    ),
                    "cron": payload,
                    "timezone": payload,
                    "status": payload if n % 3 == 0 else "active",
                    "next_fire_at": T0 + n * 60_000,
                    "last_fire_at": T0 if n % 2 else None,
                    "last_run_id": payload if n % 2 else None,
                    "created_at": T0 + n,
                    "updated_at": T0 + n,
                    "metadata": json.dumps({"owner": payload}),
                    "owner_type": "agent" if n % 2 == 0 else None,
                    "owner_id": payload if n % 2 == 0 else None,
                },
            )
            for k in range(2):
                _insert(
                    conn,
                    "mastra_schedule_triggers",
                    {
                        "id": f"trig_{n}_{k}",
                        "schedule_id": schedule_id,
                        "run_id": payload if k else None,
                        "scheduled_fire_at": T0 + k,
                        "actual_fire_at": T0 + k + 5,
                        "outcome": payload if k else "failed",
                        "error": payload,
                        "trigger_kind": payload,
                        "parent_trigger_id": None,
                        "metadata": json.dumps({"attempt": payload}),
                    },
                )
        # A schedule whose target is not JSON and whose times are text.
        _insert(
            conn,
            "mastra_schedules",
            {
                "id": "sched_broken",
                "target": "{oops",
                "cron": "* * * * *",
                "status": "active",
                "next_fire_at": "soon",
                "created_at": "then",
                "updated_at": T0,
            },
        )

        for n, payload in enumerate(PAYLOADS[:10]):
            _insert(
                conn,
                "mastra_background_tasks",
                {
                    "id": f"bt_{n}",
                    "tool_call_id": payload,
                    "tool_name": payload,
                    "agent_id": payload,
                    "run_id": payload,
                    "thread_id": THREAD if n % 2 else payload,
                    "resource_id": RESOURCE,
                    "status": ["failed", "completed", "suspended", payload][n % 4],
                    "args": json.dumps({payload: payload}),
                    "result": json.dumps({"html": payload}) if n % 4 == 1 else None,
                    "error": json.dumps({"message": payload})
                    if n % 4 == 0
                    else (json.dumps(payload) if n % 4 == 3 else None),
                    "suspend_payload": json.dumps({"question": payload}) if n % 4 == 2 else None,
                    "retry_count": 1,
                    "max_retries": 2,
                    "timeout_ms": 600000,
                    "createdAt": _iso(T0 + n * 1000),
                    "startedAt": _iso(T0 + n * 1000 + 10),
                    "suspendedAt": None,
                    "completedAt": _iso(T0 + n * 1000 + 500) if n % 4 != 2 else None,
                },
            )

        # A LibSQLVector index, in the DDL LibSQLVector.createIndex writes (F32_BLOB, metadata text).
        conn.execute(
            f'CREATE TABLE IF NOT EXISTS "{INDEX}" (id SERIAL PRIMARY KEY, vector_id TEXT UNIQUE NOT NULL, '
            "embedding F32_BLOB(4), metadata TEXT DEFAULT '{}')"
        )
        for n, payload in enumerate(PAYLOADS[:12]):
            embedding = struct.pack("<4f", 0.1 * (n + 1), 0.2, 0.3, 0.05 * n)
            metadata = {
                "message_id": payload,
                "thread_id": payload if n % 2 else THREAD,
                "resource_id": RESOURCE,
                "role": payload,
                "content": payload,
                "url": URLS[n % len(URLS)],
            }
            conn.execute(
                f'INSERT INTO "{INDEX}" (vector_id, embedding, metadata) VALUES (?, ?, ?)',
                (f"v{n}" if n else payload, embedding, json.dumps(metadata)),
            )
        # A vector whose embedding is the wrong size and whose metadata is not JSON.
        conn.execute(
            f'INSERT INTO "{INDEX}" (vector_id, embedding, metadata) VALUES (?, ?, ?)',
            ("v-bad", b"\x00\x01", "{nope"),
        )
