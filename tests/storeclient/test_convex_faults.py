"""Fault injection for ConvexStore's transport: every way a deployment (or something in front of it)
can fail, and what the person using the dashboard is told.

``httpx.MockTransport`` stands in for the network only here, where the real backend cannot be made
to misbehave on cue. The happy path is covered against the real handler in the contract tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from storeclient import (
    AuthError,
    BackendUnavailable,
    ConvexStore,
    LimitError,
    NotDeployedError,
    StorageError,
    StoreError,
)
from storeclient.models import Message

ADMIN_KEY = "prod:sentinel-admin-key-7f3a|c2VjcmV0"
URL = "https://happy-otter-123.convex.cloud"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """Counts requests so tests can see retries (or their absence)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def make_store(handler: Handler) -> tuple[ConvexStore, Recorder]:
    recorder = Recorder(handler)
    client = httpx.Client(transport=httpx.MockTransport(recorder))
    store = ConvexStore(URL, ADMIN_KEY, http_client=client, read_attempts=3)
    store.transport.backoff_base = 0.0  # no real sleeping in tests
    return store, recorder


def success(value: object) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "value": value})


def test_a_read_sends_mastras_request_shape_with_the_admin_key() -> None:
    store, rec = make_store(lambda r: success({"ok": True, "result": None}))
    assert store.memory.get_thread_by_id("t-1") is None
    request = rec.requests[0]
    assert request.url == f"{URL}/api/mutation"
    assert request.headers["authorization"] == f"Convex {ADMIN_KEY}"
    assert json.loads(request.content) == {
        "path": "mastra/storage:handle",
        "args": {"op": "load", "tableName": "mastra_threads", "keys": {"id": "t-1"}},
        "format": "json",
    }


def test_a_wrong_admin_key_raises_auth_error_naming_the_key_not_an_environment_variable() -> None:
    store, _ = make_store(
        lambda r: httpx.Response(
            401,
            json={"code": "BadAdminKey", "message": "The provided admin key was invalid for this instance"},
        )
    )
    with pytest.raises(AuthError) as caught:
        store.memory.get_thread_by_id("t-1")
    # The library knows its parameters, not the settings of whatever app embeds it.
    assert "Check the admin key" in caught.value.message and "CONVEX_" not in caught.value.message
    assert "BadAdminKey" in caught.value.message


def test_a_missing_url_or_key_names_the_constructor_parameter() -> None:
    with pytest.raises(StoreError, match=r"ConvexStore\(deployment_url=\.\.\.\)"):
        ConvexStore("", "prod:key")
    with pytest.raises(AuthError, match=r"ConvexStore\(admin_auth_token=\.\.\.\)"):
        ConvexStore("https://happy-otter-123.convex.cloud", "")


def test_a_function_error_with_status_560_is_reported_without_the_stack() -> None:
    body = {
        "status": "error",
        "errorMessage": "[Request ID: 4f2a] Server Error\nUncaught Error: Record is missing an id\n    at insert (storage.ts:10)",
    }
    store, _ = make_store(lambda r: httpx.Response(560, json=body))
    with pytest.raises(StorageError) as caught:
        store.memory.get_resource_by_id("user-1")
    assert caught.value.message.endswith("Record is missing an id")
    assert "at insert" not in caught.value.message
    assert "storage.ts:10" in (caught.value.detail or "")


def test_a_redacted_production_error_points_at_the_convex_logs() -> None:
    body = {"status": "error", "errorMessage": "[Request ID: 91bc] Server Error"}
    store, _ = make_store(lambda r: httpx.Response(560, json=body))
    with pytest.raises(StorageError) as caught:
        store.memory.get_resource_by_id("user-1")
    assert "logs" in caught.value.message


def test_mastras_ok_false_becomes_a_storage_error_with_the_handlers_words() -> None:
    store, _ = make_store(lambda r: success({"ok": False, "error": "Unsupported operation frobnicate"}))
    with pytest.raises(StorageError) as caught:
        store.handler.request({"op": "frobnicate", "tableName": "mastra_threads"}, read=True)
    assert "Unsupported operation frobnicate" in caught.value.message


def test_an_undeployed_handler_says_how_to_deploy_it() -> None:
    body = {
        "status": "error",
        "errorMessage": "Could not find public function for 'mastra/storage:handle'. Did you forget to run "
        "`npx convex dev` or `npx convex deploy`?",
    }
    store, _ = make_store(lambda r: httpx.Response(560, json=body))
    with pytest.raises(NotDeployedError) as caught:
        store.memory.get_thread_by_id("t-1")
    assert caught.value.function_path == "mastra/storage:handle"
    assert "npx convex deploy" in caught.value.message
    assert "ConvexStore(storage_function=...)" in caught.value.message


def test_the_16_mib_read_limit_becomes_a_limit_error_with_advice() -> None:
    body = {
        "status": "error",
        "errorMessage": "Uncaught Error: Read too much data in a single function execution (limit: 16777216 bytes).",
    }
    store, _ = make_store(lambda r: httpx.Response(560, json=body))
    with pytest.raises(LimitError) as caught:
        store.memory.list_messages("big-thread", per_page=40)
    assert "too much" in caught.value.message


