"""dashboard.core.store: one store per process, built from settings, swappable in tests."""

from __future__ import annotations

import threading

import pytest

from dashboard.core import store as store_module
from dashboard.core.store import build_store, get_store, reset_store, set_store, use_store
from storeclient.convex import ConvexStore
from storeclient.sqlite import SQLiteStore


@pytest.fixture
def from_settings(settings, tmp_path):
    """No installed store: get_store() builds one from settings (a temporary SQLite file)."""
    settings.MASTRA_SQLITE_PATH = tmp_path / "nested" / "mastra.db"
    previous = set_store(None)
    yield settings
    reset_store()
    set_store(previous)


def test_it_is_built_once_even_when_many_threads_ask_at_once(from_settings, monkeypatch):
    built = []
    monkeypatch.setattr(
        store_module, "build_store", lambda: built.append(1) or SQLiteStore(from_settings.MASTRA_SQLITE_PATH)
    )
    seen = []
    barrier = threading.Barrier(8)

    def ask():
        barrier.wait()
        seen.append(get_store())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1
    assert len({id(s) for s in seen}) == 1


def test_without_convex_settings_it_opens_the_sqlite_file_creating_its_folder(from_settings):
    store = get_store()
    assert isinstance(store, SQLiteStore)
    assert from_settings.MASTRA_SQLITE_PATH.exists()


def test_convex_settings_build_a_convex_store(settings):
    settings.STORE_BACKEND = "convex"
    settings.CONVEX_URL = "https://happy-otter-123.convex.cloud"
    settings.CONVEX_ADMIN_KEY = "prod:happy-otter-123|secret"
    settings.CONVEX_TIMEOUT = 3.0
    store = build_store()
    try:
        assert isinstance(store, ConvexStore)
        assert "happy-otter-123.convex.cloud" in store.describe()
        assert "secret" not in repr(store)
    finally:
        store.close()


def test_changing_a_store_setting_rebuilds_it(from_settings, tmp_path):
    first = get_store()
    from_settings.MASTRA_SQLITE_PATH = tmp_path / "other.db"
    second = get_store()
    assert second is not first
    assert second.path == str(tmp_path / "other.db")


def test_use_store_swaps_it_for_a_block_and_puts_the_old_one_back(demo_store, tmp_path):
    other = SQLiteStore(tmp_path / "x.db")
    with use_store(other):
        assert get_store() is other
    assert get_store() is demo_store
    other.close()
