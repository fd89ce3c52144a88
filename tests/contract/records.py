"""Realistic Mastra records for the contract suite (shapes from Mastra's own stores and tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from storeclient.models import Message, Resource, Thread

BASE = datetime(2026, 1, 9, 14, 2, 11, 481000, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return BASE + timedelta(seconds=seconds)


def thread(n: int = 1, *, resource: str = "user_8f2c1a", title: str | None = None, **metadata: Any) -> Thread:
    return Thread(
        id=f"thread-{n:03d}",
        resource_id=resource,
        title=title if title is not None else f"Refund for damaged blender (order A-{10490 + n})",
        metadata={"channel": "web", "agentId": "supportAgent", **metadata},
        created_at=at(n * 60),
        updated_at=at(n * 60 + 30),
    )


def user_text(thread_id: str, n: int, text: str, *, resource: str = "user_8f2c1a") -> Message:
    return Message(
        id=f"{thread_id}-msg-{n:03d}",
        thread_id=thread_id,
        resource_id=resource,
        role="user",
        created_at=at(1000 + n),
        content={"format": 2, "parts": [{"type": "text", "text": text}], "content": text},
    )


def assistant_with_tools(thread_id: str, n: int, *, resource: str = "user_8f2c1a") -> Message:
    return Message(
        id=f"{thread_id}-msg-{n:03d}",
        thread_id=thread_id,
        resource_id=resource,
        role="assistant",
        created_at=at(1000 + n),
        content={
            "format": 2,
            "parts": [
                {"type": "step-start"},
                {
                    "type": "reasoning",
                    "reasoning": "",
                    "details": [{"type": "text", "text": "Look up the order before promising a refund."}],
                },
                {
                    "type": "tool-invocation",
                    "createdAt": 1767967333004,
                    "toolInvocation": {
                        "state": "result",
                        "toolCallId": "call_Qm3r8vT1",
                        "toolName": "lookupOrder",
                        "args": {"orderId": "A-10492"},
                        "result": {
                            "orderId": "A-10492",
                            "status": "delivered",
                            "total": 84.5,
                            "currency": "USD",
                        },
                    },
                },
                {"type": "text", "text": "I've requested an $84.50 refund."},
            ],
            "content": "I've requested an $84.50 refund.",
            "metadata": {"pendingToolApprovals": {}},
        },
    )


def conversation(thread_id: str, count: int, *, resource: str = "user_8f2c1a") -> list[Message]:
    return [
        user_text(thread_id, i, f"Message {i} about order A-10492", resource=resource)
        if i % 2 == 0
        else assistant_with_tools(thread_id, i, resource=resource)
        for i in range(count)
    ]


def resource(rid: str = "user_8f2c1a", working_memory: str | None = None) -> Resource:
    return Resource(
        id=rid,
        working_memory=working_memory
        if working_memory is not None
        else "# User Information\n- **First Name**: Dana\n- **Location**: Portland, OR\n",
        metadata={"plan": "pro", "crmId": "0035e00001XyZ9"},
        created_at=datetime(2025, 11, 2, 9, 15, 40, 120000, tzinfo=UTC),
        updated_at=datetime(2026, 1, 9, 14, 6, 46, 377000, tzinfo=UTC),
    )


def suspended_snapshot(run_id: str) -> dict[str, Any]:
    return {
        "runId": run_id,
        "status": "suspended",
        "value": {},
        "context": {
            "input": {"orderId": "A-10492", "amount": 84.5},
            "fetch-order": {
                "status": "success",
                "payload": {"orderId": "A-10492"},
                "output": {"orderId": "A-10492", "total": 84.5},
                "startedAt": 1767967331610,
                "endedAt": 1767967331958,
            },
            "manager-approval": {
                "status": "suspended",
                "payload": {},
                "suspendPayload": {"message": "Refund of $84.50 exceeds the $50 auto-approve limit"},
                "startedAt": 1767967332240,
                "suspendedAt": 1767967332255,
            },
        },
        "serializedStepGraph": [
            {"type": "step", "step": {"id": "fetch-order"}},
            {"type": "step", "step": {"id": "manager-approval", "canSuspend": True}},
        ],
        "activePaths": [],
        "activeStepsPath": {},
        "suspendedPaths": {"manager-approval": [1]},
        "resumeLabels": {},
        "waitingPaths": {},
        "requestContext": {"tenantId": "acme-retail"},
        "timestamp": 1767967332261,
    }


def snapshot_with_status(run_id: str, status: str) -> dict[str, Any]:
    snap = suspended_snapshot(run_id)
    snap["status"] = status
    if status != "suspended":
        snap["suspendedPaths"] = {}
    return snap


def score_payload(
    scorer_id: str = "answer-relevancy-scorer",
    *,
    run_id: str = "run-0001",
    score: float = 0.86,
    source: str = "LIVE",
    entity_id: str = "supportAgent",
    entity_type: str = "AGENT",
) -> dict[str, Any]:
    return {
        "scorerId": scorer_id,
        "scorer": {"id": scorer_id, "name": "Answer Relevancy", "hasJudge": True},
        "entityId": entity_id,
        "entityType": entity_type,
        "entity": {"id": entity_id, "name": "Support Agent"},
        "runId": run_id,
        "source": source,
        "input": {"inputMessages": [{"role": "user", "content": "My blender arrived cracked."}]},
        "output": [{"role": "assistant", "content": "I've requested a refund."}],
        "analyzeStepResult": {"results": [{"result": "yes", "reason": "Addresses the refund"}]},
        "score": score,
        "reason": "The reply directly handles the refund request.",
        "threadId": "thread-001",
        "resourceId": "user_8f2c1a",
        "metadata": {"sampling": {"type": "ratio", "rate": 0.25}},
    }
