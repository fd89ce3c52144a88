"""Cross-client for the newer storage API on Convex: messages Mastra's own TypeScript ConvexStore
wrote are edited, deleted and listed by resource through the Python ConvexStore, and Mastra reads
the result back (the local dev server runs the real handler)."""

from __future__ import annotations

import pytest

from dashboard.demo.convex_dev import ConvexDevServer
from storeclient import ConvexStore
from tests.support.mastra_client import mastra
from tests.test_node_client_smoke import ANSWER, QUESTION, THREAD

pytestmark = pytest.mark.convex


def test_mastra_reads_messages_python_updated_and_deleted(convex_backend: ConvexDevServer) -> None:
    mastra(convex_backend, "write", {"threads": [THREAD], "messages": [QUESTION, ANSWER]})
    with ConvexStore(convex_backend.url, convex_backend.admin_key) as store:
        listed = store.memory.list_messages_by_resource_id(THREAD["resourceId"], per_page=False)
        assert [m.id for m in listed.messages] == [QUESTION["id"], ANSWER["id"]]
        store.memory.update_messages([{"id": ANSWER["id"], "content": {"metadata": {"reviewedBy": "vera"}}}])
        store.memory.delete_messages([QUESTION["id"]])
    ts = mastra(convex_backend, "read", {"threadIds": [THREAD["id"]]})
    [answer] = ts["messages"][THREAD["id"]]
    assert answer["id"] == ANSWER["id"]
    assert answer["content"]["parts"] == ANSWER["content"]["parts"]
    assert answer["content"]["metadata"] == {
        **(ANSWER["content"].get("metadata") or {}),
        "reviewedBy": "vera",
    }
