"""/tools/ on the local Convex dev server, over records written by Mastra's own TypeScript
ConvexStore: the counts match those computed straight from the stored messages."""

from __future__ import annotations

import pytest

from dashboard.core.store import use_store
from dashboard.search.indexer import Indexer
from storeclient.convex import ConvexStore
from tests.support.mastra_client import mastra

from .agent_records import THREAD, messages
from .counting import expected_counts
from .test_tools_pages import tool_rows

pytestmark = [pytest.mark.convex, pytest.mark.django_db]


def test_counts_on_what_mastras_convex_store_writes(vera_client, convex_backend):
    mastra(convex_backend, "write", {"threads": [THREAD], "messages": messages()})
    store = ConvexStore(convex_backend.url, convex_backend.admin_key, change_settle_seconds=0)
    try:
        with use_store(store):
            assert Indexer(store).poll().drained
            calls, failures = expected_counts(store)
            assert calls == {"lookupOrder": 12, "issueRefund": 4, "trackParcel": 4}
            rows = tool_rows(vera_client.get("/tools/").content.decode())
            assert {name: int(row["calls"]) for name, row in rows.items()} == calls
            assert {name: int(row["failures"]) for name, row in rows.items()} == failures
            assert rows["trackParcel"]["waiting"] == "1"
            # Four refunds failed, each naming its own order: one error group, not four.
            page = vera_client.get("/tools/issueRefund/").content.decode()
            assert page.count("data-error-group") == 1
            assert "4 ×" in page
    finally:
        store.close()
