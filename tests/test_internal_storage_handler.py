"""Mastra's storage handler deployed as an INTERNAL mutation (convex/variants/storage.internal.ts
copied over convex/mastra/storage.ts) keeps working for every client that holds the admin key,
Mastra's own TypeScript ConvexStore and ours, and is closed to everyone else.

The dev server serves the variant at ``mastra/storage`` when started with
``CONVEX_DEV_INTERNAL_STORAGE=1`` (the launcher passes its environment through to the server).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, Self
from unittest import mock

import httpx
import pytest

import tests.storeclient.test_convex_cross_client as cross_client
import tests.test_node_client_smoke as node_smoke
from dashboard.demo.convex_dev import ConvexDevServer
from storeclient import ConvexStore
from storeclient.errors import ConflictError

pytestmark = pytest.mark.convex

HTTP = httpx.Client(timeout=60)
STORAGE = "mastra/storage:handle"
READ_THREADS = {"op": "queryTable", "tableName": "mastra_threads"}
HINT = "Did you forget to run `npx convex dev` or `npx convex deploy`?"
# Convex's answer to a caller without the admin key, for a missing and for an internal function
# alike (missing_or_internal_error in crates/isolate/src/environment/helpers/validation.rs);
# /api/function words it without "public" (any_udf in crates/application/src/lib.rs).
REFUSED = {
    "query": f"Could not find public function for '{STORAGE}'. {HINT}",
    "mutation": f"Could not find public function for '{STORAGE}'. {HINT}",
    "function": f"Could not find function for '{STORAGE}'. {HINT}",
}


class InternalStorageDevServer(ConvexDevServer):
    """A dev server whose ``mastra/storage:handle`` is the internal variant."""

    def start(self) -> Self:
        with mock.patch.dict(os.environ, {"CONVEX_DEV_INTERNAL_STORAGE": "1"}):
            return super().start()


@pytest.fixture(scope="module")
def internal_server() -> Iterator[ConvexDevServer]:
    with InternalStorageDevServer(with_test_module=True) as server:
        yield server


@pytest.fixture
def internal_backend(internal_server: ConvexDevServer) -> ConvexDevServer:
    internal_server.reset()
    return internal_server


def call(
    server: ConvexDevServer, endpoint: str, path: str, args: dict[str, Any], *, key: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Convex {key}"} if key is not None else {}
    body = {"path": path, "args": args, "format": "json"}
    return HTTP.post(f"{server.url}/api/{endpoint}", json=body, headers=headers)


def thread(thread_id: str) -> dict[str, Any]:
    return {**node_smoke.THREAD, "id": thread_id}


# --- the clients that hold the key keep working ---------------------------------------------------
# The same round trips the public handler is tested with, run against the internal one.


def test_mastras_typescript_store_writes_and_reads_back(internal_backend: ConvexDevServer) -> None:
    node_smoke.test_what_mastras_store_writes_it_reads_back(internal_backend)


def test_python_reads_what_mastras_typescript_store_wrote(internal_backend: ConvexDevServer) -> None:
    cross_client.test_python_reads_what_mastras_typescript_store_wrote(internal_backend)


def test_mastras_typescript_store_reads_what_python_wrote(internal_backend: ConvexDevServer) -> None:
    cross_client.test_mastras_typescript_store_reads_what_python_wrote(internal_backend)


def test_the_dashboard_module_works_beside_it(internal_backend: ConvexDevServer) -> None:
    with ConvexStore(internal_backend.url, internal_backend.admin_key) as store:
        store.memory.save_thread(cross_client.python_thread(node_smoke.THREAD))
        resource = store.memory.save_resource(cross_client.python_resource(node_smoke.RESOURCE))

        health = store.health()
        assert (health.ok, health.mode, health.atomic_saves) == (True, "dashboard module", True)
        assert [t.id for t in store.memory.thread_feed().items] == [node_smoke.THREAD["id"]]
        assert store.counts()["threads"].value == 1
        base = store.memory.get_resource_by_id(resource.id)
        assert base is not None
        store.memory.save_resource_working_memory(base.id, "# Alice", expected=base.memory_version)
        with pytest.raises(ConflictError):
            store.memory.save_resource_working_memory(base.id, "# Bob", expected=base.memory_version)


# --- everyone else is refused -------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["query", "mutation", "function"])
def test_a_caller_without_the_key_is_told_the_handler_does_not_exist(
    internal_backend: ConvexDevServer, endpoint: str
) -> None:
    response = call(internal_backend, endpoint, STORAGE, READ_THREADS)

    assert response.status_code == 560
    assert response.json() == {"status": "error", "errorMessage": REFUSED[endpoint]}
    # Word for word what a function that was never deployed answers, so it cannot be probed for.
    missing = call(internal_backend, endpoint, "mastra/nothing:handle", READ_THREADS).json()
    assert missing["errorMessage"] == REFUSED[endpoint].replace(STORAGE, "mastra/nothing:handle")


def test_a_caller_without_the_key_can_neither_write_nor_read(internal_backend: ConvexDevServer) -> None:
    key = internal_backend.admin_key
    call(
        internal_backend,
        "mutation",
        STORAGE,
        {"op": "insert", "tableName": "mastra_threads", "record": thread("t-1")},
        key=key,
    )

    write = call(
        internal_backend,
        "mutation",
        STORAGE,
        {"op": "insert", "tableName": "mastra_threads", "record": thread("t-2")},
    )
    read = call(internal_backend, "mutation", STORAGE, READ_THREADS)

    assert write.json()["status"] == read.json()["status"] == "error"
    assert "t-1" not in read.text
    stored = call(internal_backend, "mutation", STORAGE, READ_THREADS, key=key).json()["value"]["result"]
    assert [t["id"] for t in stored] == ["t-1"]


def test_a_wrong_key_is_refused(internal_backend: ConvexDevServer) -> None:
    response = call(internal_backend, "mutation", STORAGE, READ_THREADS, key="local-dev-server|wrong")

    assert response.status_code == 401
    assert response.json()["code"] == "BadAdminKey"


def test_the_public_handler_by_contrast_answers_anyone(convex_backend: ConvexDevServer) -> None:
    # The finding this variant fixes: Mastra's default handler needs no key to read or write.
    write = call(
        convex_backend,
        "mutation",
        STORAGE,
        {"op": "insert", "tableName": "mastra_threads", "record": thread("t-1")},
    )
    read = call(convex_backend, "mutation", STORAGE, READ_THREADS)

    assert write.json() == {"status": "success", "value": {"ok": True}}
    assert [t["id"] for t in read.json()["value"]["result"]] == ["t-1"]


# --- the variant file itself --------------------------------------------------------------------


@pytest.mark.parametrize("server_fixture", ["convex_server", "internal_server"])
def test_the_variant_is_never_a_function_of_its_own(
    request: pytest.FixtureRequest, server_fixture: str
) -> None:
    # Two dots in its name: the Convex CLI's entryPoints (and the dev server's discovery, which
    # mirrors it) skip it, so deploying convex/ never registers the handler a second time.
    server: ConvexDevServer = request.getfixturevalue(server_fixture)

    response = call(
        server, "function", "variants/storage.internal:handle", READ_THREADS, key=server.admin_key
    )

    assert response.json()["errorMessage"].startswith(
        "Could not find function for 'variants/storage.internal:handle'"
    )


@pytest.mark.parametrize(
    ("function", "answer"),
    [
        # Both markers: Convex's analysis skips the export, so it is missing even for the admin.
        ("devserver_test:markedBoth", "Could not find function for 'devserver_test:markedBoth'"),
        # `isPublic: false` still HAS the marker: public. Flipping a flag on mastraStorage is no fix.
        ("devserver_test:publicFlagFalse", None),
    ],
)
def test_visibility_comes_from_which_marker_an_export_has(
    internal_backend: ConvexDevServer, function: str, answer: str | None
) -> None:
    as_admin = call(internal_backend, "function", function, {}, key=internal_backend.admin_key).json()
    keyless = call(internal_backend, "query", function, {}).json()

    if answer is None:
        assert as_admin == keyless == {"status": "success", "value": "ran"}
    else:
        assert as_admin["errorMessage"].startswith(answer)
        assert keyless["status"] == "error"
