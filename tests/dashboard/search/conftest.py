from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore

from .records import write_conversations


@pytest.fixture
def support_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """A fresh store with the support conversations, serving the views. Thread and resource changes
    are handed out at once (no settle delay), so a test sees an edit on the next poll."""
    store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    write_conversations(store)
    with use_store(store):
        yield store
    store.close()
