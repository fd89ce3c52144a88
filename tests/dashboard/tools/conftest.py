from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.dashboard.search.records import write_conversations


@pytest.fixture
def support_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """The search tests' support conversations (three tools: one succeeds, one fails with an error
    text, one returns ``isError: true``), serving the views."""
    store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    write_conversations(store)
    with use_store(store):
        yield store
    store.close()
