"""Cross-client for the newer storage API: the Python SQLite store edits and deletes messages
Mastra's own LibSQLStore wrote (tests/node/libsql_client.mjs), lists them by resource, and Mastra
reads the result back."""

from __future__ import annotations

import json
from pathlib import Path

from storeclient.sqlite import SQLiteStore

from .nodetools import needs_node, run_node

pytestmark = needs_node


def test_mastra_reads_messages_python_updated_and_deleted(tmp_path: Path) -> None:
    path = tmp_path / "mastra.db"
    written = run_node("libsql_client.mjs", "write", str(path), stdin="{}")
    thread_id = written["ids"]["threads"][0]
    mastra_messages = written["read"]["messages"][thread_id]
    first, *rest = mastra_messages
    store = SQLiteStore(path)
    by_resource = store.memory.list_messages_by_resource_id(first["resourceId"], per_page=False)
    assert {m["id"] for m in mastra_messages} <= {m.id for m in by_resource.messages}

    [updated] = store.memory.update_messages(
        [{"id": first["id"], "content": {"metadata": {"reviewedBy": "vera"}}}]
    )
    store.memory.delete_messages([rest[-1]["id"]])
    store.close()

    again = run_node("libsql_client.mjs", "read", str(path), stdin=json.dumps({"threadIds": [thread_id]}))
    seen = {m["id"]: m for m in again["messages"][thread_id]}
    assert rest[-1]["id"] not in seen
    assert seen[first["id"]]["content"]["parts"] == first["content"]["parts"]
    assert seen[first["id"]]["content"]["metadata"] == {
        **(first["content"].get("metadata") or {}),
        "reviewedBy": "vera",
    }
    assert updated.content["metadata"]["reviewedBy"] == "vera"
