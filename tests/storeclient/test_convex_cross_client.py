"""Cross-client round trips: Mastra's own TypeScript ConvexStore and the Python ConvexStore read
each other's records field for field, through the real handler in the local dev server.

Intended differences (documented in the README):
* Mastra's TS readers leak Convex's ``_id``/``_creationTime`` on threads, resources and scores; the
  Python store strips them, so comparisons drop those two keys.
* Mastra's ``getResourceById`` returns ``metadata: {}`` when a resource has none; so does Python.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dashboard.demo.convex_dev import ConvexDevServer
from storeclient import ConvexStore
from storeclient.codec import parse_datetime
from storeclient.models import Message, Resource, Thread
from tests.test_node_client_smoke import ANSWER, QUESTION, RESOURCE, RUN, SCORE, SNAPSHOT, THREAD, mastra

pytestmark = pytest.mark.convex

THREAD_SCOPED = {
    **THREAD,
    "id": "thread-scoped-memory",
    "title": "Trip planning",
    "metadata": {"channel": "api", "workingMemory": "# Trip\n- **Destination**: Lisbon\n"},
}
TOOL_ERROR = {
    **ANSWER,
    "id": "a7f3c2d1-tool-error",
    "createdAt": "2026-01-09T14:02:20.000Z",
    "content": {
        "format": 2,
        "parts": [
            {
                "type": "tool-invocation",
                "toolInvocation": {
                    "state": "output-error",
                    "toolCallId": "call_refund_1",
                    "toolName": "issueRefund",
                    "args": {"orderId": "A-10492", "amount": 84.5},
                    "errorText": "Payments API 503: upstream unavailable",
                },
            },
            {
                "type": "source",
                "source": {"sourceType": "url", "id": "src-1", "url": "https://help.example.com/refunds"},
            },
            {
                "type": "file",
                "mimeType": "image/jpeg",
                "data": "https://cdn.example.com/u/8f2c1a/blender-crack.jpg",
            },
        ],
    },
}
JSON_RESOURCE = {
    **RESOURCE,
    "id": "user_51d0e7",
    "workingMemory": '{"name":"Arjun Mehta","timezone":"Asia/Kolkata","openOrders":["A-10492","A-10517"]}',
    "metadata": {},
}
FAILED_RUN = {
    **RUN,
    "runId": "b7c2e1d4-0a9f-4c3b-8e61-2f5d7a9c4e10",
    "workflowName": "catalog-sync",
    "snapshot": {
        **SNAPSHOT,
        "runId": "b7c2e1d4-0a9f-4c3b-8e61-2f5d7a9c4e10",
        "status": "failed",
        "error": {"name": "Error", "message": "Shopify Admin API 429: rate limit exceeded"},
        "suspendedPaths": {},
    },
}
MESSAGES = [QUESTION, ANSWER, TOOL_ERROR]
SCORES = [SCORE, {**SCORE, "score": 0.31, "source": "TEST", "reason": "Misses the refund timeline."}]


def system_stripped(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("_id", "_creationTime")}


def python_thread(record: dict[str, Any]) -> Thread:
    return Thread(
        id=record["id"],
        resource_id=record["resourceId"],
        title=record["title"],
        metadata=copy.deepcopy(record["metadata"]),
        created_at=parse_datetime(record["createdAt"]),
        updated_at=parse_datetime(record["updatedAt"]),
    )


def python_message(record: dict[str, Any]) -> Message:
    return Message(
        id=record["id"],
        thread_id=record["threadId"],
        resource_id=record["resourceId"],
        role=record["role"],
        type=record["type"],
        created_at=parse_datetime(record["createdAt"]),
        content=copy.deepcopy(record["content"]),
    )


def python_resource(record: dict[str, Any]) -> Resource:
    return Resource(
        id=record["id"],
        working_memory=record["workingMemory"],
        metadata=copy.deepcopy(record["metadata"]),
        created_at=parse_datetime(record["createdAt"]),
        updated_at=parse_datetime(record["updatedAt"]),
    )


def read_spec(score_ids: list[str]) -> dict[str, Any]:
    return {
        "threadIds": [THREAD["id"], THREAD_SCOPED["id"]],
        "resourceIds": [RESOURCE["id"], JSON_RESOURCE["id"]],
        "runs": [{"workflowName": r["workflowName"], "runId": r["runId"]} for r in (RUN, FAILED_RUN)],
        "scoreIds": score_ids,
        "scorerIds": [SCORE["scorerId"]],
    }


def assert_python_reads_what_mastra_reads(
    store: ConvexStore, ts: dict[str, Any], score_ids: list[str]
) -> None:
    for thread_id in (THREAD["id"], THREAD_SCOPED["id"]):
        py = store.memory.get_thread_by_id(thread_id)
        assert py is not None
        ts_thread = system_stripped(ts["threads"][thread_id])
        # Saving messages bumps updatedAt on both sides to "now"; compare everything else exactly.
        assert {k: v for k, v in py.to_record().items() if k != "updatedAt"} == {
            k: v for k, v in ts_thread.items() if k != "updatedAt"
        }
        assert py.updated_at == parse_datetime(ts_thread["updatedAt"])
        py_messages = [m.to_record() for m in store.memory.list_messages(thread_id, per_page=False).messages]
        assert py_messages == ts["messages"][thread_id]
    for resource_id in (RESOURCE["id"], JSON_RESOURCE["id"]):
        py_resource = store.memory.get_resource_by_id(resource_id)
        assert py_resource is not None
        assert py_resource.to_record() == system_stripped(ts["resources"][resource_id])
    for run in (RUN, FAILED_RUN):
        key = f"{run['workflowName']}/{run['runId']}"
        py_run = store.workflows.get_workflow_run_by_id(run["runId"], workflow_name=run["workflowName"])
        assert py_run is not None
        assert py_run.to_record() == ts["workflowRuns"][key]
        assert (
            store.workflows.load_workflow_snapshot(run["workflowName"], run["runId"])
            == ts["workflowSnapshots"][key]
        )
    for score_id in score_ids:
        py_score = store.scores.get_score_by_id(score_id)
        assert py_score is not None
        assert py_score.to_record() == system_stripped(ts["scores"][score_id])
    py_list = store.scores.list_scores_by_scorer_id(SCORE["scorerId"])
    ts_list = ts["scoresByScorer"][SCORE["scorerId"]]
    assert [s.id for s in py_list.scores] == [s["id"] for s in ts_list["scores"]]
    assert py_list.total == ts_list["pagination"]["total"]


def test_python_reads_what_mastras_typescript_store_wrote(convex_backend: ConvexDevServer) -> None:
    written = mastra(
        convex_backend,
        "write",
        {
            "threads": [THREAD, THREAD_SCOPED],
            "messages": MESSAGES,
            "resources": [RESOURCE, JSON_RESOURCE],
            "workflowSnapshots": [RUN, FAILED_RUN],
            "scores": SCORES,
        },
    )
    score_ids = [s["id"] for s in written["scores"]]
    ts = mastra(convex_backend, "read", read_spec(score_ids))
    with ConvexStore(convex_backend.url, convex_backend.admin_key) as store:
        assert_python_reads_what_mastra_reads(store, ts, score_ids)
        thread = store.memory.get_thread_by_id(THREAD_SCOPED["id"])
        assert thread is not None and thread.working_memory == "# Trip\n- **Destination**: Lisbon\n"
        error_part = store.memory.list_messages(THREAD["id"], per_page=False).messages[2].parts[0]
        assert error_part["toolInvocation"]["errorText"] == "Payments API 503: upstream unavailable"


def test_mastras_typescript_store_reads_what_python_wrote(convex_backend: ConvexDevServer) -> None:
    with ConvexStore(convex_backend.url, convex_backend.admin_key) as store:
        for record in (THREAD, THREAD_SCOPED):
            store.memory.save_thread(python_thread(record))
        store.memory.save_messages([python_message(m) for m in MESSAGES])
        for record in (RESOURCE, JSON_RESOURCE):
            store.memory.save_resource(python_resource(record))
        for run in (RUN, FAILED_RUN):
            store.workflows.persist_workflow_snapshot(
                run["workflowName"],
                run["runId"],
                run["snapshot"],
                resource_id=run["resourceId"],
                created_at=parse_datetime(run["createdAt"]),
                updated_at=parse_datetime(run["updatedAt"]),
            )
        score_ids = [store.scores.save_score(s).id for s in SCORES]
        ts = mastra(convex_backend, "read", read_spec(score_ids))
        assert_python_reads_what_mastra_reads(store, ts, score_ids)
        # And what Mastra reads is what Python meant to write.
        assert [m["content"] for m in ts["messages"][THREAD["id"]]] == [m["content"] for m in MESSAGES]
        key = f"{FAILED_RUN['workflowName']}/{FAILED_RUN['runId']}"
        assert ts["workflowSnapshots"][key] == FAILED_RUN["snapshot"]
        for score_id, payload in zip(score_ids, SCORES, strict=True):
            ts_score = ts["scores"][score_id]
            assert {k: ts_score[k] for k in payload} == payload
