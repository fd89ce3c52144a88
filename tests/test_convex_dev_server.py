"""The local Convex dev server answers like a Convex deployment: same envelopes, status codes, auth
rules and limits, with Mastra's real storage handler behind it. The contract tests trust it as their
backend, so these tests pin down that it earns that trust."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from dashboard.demo.convex_dev import ConvexDevServer, ConvexDevServerError

pytestmark = pytest.mark.convex

# Shared: building an httpx.Client per call costs ~35 ms, which would dominate these tests.
HTTP = httpx.Client(timeout=120)
STORAGE = "mastra/storage:handle"
# An op no handler knows: answered without touching data.
PROBE = {"op": "frobnicate", "tableName": "mastra_threads"}
NOT_DEPLOYED_HINT = "Did you forget to run `npx convex dev` or `npx convex deploy`?"


def call(
    server: ConvexDevServer,
    endpoint: str,
    path: str,
    args: Any,
    *,
    key: str | None = None,
    authorization: str | None = None,
) -> httpx.Response:
    """POST one function call the way Mastra's TypeScript ConvexStore does."""
    headers = {}
    if key is not None:
        headers["Authorization"] = f"Convex {key}"
    if authorization is not None:
        headers["Authorization"] = authorization
    body = {"path": path, "args": args, "format": "json"}
    return HTTP.post(f"{server.url}/api/{endpoint}", json=body, headers=headers)


def storage(server: ConvexDevServer, args: dict[str, Any]) -> httpx.Response:
    return call(server, "mutation", STORAGE, args, key=server.admin_key)


def thread(thread_id: str) -> dict[str, Any]:
    return {
        "id": thread_id,
        "resourceId": "user_51d0e7",
        "title": "Return request for order A-10492",
        "metadata": {"channel": "web"},
        "createdAt": "2026-01-09T14:02:11.512Z",
        "updatedAt": "2026-01-09T14:05:40.120Z",
    }


def load_thread(server: ConvexDevServer, thread_id: str) -> Any:
    response = storage(server, {"op": "load", "tableName": "mastra_threads", "keys": {"id": thread_id}})
    return response.json()["value"]["result"]


# --- envelopes -------------------------------------------------------------------------------


def test_a_successful_call_returns_the_value_in_a_success_envelope(convex_backend: ConvexDevServer) -> None:
    write = storage(convex_backend, {"op": "insert", "tableName": "mastra_threads", "record": thread("t-1")})
    read = storage(convex_backend, {"op": "load", "tableName": "mastra_threads", "keys": {"id": "t-1"}})

    assert (write.status_code, write.json()) == (200, {"status": "success", "value": {"ok": True}})
    assert read.status_code == 200
    body = read.json()
    assert body.keys() == {"status", "value"}  # logLines is left out when empty, as Convex does
    stored = body["value"]["result"]
    assert {k: stored[k] for k in thread("t-1")} == thread("t-1")
    assert isinstance(stored["_id"], str) and isinstance(stored["_creationTime"], int | float)


def test_an_error_thrown_by_the_handler_is_a_560_with_the_original_message(
    convex_backend: ConvexDevServer,
) -> None:
    record = {k: v for k, v in thread("t-1").items() if k != "id"}
    response = storage(convex_backend, {"op": "insert", "tableName": "mastra_threads", "record": record})

    assert response.status_code == 560
    assert response.json() == {"status": "error", "errorMessage": "Uncaught Error: Record is missing an id"}


def test_a_record_that_breaks_the_schema_is_refused(convex_backend: ConvexDevServer) -> None:
    record = {**thread("t-1"), "resourceId": None}  # optional fields must be left out, not null
    response = storage(convex_backend, {"op": "insert", "tableName": "mastra_threads", "record": record})

    assert response.status_code == 560
    assert response.json()["errorMessage"].startswith("Uncaught Error:")
    assert load_thread(convex_backend, "t-1") is None


def test_an_unknown_operation_is_mastras_ok_false_inside_a_success(convex_backend: ConvexDevServer) -> None:
    response = storage(convex_backend, PROBE)

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "value": {"ok": False, "error": "Unsupported operation frobnicate"},
    }


def test_a_convex_error_carries_its_data(convex_backend: ConvexDevServer) -> None:
    response = call(
        convex_backend, "function", "devserver_test:conflict", {"current": "v2"}, key=convex_backend.admin_key
    )

    assert response.status_code == 560
    assert response.json()["errorData"] == {"code": "Conflict", "current": "v2"}
    assert response.json()["errorMessage"].startswith("Uncaught ConvexError:")


# --- function paths and kinds ------------------------------------------------------------------


