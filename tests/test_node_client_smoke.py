"""Mastra's own TypeScript ConvexStore, driven by tests/node/mastra_convex_client.mjs, round-trips
records through the local dev server. The cross-client tests build on this script, so it has to work
on its own first."""

from __future__ import annotations

import pytest

from dashboard.demo.convex_dev import ConvexDevServer
from tests.support.mastra_client import mastra

pytestmark = pytest.mark.convex

THREAD = {
    "id": "c0a3f6e2-5d1b-4f8e-9a7c-2b6d4e8f1a35",
    "resourceId": "user_8f2c1a",
    "title": "Cracked blender, order A-10492",
    "metadata": {"channel": "web", "priority": "high"},
    "createdAt": "2026-01-09T14:02:11.000Z",
    "updatedAt": "2026-01-09T14:02:11.000Z",
}
QUESTION = {
    "id": "7b1e9a40-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
    "threadId": THREAD["id"],
    "resourceId": "user_8f2c1a",
    "role": "user",
    "type": "v2",
    "createdAt": "2026-01-09T14:02:11.512Z",
    "content": {
        "format": 2,
        "parts": [
            {"type": "text", "text": "My blender from order A-10492 arrived cracked. Can I get a refund?"}
        ],
        "content": "My blender from order A-10492 arrived cracked. Can I get a refund?",
    },
}
ANSWER = {
    "id": "e41c0b9d-2a7f-4d36-9e85-3b1f6c0d7a92",
    "threadId": THREAD["id"],
    "resourceId": "user_8f2c1a",
    "role": "assistant",
    "type": "v2",
    "createdAt": "2026-01-09T14:02:14.120Z",
    "content": {
        "format": 2,
        "parts": [
            {"type": "step-start"},
            {
                "type": "tool-invocation",
                "toolInvocation": {
                    "state": "result",
                    "toolCallId": "call_Qm3r8vT1",
                    "toolName": "lookupOrder",
                    "args": {"orderId": "A-10492"},
                    "result": {"orderId": "A-10492", "status": "delivered", "total": 84.5},
                },
            },
            {
                "type": "text",
                "text": "I'm sorry the blender arrived cracked. I've requested an $84.50 refund.",
            },
        ],
    },
}
RESOURCE = {
    "id": "user_8f2c1a",
    "workingMemory": "# User Information\n- **First Name**: Dana\n- **Location**: Portland, OR\n",
    "metadata": {"plan": "pro"},
    "createdAt": "2025-11-02T09:15:40.120Z",
    "updatedAt": "2026-01-09T14:06:46.377Z",
}
SNAPSHOT = {
    "runId": "5d0f3a8e-9c41-4b7e-a2f1-6e8d0c3b7a21",
    "status": "suspended",
    "value": {},
    "context": {
        "input": {"orderId": "A-10492", "amount": 84.5},
        "manager-approval": {
            "status": "suspended",
            "payload": {"amount": 84.5},
            "suspendPayload": {"message": "Refund of $84.50 exceeds the $50 auto-approve limit"},
            "startedAt": 1767967332240,
            "suspendedAt": 1767967332255,
        },
    },
    "serializedStepGraph": [{"type": "step", "step": {"id": "manager-approval", "canSuspend": True}}],
    "activePaths": [],
    "activeStepsPath": {},
    "suspendedPaths": {"manager-approval": [0]},
    "resumeLabels": {},
    "waitingPaths": {},
    "timestamp": 1767967332261,
}
RUN = {
    "workflowName": "refund-approval",
    "runId": SNAPSHOT["runId"],
    "resourceId": "user_8f2c1a",
    "snapshot": SNAPSHOT,
    "createdAt": "2026-01-09T14:02:11.600Z",
    "updatedAt": "2026-01-09T14:02:12.262Z",
}
SCORE = {
    "scorerId": "answer-relevancy-scorer",
    "scorer": {"id": "answer-relevancy-scorer", "name": "Answer Relevancy", "hasJudge": True},
    "entityId": "supportAgent",
    "entityType": "AGENT",
    "entity": {"id": "supportAgent", "name": "Support Agent"},
    "runId": "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
    "source": "LIVE",
    "input": {
        "inputMessages": [],
        "rememberedMessages": [],
        "systemMessages": [],
        "taggedSystemMessages": {},
    },
    "output": [{"id": ANSWER["id"], "role": "assistant", "content": ANSWER["content"]}],
    "score": 0.86,
    "reason": "The reply directly handles the refund request.",
    "threadId": THREAD["id"],
    "resourceId": "user_8f2c1a",
}


def test_what_mastras_store_writes_it_reads_back(convex_backend: ConvexDevServer) -> None:
    written = mastra(
        convex_backend,
        "write",
        {
            "threads": [THREAD],
            "messages": [QUESTION, ANSWER],
            "resources": [RESOURCE],
            "workflowSnapshots": [RUN],
            "scores": [SCORE],
        },
    )
    score_id = written["scores"][0]["id"]

    read = mastra(
        convex_backend,
        "read",
        {
            "threadIds": [THREAD["id"]],
            "resourceIds": [RESOURCE["id"]],
            "runs": [{"workflowName": RUN["workflowName"], "runId": RUN["runId"]}],
            "scoreIds": [score_id],
            "scorerIds": [SCORE["scorerId"]],
        },
    )

    thread = read["threads"][THREAD["id"]]
    assert {k: thread[k] for k in ("id", "resourceId", "title", "metadata", "createdAt")} == {
        k: THREAD[k] for k in ("id", "resourceId", "title", "metadata", "createdAt")
    }
    messages = read["messages"][THREAD["id"]]
    assert [m["id"] for m in messages] == [QUESTION["id"], ANSWER["id"]]
    assert messages[1]["content"]["parts"] == ANSWER["content"]["parts"]
    assert messages[0]["createdAt"] == QUESTION["createdAt"]
    resource = read["resources"][RESOURCE["id"]]
    # Mastra 1.5.2 hands back the raw Convex document here, _id and _creationTime included.
    assert {k: resource[k] for k in RESOURCE} == RESOURCE
    key = f"{RUN['workflowName']}/{RUN['runId']}"
    assert read["workflowSnapshots"][key] == SNAPSHOT
    assert read["workflowRuns"][key]["snapshot"] == SNAPSHOT
    assert read["workflowRuns"][key]["createdAt"] == RUN["createdAt"]
    score = read["scores"][score_id]
    assert {k: score[k] for k in SCORE} == SCORE
    assert [s["id"] for s in read["scoresByScorer"][SCORE["scorerId"]]["scores"]] == [score_id]


def test_the_bench_command_times_each_operation(convex_backend: ConvexDevServer) -> None:
    mastra(
        convex_backend,
        "write",
        {"threads": [THREAD], "messages": [QUESTION, ANSWER], "resources": [RESOURCE]},
    )

    timings = mastra(
        convex_backend,
        "bench",
        {
            "operations": [
                {"op": "listThreads"},
                {"op": "listMessages", "threadId": THREAD["id"]},
                {"op": "getResourceById", "resourceId": RESOURCE["id"]},
                {"op": "listWorkflowRuns"},
                {"op": "listScoresByScorerId", "scorerId": SCORE["scorerId"]},
            ],
            "repeats": 3,
        },
    )

    assert set(timings) == {
        "listThreads",
        "listMessages",
        "getResourceById",
        "listWorkflowRuns",
        "listScoresByScorerId",
    }
    assert all(t["medianMs"] > 0 and t["repeats"] == 3 for t in timings.values())
