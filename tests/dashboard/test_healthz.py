from __future__ import annotations

import os

import httpx
import pytest

from dashboard.core.store import use_store
from dashboard.demo import dataset
from storeclient.sqlite import SQLiteStore

from .support import SENTINEL_KEY, convex_store


def test_liveness_needs_no_session_and_no_store(client, unreachable_store):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_checks_the_store(client):
    response = client.get("/healthz?ready=1")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_an_unreachable_store_is_not_ready_and_says_nothing_more(client, unreachable_store):
    response = client.get("/healthz?ready=1")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready"}
    assert b"127.0.0.1" not in response.content


def test_a_rejected_key_is_not_ready_and_leaks_nothing(client, caplog):
    store = convex_store(
        httpx.MockTransport(
            lambda request: httpx.Response(401, json={"code": "BadAdminKey", "message": "bad key"})
        )
    )
    with use_store(store):
        response = client.get("/healthz?ready=1")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready"}
    assert "happy-otter" not in response.content.decode()
    assert "Readiness check failed" in caplog.text
    assert SENTINEL_KEY.partition("|")[2] not in caplog.text


def test_healthz_answers_only_get(client):
    assert client.post("/healthz").status_code == 405


def damaged_store(tmp_path, damage):
    """A store in use while its file is damaged under it (a bad disk, a botched copy or restore)."""
    path = tmp_path / "mastra.db"
    with SQLiteStore(path) as seeding:
        dataset.write_small(seeding, seed=3)
    store = SQLiteStore(path)
    damage(path)
    return store


def overwrite_with_random_bytes(path):
    path.write_bytes(os.urandom(path.stat().st_size))


def cut_in_half(path):
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)


@pytest.mark.parametrize("damage", [overwrite_with_random_bytes, cut_in_half])
def test_a_damaged_sqlite_file_is_not_ready(client, vera_client, tmp_path, damage):
    store = damaged_store(tmp_path, damage)
    with use_store(store):
        pages = vera_client.get("/threads/")
        response = client.get("/healthz?ready=1")
    store.close()
    assert pages.status_code == 502  # what the users see ...
    assert response.status_code == 503  # ... is what the orchestrator is told
    assert response.json() == {"status": "not ready"}
