"""How ConvexStore finds the dashboard's Convex module over time, and what it retries, with the network
replaced by ``httpx.MockTransport`` (a deployment that gains the module, one that answers 502)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from storeclient import BackendUnavailable, ConvexStore
from storeclient.models import MemoryVersion

URL = "https://happy-otter-123.convex.cloud"
KEY = "prod:happy-otter-123|c2VjcmV0"
NOT_FOUND = "Could not find function for 'mastra/dashboard:{}'. Did you forget to run `npx convex deploy`?"
PAGE = {"page": [], "continueCursor": "_end_cursor", "isDone": True, "skip": 0, "scanned": 0}


class Deployment:
    """Answers like a deployment whose module can be deployed mid-test; records every call."""

    def __init__(self) -> None:
        self.module_deployed = False
        self.fail_with: int | None = None
        self.calls: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        endpoint = request.url.path.rsplit("/", 1)[-1]
        self.calls.append((endpoint, body["path"]))
        if self.fail_with:
            return httpx.Response(self.fail_with, text="bad gateway")
        if body["path"].startswith("mastra/dashboard:"):
            name = body["path"].split(":", 1)[1]
            if not self.module_deployed:
                return httpx.Response(560, json={"status": "error", "errorMessage": NOT_FOUND.format(name)})
            value: Any = {"module": "mastra/dashboard", "version": 2} if name == "probe" else PAGE
            return httpx.Response(200, json={"status": "success", "value": value})
        return httpx.Response(200, json={"status": "success", "value": {"ok": True, "result": []}})

    def count(self, path: str) -> int:
        return sum(1 for _, p in self.calls if p == path)


@pytest.fixture
def deployment() -> Deployment:
    return Deployment()


def make_store(deployment: Deployment, clock: list[float]) -> ConvexStore:
    store = ConvexStore(URL, KEY, http_client=httpx.Client(transport=httpx.MockTransport(deployment)))
    store.transport.backoff_base = 0.0
    store.module._clock = lambda: clock[0]
    return store


def test_a_module_deployed_later_is_found_at_the_next_probe(deployment: Deployment) -> None:
    clock = [0.0]
    store = make_store(deployment, clock)

    store.memory.thread_feed()
    store.memory.thread_feed()
    assert store.mode() == "standard handler"
    assert deployment.count("mastra/dashboard:probe") == 1

    deployment.module_deployed = True
    clock[0] += 30  # within the re-probe interval: still believed absent
    store.memory.thread_feed()
    assert deployment.count("mastra/dashboard:threads") == 0

    clock[0] += 31
    store.memory.thread_feed()
    assert store.mode() == "dashboard module"
    assert deployment.count("mastra/dashboard:probe") == 2
    assert deployment.count("mastra/dashboard:threads") == 1
    # Found once, never probed again.
    store.memory.thread_feed()
    store.health()
    assert deployment.count("mastra/dashboard:probe") == 2


def test_module_calls_go_to_api_function_with_the_admin_key(deployment: Deployment) -> None:
    deployment.module_deployed = True
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return deployment(request)

    store = ConvexStore(URL, KEY, http_client=httpx.Client(transport=httpx.MockTransport(record)))
    store.memory.message_feed("t-1")

    module_requests = [r for r in seen if b"mastra/dashboard:" in r.content]
    assert module_requests and all(r.url.path == "/api/function" for r in module_requests)
    assert all(r.headers["Authorization"] == f"Convex {KEY}" for r in module_requests)


def test_module_reads_are_retried_but_saves_are_not(deployment: Deployment) -> None:
    deployment.module_deployed = True
    store = make_store(deployment, [0.0])
    assert store.mode() == "dashboard module"
    deployment.fail_with = 502

    with pytest.raises(BackendUnavailable):
        store.memory.message_feed("t-1")
    with pytest.raises(BackendUnavailable):
        store.memory.save_resource_working_memory(
            "user_a", "# edit", expected=MemoryVersion("2026-01-01T00:00:00.000Z", "0" * 32)
        )

    assert deployment.count("mastra/dashboard:messages") == 3
    assert deployment.count("mastra/dashboard:saveResourceWorkingMemory") == 1
