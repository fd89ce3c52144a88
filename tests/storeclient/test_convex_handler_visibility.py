"""``ConvexStore.handler_is_public()``: does Mastra's storage handler answer a caller WITHOUT the
admin key? Asked with one keyless, harmless ``load`` and remembered for a while."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from dashboard.demo.convex_dev import ConvexDevServer
from storeclient import ConvexStore
from tests.test_internal_storage_handler import REFUSED, InternalStorageDevServer

KEY = "prod:happy-otter-123|convex-SENTINEL-visibility"


def mocked_store(answer: httpx.Response, seen: list[httpx.Request]) -> ConvexStore:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return ConvexStore(
        "https://happy-otter-123.convex.cloud",
        KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
        read_attempts=1,
    )


def success(value: object) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "value": value})


def test_the_probe_sends_no_key_and_loads_an_id_that_cannot_exist():
    seen: list[httpx.Request] = []
    with mocked_store(success({"ok": True, "result": None}), seen) as store:
        assert store.handler_is_public() is True
    (request,) = seen
    assert "authorization" not in request.headers
    assert KEY not in request.content.decode()
    assert request.url.path == "/api/mutation"
    body = json.loads(request.content)
    assert body["path"] == "mastra/storage:handle"
    assert body["args"]["op"] == "load"


def test_an_internal_handler_is_not_public():
    refused = httpx.Response(560, json={"status": "error", "errorMessage": REFUSED["mutation"]})
    with mocked_store(refused, []) as store:
        assert store.handler_is_public() is False


def test_a_handler_that_runs_and_refuses_is_still_public():
    with mocked_store(success({"ok": False, "error": "Unknown table"}), []) as store:
        assert store.handler_is_public() is True


def test_no_answer_means_unknown_not_a_warning():
    with ConvexStore("http://127.0.0.1:9", KEY, timeout=2, read_attempts=1) as store:
        assert store.handler_is_public() is None


def test_it_is_asked_once_per_interval():
    seen: list[httpx.Request] = []
    with mocked_store(success({"ok": True, "result": None}), seen) as store:
        assert [store.handler_is_public() for _ in range(3)] == [True, True, True]
        assert len(seen) == 1
        store.visibility_reprobe_seconds = 0
        store.handler_is_public()
        assert len(seen) == 2


# --- against the dev server: Mastra's handler as shipped, and the internal variant ----------------


@pytest.mark.convex
def test_mastras_handler_as_shipped_is_public(convex_backend: ConvexDevServer) -> None:
    with ConvexStore(convex_backend.url, convex_backend.admin_key) as store:
        assert store.handler_is_public() is True
        assert store.memory.get_thread_by_id("__dashboard_visibility_probe__") is None  # nothing written


@pytest.fixture(scope="module")
def internal_server() -> Iterator[ConvexDevServer]:
    with InternalStorageDevServer(with_test_module=True) as server:
        yield server


@pytest.mark.convex
def test_the_internal_variant_is_not_public(internal_server: ConvexDevServer) -> None:
    internal_server.reset()
    with ConvexStore(internal_server.url, internal_server.admin_key) as store:
        assert store.handler_is_public() is False
        assert store.health().ok  # while the key still reaches it
