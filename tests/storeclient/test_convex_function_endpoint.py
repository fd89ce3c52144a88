"""A Convex-compatible backend that answers 404 on ``/api/function`` (a proxy or self-hosted backend
that allows only the documented ``/api/query`` and ``/api/mutation``): the dashboard module is
absent, Mastra's standard handler serves every list, and the health panel tells the truth.

``httpx.MockTransport`` stands in for the proxy: the real dev server always serves ``/api/function``.
"""

from __future__ import annotations

import json

import httpx

from storeclient import ConvexStore

URL = "https://happy-otter-123.convex.cloud"
ADMIN_KEY = "prod:sentinel-admin-key-7f3a|c2VjcmV0"

THREAD = {
    "id": "thread-001",
    "resourceId": "user_8f2c1a",
    "title": "Refund for damaged blender",
    "metadata": {},
    "createdAt": "2026-01-09T14:02:11.481Z",
    "updatedAt": "2026-01-09T14:03:11.481Z",
}


def handler_only(function_status: int, function_body: str = "Not Found") -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/function":
            return httpx.Response(function_status, text=function_body, headers={"content-type": "text/plain"})
        args = json.loads(request.content)["args"]
        if args["op"] == "queryTable":
            value = {"ok": True, "result": [THREAD] if args["tableName"] == "mastra_threads" else []}
        else:
            value = {"ok": True, "result": None}
        return httpx.Response(200, json={"status": "success", "value": value})

    return httpx.MockTransport(answer)


def make_store(transport: httpx.MockTransport) -> ConvexStore:
    store = ConvexStore(URL, ADMIN_KEY, http_client=httpx.Client(transport=transport), read_attempts=2)
    store.transport.backoff_base = 0.0
    return store


def test_a_404_on_the_function_endpoint_means_the_module_is_absent_and_lists_still_load() -> None:
    store = make_store(handler_only(404))
    feed = store.memory.thread_feed(limit=10)
    assert [t.title for t in feed.items] == ["Refund for damaged blender"]
    assert store.mode() == "standard handler"


def test_the_health_panel_reports_the_standard_handler_not_a_broken_backend() -> None:
    health = make_store(handler_only(404)).health()
    assert health.ok
    assert health.mode == "standard handler"
    assert "not deployed" in health.detail


def test_the_module_is_not_probed_again_on_every_page() -> None:
    calls: list[str] = []
    inner = handler_only(404)

    def counting(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return inner.handle_request(request)

    store = make_store(httpx.MockTransport(counting))
    for _ in range(3):
        store.memory.thread_feed(limit=10)
    assert calls.count("/api/function") == 1


def test_health_is_not_ok_when_the_module_probe_itself_fails() -> None:
    # A 502 on the probe is not "absent": we cannot tell which path lists would take, and the feeds
    # that need the answer fail, so the panel must not say ok.
    health = make_store(handler_only(502, "<html>Bad Gateway</html>")).health()
    assert not health.ok
    assert "502" in health.detail
