"""Agent-written records nested far deeper than a page can draw (a tool result 1,000 levels deep,
working memory as deep JSON, parallel blocks inside parallel blocks) and ids holding "/" show on
every page as a labelled placeholder with the raw JSON at hand, never a 500."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from django.test import Client

from storeclient.sqlite import SQLiteStore

CREATED = "2026-03-01T09:00:00.000Z"
COLLAPSED = "nested deeper than 50 levels — collapsed"


def deep_object(depth: int, leaf: str = '"refund approved"') -> str:
    """JSON text ``{"next": {"next": … leaf …}}`` ``depth`` levels deep, built as text: Python's own
    encoder refuses values this deep, an agent's JavaScript does not."""
    return '{"next":' * depth + leaf + "}" * depth


def tool_message(depth: int) -> str:
    result = deep_object(depth)
    return (
        '{"format":2,"parts":[{"type":"tool-invocation","toolInvocation":{"state":"result",'
        '"toolCallId":"call_7Qd2","toolName":"lookupOrder","args":{"orderId":"A-18896"},'
        f'"result":{result}}}}}]}}'
    )


def insert(store: SQLiteStore, table: str, row: dict[str, Any]) -> None:
    columns = ", ".join(f'"{c}"' for c in row)
    marks = ", ".join("?" for _ in row)
    with sqlite3.connect(store.path) as conn:
        conn.execute(f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({marks})", list(row.values()))


def thread_with_message(store: SQLiteStore, message_id: str, content: str) -> None:
    insert(
        store,
        "mastra_threads",
        {
            "id": "thread-deep",
            "resourceId": "user_deep",
            "title": "Order A-18896 lookup",
            "metadata": "{}",
            "createdAt": CREATED,
            "updatedAt": CREATED,
        },
    )
    insert(
        store,
        "mastra_messages",
        {
            "id": message_id,
            "thread_id": "thread-deep",
            "content": content,
            "role": "assistant",
            "type": "v2",
            "createdAt": CREATED,
            "resourceId": "user_deep",
        },
    )


def test_a_tool_result_nested_1000_deep_is_collapsed_on_the_thread_page(vera_client: Client, empty_store):
    thread_with_message(empty_store, "msg-deep", tool_message(1000))
    response = vera_client.get("/threads/thread-deep/")
    assert response.status_code == 200
    page = response.content.decode()
    assert COLLAPSED in page
    assert "lookupOrder" in page


def test_a_tool_result_too_deep_for_the_decoder_is_shown_as_the_stored_text(vera_client: Client, empty_store):
    thread_with_message(empty_store, "msg-deeper", tool_message(5000))
    response = vera_client.get("/threads/thread-deep/")
    assert response.status_code == 200
    assert "lookupOrder" in response.content.decode()


def test_the_raw_json_of_a_deep_message_answers(vera_client: Client, empty_store):
    thread_with_message(empty_store, "msg-deep", tool_message(1000))
    response = vera_client.get("/threads/thread-deep/messages/msg-deep/raw/")
    assert response.status_code == 200
    assert "refund approved" in response.content.decode()


def test_the_raw_json_of_a_message_too_deep_to_decode_is_its_stored_text(vera_client: Client, empty_store):
    thread_with_message(empty_store, "msg-deeper", tool_message(5000))
    response = vera_client.get("/threads/thread-deep/messages/msg-deeper/raw/")
    assert response.status_code == 200
    assert '{\\"next\\":' in response.content.decode()


def test_a_big_message_whose_id_holds_a_slash_links_its_raw_json(vera_client: Client, empty_store):
    content = json.dumps({"format": 2, "parts": [{"type": "text", "text": "Refund policy. " * 5000}]})
    thread_with_message(empty_store, "m/1", content)
    page = vera_client.get("/threads/thread-deep/")
    assert page.status_code == 200
    assert 'href="/threads/thread-deep/messages/m/1/raw/"' in page.content.decode()
    raw = vera_client.get("/threads/thread-deep/messages/m/1/raw/")
    assert raw.status_code == 200
    assert raw.json()["id"] == "m/1"


def resource_with_memory(store: SQLiteStore, resource_id: str, working_memory: str) -> None:
    insert(
        store,
        "mastra_resources",
        {
            "id": resource_id,
            "workingMemory": working_memory,
            "metadata": "{}",
            "createdAt": CREATED,
            "updatedAt": CREATED,
        },
    )


def test_working_memory_nested_1000_deep_is_collapsed_on_the_resource_page(vera_client: Client, empty_store):
    resource_with_memory(empty_store, "user_deep", deep_object(1000))
    listing = vera_client.get("/resources/")
    assert listing.status_code == 200
    assert "user_deep" in listing.content.decode()
    page = vera_client.get("/resources/user_deep/")
    assert page.status_code == 200
    assert COLLAPSED in page.content.decode()


def test_working_memory_too_deep_to_decode_keeps_the_resource_list_up(vera_client: Client, empty_store):
    resource_with_memory(empty_store, "user_deeper", deep_object(5000))
    listing = vera_client.get("/resources/")
    assert listing.status_code == 200
    assert "user_deeper" in listing.content.decode()
    page = vera_client.get("/resources/user_deeper/")
    assert page.status_code == 200
    assert "refund approved" in page.content.decode()


def test_a_resource_whose_id_holds_a_slash_has_a_page(vera_client: Client, empty_store):
    resource_with_memory(empty_store, "tenant/user_42", "# Notes\n- prefers email")
    listing = vera_client.get("/resources/")
    assert 'href="/resources/tenant/user_42/"' in listing.content.decode()
    page = vera_client.get("/resources/tenant/user_42/")
    assert page.status_code == 200
    assert "prefers email" in page.content.decode()


def test_a_thread_whose_id_holds_a_slash_has_a_page(vera_client: Client, empty_store):
    insert(
        empty_store,
        "mastra_threads",
        {
            "id": "support/t-42",
            "resourceId": "user_deep",
            "title": "Where is my parcel?",
            "metadata": "{}",
            "createdAt": CREATED,
            "updatedAt": CREATED,
        },
    )
    listing = vera_client.get("/threads/")
    assert 'href="/threads/support/t-42/"' in listing.content.decode()
    page = vera_client.get("/threads/support/t-42/")
    assert page.status_code == 200
    assert "Where is my parcel?" in page.content.decode()