def test_an_html_502_from_a_proxy_is_retried_then_reported_as_unavailable() -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
    store, rec = make_store(lambda r: httpx.Response(502, text=html, headers={"content-type": "text/html"}))
    with pytest.raises(BackendUnavailable) as caught:
        store.memory.get_thread_by_id("t-1")
    assert len(rec.requests) == 3, "reads are retried"
    assert "HTTP 502" in caught.value.message and "proxy" in caught.value.message
    assert caught.value.detail == "502 Bad Gateway"


def test_a_read_that_fails_once_succeeds_on_retry() -> None:
    answers = iter([httpx.Response(503, text="busy"), success({"ok": True, "result": None})])
    store, rec = make_store(lambda r: next(answers))
    assert store.memory.get_thread_by_id("t-1") is None
    assert len(rec.requests) == 2


def test_a_connect_timeout_is_unavailable_and_names_the_deployment() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    store, rec = make_store(boom)
    with pytest.raises(BackendUnavailable) as caught:
        store.memory.get_thread_by_id("t-1")
    assert "happy-otter-123.convex.cloud" in caught.value.message
    assert len(rec.requests) == 3


def test_a_read_timeout_on_a_write_is_not_retried() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    store, rec = make_store(slow)
    store.handler._capabilities["updateResource"] = True  # already probed
    with pytest.raises(BackendUnavailable) as caught:
        store.memory.update_resource("user-1", working_memory="# Notes")
    # The write may have reached the server: sending it again could apply it twice.
    assert len(rec.requests) == 1
    assert "did not answer in time" in caught.value.message
    assert caught.value.may_have_reached_store is True


def test_a_write_that_could_never_connect_says_it_did_not_reach_the_store() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    store, rec = make_store(refused)
    store.handler._capabilities["updateResource"] = True
    with pytest.raises(BackendUnavailable) as caught:
        store.memory.update_resource("user-1", working_memory="# Notes")
    assert len(rec.requests) == 3  # never sent, so safe to retry
    assert caught.value.may_have_reached_store is False


def test_a_write_whose_connection_never_opened_is_retried() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return success({"ok": True})

    store, rec = make_store(flaky)
    store.handler._capabilities["patch"] = True
    msg = Message(
        id="m-1",
        thread_id="t-1",
        resource_id="user-1",
        role="user",
        created_at=datetime(2026, 1, 9, tzinfo=UTC),
        content={"format": 2, "parts": [{"type": "text", "text": "hi"}]},
    )
    store.memory.save_messages([msg])
    ops = [json.loads(r.content)["args"]["op"] for r in rec.requests]
    assert ops == ["batchInsert", "batchInsert", "patch"]


def test_truncated_json_is_unavailable_not_a_crash() -> None:
    store, _ = make_store(
        lambda r: httpx.Response(
            200,
            content=b'{"status":"success","value":{"ok":true,"res',
            headers={"content-type": "application/json"},
        )
    )
    with pytest.raises(BackendUnavailable) as caught:
        store.memory.get_thread_by_id("t-1")
    assert "not JSON" in caught.value.message


def test_a_20_mb_body_is_refused_without_reading_it_all() -> None:
    chunk = b" " * (1024 * 1024)
    served = {"bytes": 0}

    def stream() -> object:
        for _ in range(20):
            served["bytes"] += len(chunk)
            yield chunk

    store, _ = make_store(
        lambda r: httpx.Response(200, content=stream(), headers={"content-type": "application/json"})
    )
    with pytest.raises(LimitError) as caught:
        store.memory.get_thread_by_id("t-1")
    assert "MiB" in caught.value.message
    assert served["bytes"] < 20 * 1024 * 1024


def test_the_admin_key_never_appears_in_an_error() -> None:
    def echo_key(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            560,
            json={
                "status": "error",
                "errorMessage": f"Uncaught Error: bad header {request.headers['authorization']}",
            },
        )

    store, _ = make_store(echo_key)
    with pytest.raises(StorageError) as caught:
        store.memory.get_thread_by_id("t-1")
    assert ADMIN_KEY not in str(caught.value)
    assert ADMIN_KEY not in (caught.value.detail or "")
    assert ADMIN_KEY not in repr(store)


def test_capability_probing_falls_back_to_insert_for_old_handlers() -> None:
    sent: list[dict[str, object]] = []

    def old_handler(request: httpx.Request) -> httpx.Response:
        args = json.loads(request.content)["args"]
        sent.append(args)
        if args["op"] not in ("load", "insert", "queryTable", "batchInsert", "deleteMany"):
            return success({"ok": False, "error": f"Unsupported operation {args['op']}"})
        if args["op"] == "load":
            return success(
                {
                    "ok": True,
                    "result": {
                        "_id": "x",
                        "_creationTime": 1.0,
                        "id": "user-1",
                        "workingMemory": "# Old",
                        "metadata": {"plan": "pro"},
                        "createdAt": "2025-01-01T00:00:00.000Z",
                        "updatedAt": "2025-01-02T00:00:00.000Z",
                    },
                }
            )
        return success({"ok": True})

    store, _ = make_store(old_handler)
    resource = store.memory.update_resource("user-1", working_memory="# New")
    ops = [a["op"] for a in sent]
    assert "updateResource" in ops[0], "probed first"
    assert "insert" in ops
    insert = next(a for a in sent if a["op"] == "insert")
    assert insert["record"]["workingMemory"] == "# New"  # type: ignore[index]
    assert "_id" not in resource.to_record()
