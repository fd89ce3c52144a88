"""The dashboard's own Convex module (convex/mastra/dashboard.ts) on the local dev server: who may call
it, how ConvexStore finds it and falls back, and what it buys at scale (a thread too large for
Mastra's handler, 20 racing conflict-safe saves).

The contract suite already runs every store test in both Convex modes; these are the things that
only make sense for the module itself.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from dashboard.demo.convex_dev import ConvexDevServer
from storeclient import ConflictError, ConvexStore, LimitError, Resource, Thread
from storeclient.convex.module import RESTARTED_NOTE
from storeclient.models import MemoryVersion, content_hash

pytestmark = pytest.mark.convex

HTTP = httpx.Client(timeout=120)
NOT_FOUND = "Could not find {what} for 'mastra/dashboard:{name}'."
#: Every function the module exports: (name, args that pass its validator).
FUNCTIONS: list[tuple[str, dict[str, Any]]] = [
    ("probe", {}),
    ("threads", {"cursor": None, "numItems": 5}),
    ("messages", {"cursor": None, "numItems": 5, "threadId": "t"}),
    ("resources", {"cursor": None, "numItems": 5}),
    ("runs", {"cursor": None, "numItems": 5}),
    ("runStatusCounts", {"cursor": None}),
    ("scores", {"cursor": None, "numItems": 5}),
    ("scoreSeries", {"cursor": None, "numItems": 5}),
    ("workflowNames", {"after": None}),
    ("scorerIds", {"after": None}),
    ("count", {"table": "threads", "cursor": None, "numItems": 5}),
    ("messageWindow", {"threadId": "t", "messageId": "m", "before": 2, "after": 2}),
    ("messageChanges", {"afterTime": None, "numItems": 5, "settleMs": 0}),
    ("threadChanges", {"after": None, "numItems": 5, "settleMs": 0}),
    ("resourceChanges", {"after": None, "numItems": 5, "settleMs": 0}),
    ("existingThreadIds", {"ids": ["t"]}),
    ("saveResourceWorkingMemory", {"resourceId": "r", "workingMemory": "x", "expected": None}),
    ("saveThreadWorkingMemory", {"threadId": "t", "workingMemory": "x", "expected": None}),
]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def call(
    server: ConvexDevServer, endpoint: str, path: str, args: Any, key: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Convex {key}"} if key is not None else {}
    return HTTP.post(
        f"{server.url}/api/{endpoint}", json={"path": path, "args": args, "format": "json"}, headers=headers
    )


def insert_many(server: ConvexDevServer, table: str, docs: list[dict[str, Any]], chunk: int = 1000) -> None:
    """Bulk load through the dev server's test-only ``devserver_test:insertMany``."""
    for start in range(0, len(docs), chunk):
        response = call(
            server,
            "function",
            "devserver_test:insertMany",
            {"table": table, "docs": docs[start : start + chunk]},
            key=server.admin_key,
        )
        assert response.json()["status"] == "success", response.text


def message_docs(thread_id: str, count: int, size: int) -> list[dict[str, Any]]:
    filler = "x" * size
    return [
        {
            "id": f"{thread_id}-m{i:05d}",
            "thread_id": thread_id,
            "resourceId": "user_big",
            "role": "user" if i % 2 == 0 else "assistant",
            "type": "v2",
            "createdAt": (T0 + timedelta(seconds=i)).isoformat().replace("+00:00", ".000Z"),
            "content": json.dumps({"format": 2, "parts": [{"type": "text", "text": f"#{i} {filler}"}]}),
        }
        for i in range(count)
    ]


@pytest.fixture
def module_store(convex_backend: ConvexDevServer) -> Any:
    with ConvexStore(convex_backend.url, convex_backend.admin_key) as store:
        yield store


@pytest.fixture
def handler_store(convex_handler_only_backend: ConvexDevServer) -> Any:
    with ConvexStore(convex_handler_only_backend.url, convex_handler_only_backend.admin_key) as store:
        yield store


# --- who may call it -------------------------------------------------------------------------


def test_the_dev_server_serves_the_module_and_excludes_it_when_asked(
    convex_backend: ConvexDevServer, convex_handler_only_backend: ConvexDevServer
) -> None:
    present = call(convex_backend, "function", "mastra/dashboard:probe", {}, key=convex_backend.admin_key)
    absent = call(
        convex_handler_only_backend,
        "function",
        "mastra/dashboard:probe",
        {},
        key=convex_handler_only_backend.admin_key,
    )

    assert present.json() == {"status": "success", "value": {"module": "mastra/dashboard", "version": 2}}
    assert absent.json()["errorMessage"].startswith(NOT_FOUND.format(what="function", name="probe"))