def test_a_mutation_called_as_a_query_is_refused(convex_backend: ConvexDevServer) -> None:
    response = call(convex_backend, "query", STORAGE, {"op": "load"}, key=convex_backend.admin_key)

    assert response.status_code == 560
    assert response.json() == {
        "status": "error",
        "errorMessage": "Trying to execute mastra/storage.js:handle as Query, but it is defined as Mutation.",
    }


def test_an_unknown_function_is_reported_as_not_deployed(convex_backend: ConvexDevServer) -> None:
    response = call(convex_backend, "mutation", "mastra/missing:handle", {}, key=convex_backend.admin_key)

    assert response.status_code == 560
    assert (
        response.json()["errorMessage"]
        == f"Could not find public function for 'mastra/missing:handle'. {NOT_DEPLOYED_HINT}"
    )


def test_api_function_runs_whatever_kind_the_function_is(convex_backend: ConvexDevServer) -> None:
    as_mutation = call(convex_backend, "function", STORAGE, PROBE)
    as_query = call(convex_backend, "function", "devserver_test:publicPing", {})
    # The official JS client sends args as a one-element array.
    as_action = call(convex_backend, "function", "devserver_test:publicAction", [{}])

    assert as_mutation.json()["value"]["error"] == "Unsupported operation frobnicate"
    assert as_query.json() == {"status": "success", "value": "pong"}
    assert as_action.json() == {"status": "success", "value": "action-ran"}


def test_an_unparseable_function_path_is_a_bad_request(convex_backend: ConvexDevServer) -> None:
    response = call(convex_backend, "mutation", "mastra storage:handle", {})

    assert response.status_code == 400
    assert response.json()["code"] == "InvalidConvexFunction"


