"""Realistic Mastra records (shapes from files @mastra/libsql writes and Mastra's own tests), and a
helper that writes rows the way ``@mastra/libsql`` does - JSONB blobs in the JSON columns - so
the reader is tested on Mastra's encoding without Node.

``to_jsonb`` is a test-only JSONB *encoder* that reproduces SQLite's ``jsonb()`` output for
``JSON.stringify`` text (checked against bytes captured from libsql in test_sqlite_jsonb.py).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storeclient.models import Message, Resource, Thread

BASE = datetime(2025, 6, 2, 9, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return BASE + timedelta(seconds=seconds)


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


# --- JSONB encoder (test helper) ------------------------------------------------------------------


def _header(kind: int, size: int) -> bytes:
    if size <= 11:
        return bytes([(size << 4) | kind])
    for nibble, width in ((12, 1), (13, 2), (14, 4), (15, 8)):
        if size < 1 << (8 * width):
            return bytes([(nibble << 4) | kind]) + size.to_bytes(width, "big")
    raise ValueError("too large")


def to_jsonb(value: Any) -> bytes:
    if value is None:
        return b"\x00"
    if value is True:
        return b"\x01"
    if value is False:
        return b"\x02"
    if isinstance(value, int):
        text = str(value).encode()
        return _header(3, len(text)) + text
    if isinstance(value, float):
        text = json.dumps(value).encode()
        return _header(5, len(text)) + text
    if isinstance(value, str):
        body = json.dumps(value, ensure_ascii=False)[1:-1]
        kind = 8 if "\\" in body else 7
        raw = body.encode()
        return _header(kind, len(raw)) + raw
    if isinstance(value, list):
        payload = b"".join(to_jsonb(v) for v in value)
        return _header(11, len(payload)) + payload
    if isinstance(value, dict):
        payload = b"".join(to_jsonb(str(k)) + to_jsonb(v) for k, v in value.items())
        return _header(12, len(payload)) + payload
    raise TypeError(type(value))


# --- records ---------------------------------------------------------------------------------------

ALICE_WM = (
    "# User Information\n- **First Name**: Alice\n- **Location**: Paris, France\n"
    "- **Preferred units**: metric\n- **Interests**: hiking, pastry\n"
)
BOB_WM = '{"name":"Bob","timezone":"Europe/Lisbon","trips":[{"city":"Lisbon","month":"July"}]}'

WEATHER_THREAD = "71facad8-53dd-5d9b-bfc7-eb2d9961272b"
TRIP_THREAD = "10724fc5-056b-5956-814a-4d23883e8dfc"


def threads() -> list[Thread]:
    return [
        Thread(
            id=WEATHER_THREAD,
            resource_id="user-alice",
            title="Weather in Paris",
            metadata={"channel": "web", "tags": ["weather"], "pinned": True},
            created_at=at(600),
            updated_at=at(675),
        ),
        Thread(
            id=TRIP_THREAD,
            resource_id="user-bob",
            title="Trip planning",
            metadata={
                "channel": "api",
                "workingMemory": "# Trip\n- **Destination**: Lisbon\n- **Dates**: 2025-07-10 to 2025-07-14\n"
                "- **Budget**: 900 EUR\n",
            },
            created_at=at(1800),
            updated_at=at(1900),
        ),
        Thread(
            id="b2f7c1e0-0000-4000-8000-000000000003",
            resource_id="user-alice",
            title='[draft] Croissant recipe ✨ «quotes» "double"',
            metadata={"channel": "web", "pinned": False, "score": 3},
            created_at=at(3600),
            updated_at=at(3700),
        ),
    ]


def user_message(
    thread_id: str, n: int, text: str, *, resource: str = "user-alice", t: float | None = None
) -> Message:
    return Message(
        id=f"{thread_id}-u{n:03d}",
        thread_id=thread_id,
        resource_id=resource,
        role="user",
        created_at=at(t if t is not None else 660 + n),
        content={
            "format": 2,
            "parts": [{"type": "text", "text": text, "createdAt": 1748855460000 + n}],
            "content": text,
        },
    )


WEATHER_ASSISTANT_CONTENT: dict[str, Any] = {
    "format": 2,
    "parts": [
        {
            "type": "reasoning",
            "reasoning": "The user wants current weather; call weatherTool for Paris.",
            "details": [
                {"type": "text", "text": "The user wants current weather; call weatherTool for Paris."}
            ],
            "createdAt": 1748855475000,
        },
        {
            "type": "tool-invocation",
            "toolInvocation": {
                "toolCallId": "call_wx_1",
                "toolName": "weatherTool",
                "args": {"city": "Paris", "units": "metric"},
                "state": "result",
                "result": {"city": "Paris", "tempC": 18, "conditions": "Cloudy", "windKph": 12},
            },
            "createdAt": 1748855475000,
        },
        {"type": "step-start"},
        {
            "type": "text",
            "text": "It is 18 °C and cloudy in Paris, with a light wind (12 km/h).",
            "createdAt": 1748855475000,
        },
    ],
    "toolInvocations": [
        {
            "toolCallId": "call_wx_1",
            "toolName": "weatherTool",
            "args": {"city": "Paris", "units": "metric"},
            "state": "result",
            "result": {"city": "Paris", "tempC": 18, "conditions": "Cloudy", "windKph": 12},
        }
    ],
    "reasoning": "The user wants current weather; call weatherTool for Paris.",
    "content": "It is 18 °C and cloudy in Paris, with a light wind (12 km/h).",
}


def weather_messages() -> list[Message]:
    return [
        user_message(WEATHER_THREAD, 1, "What is the weather in Paris right now?", t=660),
        Message(
            id="fcab4d6f-0461-505f-a64c-eca052af2836",
            thread_id=WEATHER_THREAD,
            resource_id="user-alice",
            role="assistant",
            created_at=at(675),
            content=WEATHER_ASSISTANT_CONTENT,
        ),
        Message(
            id=f"{WEATHER_THREAD[:8]}-u002",
            thread_id=WEATHER_THREAD,
            resource_id="user-alice",
            role="user",
            created_at=at(700),
            content={
                "format": 2,
                "parts": [{"type": "text", "text": "Merci ! 🙏"}],
                "content": "Merci ! 🙏",
                "metadata": {"source": "slack", "slackTs": "1717318860.000100", "urgent": True, "retries": 2},
            },
        ),
    ]


def resources() -> list[Resource]:
    return [
        Resource(
            id="user-alice",
            working_memory=ALICE_WM,
            metadata={"plan": "pro", "locale": "fr-FR", "onboarded": True},
            created_at=at(0),
            updated_at=at(0),
        ),
        Resource(
            id="user-bob",
            working_memory=BOB_WM,
            metadata={"plan": "free", "lastSeenChannel": "api"},
            created_at=at(60),
            updated_at=at(1900),
        ),
    ]


def failed_snapshot(run_id: str = "f2ce27b1-6f4f-581c-b872-22f39bf84fcd") -> dict[str, Any]:
    return {
        "runId": run_id,
        "status": "failed",
        "value": {},
        "context": {
            "input": {"orderId": "ord-2002"},
            "charge-card": {
                "payload": {"orderId": "ord-2002"},
                "startedAt": 1795710540922,
                "status": "failed",
                "error": {"message": "Card declined: insufficient funds", "name": "Error"},
                "endedAt": 1795710540926,
            },
        },
        "activePaths": [0],
        "stepExecutionPath": ["charge-card"],
        "activeStepsPath": {},
        "serializedStepGraph": [
            {
                "type": "step",
                "step": {"id": "charge-card", "description": "Charge the customer card", "canSuspend": False},
            }
        ],
        "suspendedPaths": {},
        "waitingPaths": {},
        "resumeLabels": {},
        "error": {"message": "Card declined: insufficient funds", "name": "Error"},
        "requestContext": {},
        "timestamp": 1795710540927,
        "tracingContext": {},
    }


def suspended_snapshot(run_id: str, thread_id: str | None = None) -> dict[str, Any]:
    snap: dict[str, Any] = {
        "runId": run_id,
        "status": "suspended",
        "value": {},
        "context": {
            "input": {"orderId": "ord-1001"},
            "fetch-order": {
                "payload": {"orderId": "ord-1001"},
                "startedAt": 1795710540900,
                "status": "success",
                "output": {"orderId": "ord-1001", "amount": 129.5},
                "endedAt": 1795710540905,
            },
            "manager-approval": {
                "payload": {"orderId": "ord-1001", "amount": 129.5},
                "startedAt": 1795710540906,
                "status": "suspended",
                "suspendPayload": {"reason": "Amount over 100 EUR needs a manager"},
                "suspendedAt": 1795710540910,
            },
        },
        "activePaths": [1],
        "suspendedPaths": {"manager-approval": [1]},
        "serializedStepGraph": [
            {
                "type": "step",
                "step": {"id": "fetch-order", "description": "Load the order", "canSuspend": False},
            },
            {
                "type": "step",
                "step": {"id": "manager-approval", "description": "Wait for a manager", "canSuspend": True},
            },
        ],
        "timestamp": 1795710540910,
    }
    if thread_id:
        snap["context"]["manager-approval"]["suspendPayload"]["__streamState"] = {
            "messageList": {"memoryInfo": {"threadId": thread_id, "resourceId": "user-alice"}}
        }
    return snap


def success_snapshot(run_id: str) -> dict[str, Any]:
    snap = suspended_snapshot(run_id)
    snap["status"] = "success"
    step = snap["context"]["manager-approval"]
    step.update(
        status="success",
        resumePayload={"approved": True},
        resumedAt=1795710541000,
        output={"approved": True},
        endedAt=1795710541001,
    )
    snap["suspendedPaths"] = {}
    snap["result"] = {"approved": True}
    return snap


def score_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "scorerId": "answer-relevancy",
        "traceId": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "spanId": "0123456789abcdef",
        "runId": "9cf4676d-c45a-58cd-b373-8b812b0d7fb3",
        "scorer": {
            "id": "answer-relevancy",
            "name": "Answer Relevancy",
            "description": "How relevant the answer is to the question",
            "hasJudge": True,
        },
        "preprocessStepResult": {"statements": ["It is 18 °C and cloudy in Paris"]},
        "analyzeStepResult": {"results": [{"result": "yes", "reason": "on topic"}]},
        "score": 0.92,
        "reason": "The answer directly addresses the weather in Paris.",
        "metadata": {"structuredOutput": False},
        "preprocessPrompt": "Extract statements from the output…",
        "generateReasonPrompt": "Explain the score…",
        "analyzePrompt": "For each statement decide if it is relevant…",
        "input": {
            "inputMessages": [
                {
                    "id": "b79c897e-1",
                    "role": "user",
                    "createdAt": "2025-06-02T09:11:00.000Z",
                    "content": {
                        "format": 2,
                        "parts": [{"type": "text", "text": "What is the weather in Paris right now?"}],
                    },
                    "threadId": WEATHER_THREAD,
                    "resourceId": "user-alice",
                }
            ],
            "rememberedMessages": [],
            "systemMessages": [{"role": "system", "content": "You are a helpful weather assistant."}],
            "taggedSystemMessages": {},
        },
        "output": [
            {
                "id": "fcab4d6f-0461-505f-a64c-eca052af2836",
                "role": "assistant",
                "createdAt": "2025-06-02T09:11:15.000Z",
                "content": WEATHER_ASSISTANT_CONTENT,
                "threadId": WEATHER_THREAD,
                "resourceId": "user-alice",
            }
        ],
        "requestContext": {},
        "entityType": "AGENT",
        "entity": {"id": "weather-agent", "name": "Weather Agent"},
        "entityId": "weather-agent",
        "source": "LIVE",
        "resourceId": "user-alice",
        "threadId": WEATHER_THREAD,
    }
    payload.update(overrides)
    return payload


# --- writing rows as Mastra does (JSONB) ------------------------------------------------------------


def write_mastra_rows(
    path: Path | str, table: str, records: list[dict[str, Any]], jsonb_columns: set[str]
) -> None:
    """Insert rows with ``jsonb_columns`` encoded as JSONB blobs (what ``jsonb(?)`` stores)."""
    conn = sqlite3.connect(path)
    try:
        for record in records:
            values = [to_jsonb(v) if k in jsonb_columns and v is not None else v for k, v in record.items()]
            names = ", ".join(f'"{k}"' for k in record)
            conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(record))})", values)
        conn.commit()
    finally:
        conn.close()
