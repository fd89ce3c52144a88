"""The deep-nesting and "/"-in-ids records of test_deep_nesting_pages / test_deep_workflow_pages,
written as raw rows into a real (local) Convex backend: the same pages answer 200 with the same
placeholders. Convex refuses values nested deeper than 64 levels, so deep JSON arrives as text, as
Mastra stores content and snapshots."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from dashboard.core.store import use_store
from storeclient import ConvexStore

from .test_deep_nesting_pages import COLLAPSED, CREATED, deep_object, tool_message
from .test_deep_workflow_pages import (
    RUN_ID,
    deep_parallel_snapshot,
    nested_own_snapshot,
    nested_parent_snapshot,
)

pytestmark = pytest.mark.convex


@pytest.fixture
def convex_store(convex_backend) -> Iterator[ConvexStore]:  # type: ignore[no-untyped-def]
    store = ConvexStore(convex_backend.url, convex_backend.admin_key)
    with use_store(store):
        yield store
    store.close()


def write_thread(store: ConvexStore, message_id: str, content: str) -> None:
    store.handler.insert(
        "mastra_threads",
        {
            "id": "thread-deep",
            "resourceId": "user_deep",
            "title": "Order A-18896 lookup",
            "metadata": {},
            "createdAt": CREATED,
            "updatedAt": CREATED,
        },
    )
    store.handler.insert(
        "mastra_messages",
        {
            "id": message_id,
            "thread_id": "thread-deep",
            "resourceId": "user_deep",
            "role": "assistant",
            "type": "v2",
            "createdAt": CREATED,
            "content": content,
        },
    )


def write_run(store: ConvexStore, workflow_name: str, snapshot: str) -> None:
    store.handler.insert(
        "mastra_workflow_snapshot",
        {
            "id": f"{workflow_name}-{RUN_ID}",
            "workflow_name": workflow_name,
            "run_id": RUN_ID,
            "resourceId": "user_8f2c1a",
            "snapshot": snapshot,
            "createdAt": "2026-01-09T14:02:11.600Z",
            "updatedAt": "2026-01-09T14:02:13.600Z",
        },
    )


def test_deep_tool_results_and_a_slash_in_a_message_id(vera_client: Client, convex_store: ConvexStore):
    write_thread(convex_store, "m/1", tool_message(1000))
    page = vera_client.get("/threads/thread-deep/")
    assert page.status_code == 200
    assert COLLAPSED in page.content.decode()
    raw = vera_client.get("/threads/thread-deep/messages/m/1/raw/")
    assert raw.status_code == 200
    assert "refund approved" in raw.content.decode()


def test_a_tool_result_too_deep_to_decode(vera_client: Client, convex_store: ConvexStore):
    write_thread(convex_store, "msg-deeper", tool_message(5000))
    assert vera_client.get("/threads/thread-deep/").status_code == 200
    assert vera_client.get("/threads/thread-deep/messages/msg-deeper/raw/").status_code == 200


def test_deep_working_memory_keeps_the_resource_pages_up(vera_client: Client, convex_store: ConvexStore):
    for resource_id, memory in (("user_deep", deep_object(1000)), ("user_deeper", deep_object(5000))):
        convex_store.handler.insert(
            "mastra_resources",
            {
                "id": resource_id,
                "workingMemory": memory,
                "metadata": {},
                "createdAt": CREATED,
                "updatedAt": CREATED,
            },
        )
    listing = vera_client.get("/resources/")
    assert listing.status_code == 200
    assert "user_deeper" in listing.content.decode()
    page = vera_client.get("/resources/user_deep/")
    assert page.status_code == 200
    assert COLLAPSED in page.content.decode()
    assert vera_client.get("/resources/user_deeper/").status_code == 200


def test_deep_parallel_blocks_and_a_slash_in_a_workflow_id(vera_client: Client, convex_store: ConvexStore):
    write_run(convex_store, "order-payment", deep_parallel_snapshot(400))
    write_run(convex_store, "support-escalation", nested_parent_snapshot())
    write_run(convex_store, "billing/refund", nested_own_snapshot())
    assert vera_client.get("/workflows/").status_code == 200
    deep = vera_client.get(f"/workflows/order-payment/{RUN_ID}/")
    assert deep.status_code == 200
    assert "nested deeper than" in deep.content.decode()
    parent = vera_client.get(f"/workflows/support-escalation/{RUN_ID}/")
    assert parent.status_code == 200
    assert f'href="/workflows/billing/refund/{RUN_ID}/"' in parent.content.decode()
    assert vera_client.get(f"/workflows/billing/refund/{RUN_ID}/").status_code == 200