@pytest.mark.parametrize(("name", "args"), FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_every_module_function_is_internal(
    convex_backend: ConvexDevServer, name: str, args: dict[str, Any]
) -> None:
    path = f"mastra/dashboard:{name}"
    anonymous = call(convex_backend, "function", path, args)
    # /api/query and /api/mutation serve public functions to anyone else; an internal one looks missing.
    on_query = call(convex_backend, "query", path, args)
    on_mutation = call(convex_backend, "mutation", path, args)
    wrong_key = call(convex_backend, "function", path, args, key="local-dev-server|not-the-key")
    with_key = call(convex_backend, "function", path, args, key=convex_backend.admin_key)

    assert anonymous.json()["errorMessage"].startswith(NOT_FOUND.format(what="function", name=name))
    assert on_query.json()["errorMessage"].startswith(NOT_FOUND.format(what="public function", name=name))
    assert on_mutation.json()["errorMessage"].startswith(NOT_FOUND.format(what="public function", name=name))
    assert (wrong_key.status_code, wrong_key.json()["code"]) == (401, "BadAdminKey")
    assert with_key.status_code == 200 and with_key.json()["status"] == "success", with_key.text


def test_the_module_did_not_open_anything_without_the_key(convex_backend: ConvexDevServer) -> None:
    # A refused save must not have written: the resource it named does not exist.
    call(
        convex_backend,
        "function",
        "mastra/dashboard:saveResourceWorkingMemory",
        {"resourceId": "intruder", "workingMemory": "owned", "expected": None},
    )
    with ConvexStore(convex_backend.url, convex_backend.admin_key) as store:
        assert store.memory.get_resource_by_id("intruder") is None


# --- finding it and falling back -------------------------------------------------------------


def test_the_store_reports_its_mode_and_whether_saves_are_atomic(
    module_store: Any, handler_store: Any
) -> None:
    with_module, without = module_store.health(), handler_store.health()

    assert (with_module.ok, with_module.mode, with_module.atomic_saves) == (True, "dashboard module", True)
    assert (without.ok, without.mode, without.atomic_saves) == (True, "standard handler", False)
    assert "not deployed" in without.detail
    assert module_store.describe().endswith("(dashboard module)")
    assert "mastra/dashboard:*" in module_store.describe()
    assert handler_store.describe().endswith("(standard handler)")


def test_the_module_is_probed_once_per_process(module_store: Any) -> None:
    module_store.memory.thread_feed()
    module_store.memory.resource_feed()
    module_store.workflows.workflow_names()
    module_store.health()
    assert module_store.module.probes == 1


def test_an_absent_module_is_probed_again_only_after_the_interval(
    convex_handler_only_backend: ConvexDevServer,
) -> None:
    now = [1000.0]
    with ConvexStore(convex_handler_only_backend.url, convex_handler_only_backend.admin_key) as store:
        store.module._clock = lambda: now[0]
        store.module.reprobe_after = 60
        store.memory.thread_feed()
        store.memory.resource_feed()
        assert store.module.probes == 1
        now[0] += 61
        store.memory.thread_feed()
        assert store.module.probes == 2


def test_a_module_that_disappears_is_noticed_and_the_call_falls_back(
    convex_handler_only_backend: ConvexDevServer,
) -> None:
    with ConvexStore(convex_handler_only_backend.url, convex_handler_only_backend.admin_key) as store:
        store.memory.save_thread(_thread(1))
        # As if the probe had found the module and it was removed from the deployment afterwards.
        store.module._present = True
        feed = store.memory.thread_feed()
        assert [t.id for t in feed.items] == ["t-001"]
        assert store.module.mode == "standard handler"
        # A save after the removal falls back too (nothing ran on the server, so that is safe).
        saved = store.memory.save_resource_working_memory("user_a", "# hi", expected=None)
        assert saved.working_memory == "# hi"


def test_the_module_can_be_switched_off(convex_backend: ConvexDevServer) -> None:
    with ConvexStore(convex_backend.url, convex_backend.admin_key, dashboard_module=None) as store:
        assert store.health().mode == "standard handler"
        store.memory.thread_feed()
        assert store.module.probes == 0


def test_a_handler_cursor_stays_on_the_handler_and_a_module_cursor_restarts_without_the_module(
    convex_backend: ConvexDevServer, convex_handler_only_backend: ConvexDevServer
) -> None:
    for backend in (convex_backend, convex_handler_only_backend):
        with ConvexStore(backend.url, backend.admin_key) as store:
            for n in range(1, 6):
                store.memory.save_thread(_thread(n))
    with (
        ConvexStore(convex_backend.url, convex_backend.admin_key) as with_module,
        ConvexStore(convex_handler_only_backend.url, convex_handler_only_backend.admin_key) as without,
    ):
        handler_first = without.memory.thread_feed(limit=2)
        module_first = with_module.memory.thread_feed(limit=2)

        # The module appeared mid-way: the handler's cursor is still served by the handler.
        continued = with_module.memory.thread_feed(cursor=handler_first.next_cursor, limit=2)
        assert [t.id for t in continued.items] == ["t-003", "t-002"]
        # The module went away: its cursor means nothing to the handler, so the list starts over.
        restarted = without.memory.thread_feed(cursor=module_first.next_cursor, limit=2)
        assert [t.id for t in restarted.items] == ["t-005", "t-004"]
        assert restarted.note == RESTARTED_NOTE


def test_a_module_cursor_only_fits_its_own_list(module_store: Any) -> None:
    from storeclient import InvalidRequest

    for n in range(1, 4):
        module_store.memory.save_thread(_thread(n))
    first = module_store.memory.thread_feed(limit=1)
    with pytest.raises(InvalidRequest, match="another list"):
        module_store.memory.thread_feed(title_contains="Order", cursor=first.next_cursor, limit=1)


def test_a_handler_cursor_goes_straight_to_the_handler_and_a_forged_offset_is_refused(
    convex_backend: ConvexDevServer, convex_handler_only_backend: ConvexDevServer
) -> None:
    from storeclient import InvalidRequest
    from storeclient.semantics import encode_cursor

    with ConvexStore(convex_handler_only_backend.url, convex_handler_only_backend.admin_key) as without:
        for n in range(1, 4):
            without.memory.save_thread(_thread(n))
        handler_first = without.memory.thread_feed(limit=1)
    with ConvexStore(convex_backend.url, convex_backend.admin_key) as store:
        store.memory.thread_feed(cursor=handler_first.next_cursor, limit=1)
        # The cursor alone decided the path: the module was never even looked for.
        assert store.module.probes == 0
        with pytest.raises(InvalidRequest, match="not valid"):
            store.memory.thread_feed(cursor=encode_cursor({"o": "ten"}), limit=1)


# --- what only the module can do -------------------------------------------------------------


def test_a_title_search_that_scans_its_budget_says_so(
    module_store: Any, convex_backend: ConvexDevServer
) -> None:
    from storeclient.convex import memory

    insert_many(convex_backend, "mastra_threads", [_thread(n).to_record() for n in range(1, 41)])
    insert_many(convex_backend, "mastra_threads", [_thread(41, title="The one blender").to_record()])
    budget, window = memory.TITLE_SCAN_BUDGET, memory.TITLE_WINDOW
    memory.TITLE_SCAN_BUDGET, memory.TITLE_WINDOW = 10, 5
    try:
        found = module_store.memory.thread_feed(title_contains="BLENDER", limit=5)
        nothing = module_store.memory.thread_feed(title_contains="kettle", limit=5)
    finally:
        memory.TITLE_SCAN_BUDGET, memory.TITLE_WINDOW = budget, window

    assert [t.id for t in found.items] == ["t-041"] and found.note and "10 threads" in found.note
    assert nothing.items == [] and nothing.note and nothing.next_cursor
    rest = module_store.memory.thread_feed(title_contains="kettle", cursor=nothing.next_cursor, limit=5)
    assert rest.items == []


def test_versions_match_python_for_unicode_and_legacy_timestamps(
    module_store: Any, convex_backend: ConvexDevServer
) -> None:
    text = "# Notizen 🧠\n- Grüße aus Zürich\n- 東京"
    # Stored by another tool: a timestamp without milliseconds and with an offset.
    module_store.handler.insert(
        "mastra_resources",
        {
            "id": "user_legacy",
            "workingMemory": text,
            "metadata": {},
            "createdAt": "2025-06-02T09:30:00+00:00",
            "updatedAt": "2025-06-02T09:30:00+00:00",
        },
    )
    current = module_store.memory.get_resource_by_id("user_legacy")
    assert current.memory_version == MemoryVersion("2025-06-02T09:30:00.000Z", content_hash(text))

    saved = module_store.memory.save_resource_working_memory(
        "user_legacy", text + "\n- Osaka", expected=current.memory_version
    )
    assert saved.working_memory.endswith("Osaka")
    assert saved.metadata == {}


def test_a_thread_too_large_for_the_handler_pages_through_the_module(
    convex_backend: ConvexDevServer, convex_handler_only_backend: ConvexDevServer
) -> None:
    started = time.monotonic()
    docs = message_docs("big", 5_000, 4_000)  # ~20 MB: over Convex's 16 MiB read limit
    for backend in (convex_backend, convex_handler_only_backend):
        insert_many(backend, "mastra_threads", [_thread(1, thread_id="big").to_record()])
        insert_many(backend, "mastra_messages", docs)

    with (
        ConvexStore(convex_handler_only_backend.url, convex_handler_only_backend.admin_key) as handler_only,
        pytest.raises(LimitError) as caught,
    ):
        handler_only.memory.message_feed("big")
    message = caught.value.message
    assert "16 MiB read limit" in message and "convex/mastra/dashboard.ts" in message
    assert "npx convex deploy" in message

    with ConvexStore(convex_backend.url, convex_backend.admin_key) as store:
        newest = store.memory.message_feed("big", limit=40)
        assert [m.id for m in newest.items] == [f"big-m{i:05d}" for i in range(4999, 4959, -1)]
        older = store.memory.message_feed("big", cursor=newest.next_cursor, limit=40)
        assert older.items[0].id == "big-m04959" and older.items[-1].id == "big-m04920"
        cursor, pages = older.next_cursor, 0
        while cursor:
            page = store.memory.message_feed("big", cursor=cursor, limit=1000)
            cursor, pages, last = page.next_cursor, pages + 1, page
        assert last.items[-1].id == "big-m00000"
        assert pages == 5
        assert store.counts()["messages"].value == 5_000
    assert time.monotonic() - started < 90


def test_twenty_concurrent_saves_from_one_version_apply_exactly_once(module_store: Any) -> None:
    module_store.memory.save_resource(
        Resource(
            id="user_race", working_memory="# base", created_at=T0, updated_at=T0, metadata={"plan": "pro"}
        )
    )
    module_store.memory.save_thread(_thread(1, workingMemory="# base"))
    resource_base = module_store.memory.get_resource_by_id("user_race").memory_version
    thread_base = module_store.memory.get_thread_by_id("t-001").memory_version

    def save(target: str, n: int) -> str:
        try:
            if target == "resource":
                module_store.memory.save_resource_working_memory(
                    "user_race", f"# writer {n}", expected=resource_base
                )
            else:
                module_store.memory.save_thread_working_memory("t-001", f"# writer {n}", expected=thread_base)
            return f"# writer {n}"
        except ConflictError as exc:
            assert exc.current is not None
            return "conflict"

    for target in ("resource", "thread"):
        with ThreadPoolExecutor(max_workers=20) as pool:
            outcomes = list(pool.map(lambda n, t=target: save(t, n), range(20)))
        winners = [o for o in outcomes if o != "conflict"]
        assert len(winners) == 1, outcomes
        stored = (
            module_store.memory.get_resource_by_id("user_race")
            if target == "resource"
            else module_store.memory.get_thread_by_id("t-001")
        )
        assert stored.working_memory == winners[0]
    thread = module_store.memory.get_thread_by_id("t-001")
    assert thread.title == _thread(1).title and thread.metadata["channel"] == "web"
    assert module_store.memory.get_resource_by_id("user_race").metadata == {"plan": "pro"}


def _thread(n: int, *, thread_id: str | None = None, title: str | None = None, **metadata: Any) -> Thread:
    return Thread(
        id=thread_id or f"t-{n:03d}",
        resource_id="user_a",
        title=title or f"Order question {n}",
        metadata={"channel": "web", **metadata},
        created_at=T0 + timedelta(minutes=n),
        updated_at=T0 + timedelta(minutes=n, seconds=30),
    )