def test_a_body_that_is_not_json_is_a_bad_request(convex_backend: ConvexDevServer) -> None:
    response = HTTP.post(
        f"{convex_backend.url}/api/mutation",
        content=b'{"path": "mastra/storage:handle", ',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "BadJsonBody"


# --- authorization -----------------------------------------------------------------------------


def test_a_wrong_admin_key_is_refused_with_401(convex_backend: ConvexDevServer) -> None:
    response = call(convex_backend, "mutation", STORAGE, PROBE, key="prod:someone-else|c2VjcmV0")

    assert response.status_code == 401
    assert response.json() == {
        "code": "BadAdminKey",
        "message": "The provided admin key was invalid for this instance",
    }


def test_the_public_handler_runs_without_any_authorization(convex_backend: ConvexDevServer) -> None:
    # Convex runs public functions for anonymous callers, and mastraStorage is public: the admin key
    # does not protect Mastra's data. The dashboard's docs must say so.
    write = call(
        convex_backend,
        "mutation",
        STORAGE,
        {"op": "insert", "tableName": "mastra_threads", "record": thread("t-1")},
    )

    assert write.json() == {"status": "success", "value": {"ok": True}}
    assert load_thread(convex_backend, "t-1")["title"] == "Return request for order A-10492"


def test_the_key_prefix_is_case_insensitive_and_the_deployment_type_is_ignored(
    convex_backend: ConvexDevServer,
) -> None:
    instance, secret = convex_backend.admin_key.split("|")
    response = call(
        convex_backend, "mutation", STORAGE, PROBE, authorization=f"CONVEX prod:{instance}|{secret}"
    )

    assert response.status_code == 200


def test_a_header_too_short_to_hold_a_scheme_is_a_bad_request(convex_backend: ConvexDevServer) -> None:
    response = call(convex_backend, "mutation", STORAGE, {}, authorization="Conv")

    assert response.status_code == 400
    assert response.json()["code"] == "InvalidHeaderFailure"


def test_internal_functions_look_missing_to_anonymous_callers(convex_backend: ConvexDevServer) -> None:
    on_query = call(convex_backend, "query", "devserver_test:countThreads", {})
    on_function = call(convex_backend, "function", "devserver_test:countThreads", {})

    assert (
        on_query.json()["errorMessage"]
        == f"Could not find public function for 'devserver_test:countThreads'. {NOT_DEPLOYED_HINT}"
    )
    # /api/function words it without "public" (Convex's any_udf).
    assert (
        on_function.json()["errorMessage"]
        == f"Could not find function for 'devserver_test:countThreads'. {NOT_DEPLOYED_HINT}"
    )


def test_internal_functions_refuse_a_wrong_key(convex_backend: ConvexDevServer) -> None:
    response = call(
        convex_backend, "function", "devserver_test:countThreads", {}, key="local-dev-server|wrong"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "BadAdminKey"


def test_internal_functions_run_with_the_admin_key_on_api_function(convex_backend: ConvexDevServer) -> None:
    storage(convex_backend, {"op": "insert", "tableName": "mastra_threads", "record": thread("t-1")})

    response = call(
        convex_backend, "function", "devserver_test:countThreads", {}, key=convex_backend.admin_key
    )

    assert response.json() == {"status": "success", "value": 1}


def test_the_admin_key_also_reaches_internal_functions_on_api_query_as_in_convex(
    convex_backend: ConvexDevServer,
) -> None:
    # Convex skips the visibility check for admin identities on every endpoint
    # (ValidatedPathAndArgs::new_inner); only anonymous and user callers are limited to public ones.
    response = call(convex_backend, "query", "devserver_test:countThreads", {}, key=convex_backend.admin_key)

    assert response.json() == {"status": "success", "value": 0}


def test_the_admin_key_never_reaches_the_server_log(convex_backend: ConvexDevServer) -> None:
    call(
        convex_backend,
        "mutation",
        STORAGE,
        {"op": "insert", "tableName": "mastra_threads", "record": {}},
        key=convex_backend.admin_key,
    )
    call(convex_backend, "mutation", STORAGE, {}, key=convex_backend.admin_key + "x")

    log = convex_backend.stderr_tail(lines=1000)
    assert "Record is missing an id" in log
    assert convex_backend.admin_key.split("|")[1] not in log


def test_concurrent_calls_all_land(convex_backend: ConvexDevServer) -> None:
    # The dashboard serves several requests at once; convex-test runs one transaction at a time.
    ids = [f"t-{i:02d}" for i in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        writes = list(
            pool.map(
                lambda i: storage(
                    convex_backend, {"op": "insert", "tableName": "mastra_threads", "record": thread(i)}
                ),
                ids,
            )
        )
        reads = list(pool.map(lambda i: load_thread(convex_backend, i), ids))

    assert all(w.json() == {"status": "success", "value": {"ok": True}} for w in writes)
    assert [r["id"] for r in reads] == ids


# --- test helpers ------------------------------------------------------------------------------


def test_reset_empties_the_deployment(convex_backend: ConvexDevServer) -> None:
    storage(convex_backend, {"op": "insert", "tableName": "mastra_threads", "record": thread("t-1")})

    convex_backend.reset()

    assert load_thread(convex_backend, "t-1") is None


def test_reset_needs_the_admin_key(convex_backend: ConvexDevServer) -> None:
    response = HTTP.post(f"{convex_backend.url}/__dev/reset")

    assert response.status_code == 401


def test_a_server_without_a_module_acts_like_a_deployment_that_lacks_it() -> None:
    with ConvexDevServer(exclude_modules=["mastra/storage"]) as server:
        response = call(server, "mutation", STORAGE, PROBE, key=server.admin_key)

    assert (
        response.json()["errorMessage"]
        == f"Could not find public function for 'mastra/storage:handle'. {NOT_DEPLOYED_HINT}"
    )


def test_a_server_that_cannot_start_says_why() -> None:
    server = ConvexDevServer(exclude_modules=["mastra/no-such-module"])

    with pytest.raises(ConvexDevServerError, match="no such module"):
        server.start()


# --- limits ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_reading_more_than_16_mib_in_one_call_fails_like_convex(convex_backend: ConvexDevServer) -> None:
    # 1,200 messages of ~16 KB (a long tool result each) = ~19 MiB in one thread. The limit is on
    # bytes, so fewer, bigger messages reach it without 9,000 slow inserts into convex-test.
    filler = "x" * 16_000
    messages = [
        {
            "id": f"m-{i:05d}",
            "thread_id": "t-big",
            "resourceId": "user_51d0e7",
            "role": "assistant",
            "type": "v2",
            "content": json.dumps({"format": 2, "parts": [{"type": "text", "text": filler}]}),
            "createdAt": f"2026-01-09T14:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z",
        }
        for i in range(1_200)
    ]
    started = time.monotonic()
    for batch in range(0, len(messages), 200):
        written = storage(
            convex_backend,
            {"op": "batchInsert", "tableName": "mastra_messages", "records": messages[batch : batch + 200]},
        )
        assert written.json() == {"status": "success", "value": {"ok": True}}, written.text
    print(f"inserted {len(messages)} messages in {time.monotonic() - started:.1f} s")

    response = storage(
        convex_backend,
        {
            "op": "queryTable",
            "tableName": "mastra_messages",
            "filters": [{"field": "thread_id", "value": "t-big"}],
        },
    )

    assert response.status_code == 560
    assert response.json()["errorMessage"].startswith(
        "Uncaught Error: Read too much data in a single function execution (limit: 16777216 bytes)"
    )
