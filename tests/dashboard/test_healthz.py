from __future__ import annotations

import httpx

from dashboard.core.store import use_store

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
