"""ConvexStore on the local dev server: the five bounded counts run at once, one failing count
fails the counts, and replies orjson refuses (a lone UTF-16 surrogate) still read as the stdlib
decoder reads them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from storeclient import ConvexStore
from storeclient.errors import BackendUnavailable
from storeclient.models import Thread

pytestmark = pytest.mark.convex

T0 = datetime(2026, 1, 9, 14, 2, 11, tzinfo=UTC)


class HeldCounts(httpx.BaseTransport):
    """The real dev server, except that each ``count`` call waits until five are in flight (or
    fails one table's count): calls made one after another would never all arrive."""

    def __init__(self, *, fail_table: str | None = None) -> None:
        self.real = httpx.HTTPTransport()
        self.all_in_flight = threading.Barrier(5, timeout=10)
        self.fail_table = fail_table

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read() or b"{}")
        if body.get("path") == "mastra/dashboard:count":
            self.all_in_flight.wait()  # BrokenBarrierError (a test failure) if counts run one by one
            if body["args"]["table"] == self.fail_table:
                raise httpx.ReadTimeout("timed out (injected)", request=request)
        return self.real.handle_request(request)

    def close(self) -> None:
        self.real.close()


@pytest.fixture
def seeded(convex_backend) -> Iterator[ConvexStore]:
    store = ConvexStore(convex_backend.url, convex_backend.admin_key)
    for i in range(3):
        store.memory.save_thread(
            Thread(id=f"thread-{i}", resource_id="user-1", title=f"Order #{i}", created_at=T0, updated_at=T0)
        )
    yield store
    store.close()


def held(convex_backend, transport: HeldCounts) -> ConvexStore:
    return ConvexStore(
        convex_backend.url,
        convex_backend.admin_key,
        http_client=httpx.Client(transport=transport),
        read_attempts=1,
    )


def test_the_five_counts_are_asked_for_at_once(convex_backend, seeded):
    store = held(convex_backend, HeldCounts())
    counts = store.counts(cap=100)
    store.close()
    assert str(counts["threads"]) == "3"
    assert {name: str(c) for name, c in counts.items() if name != "threads"} == {
        "messages": "0",
        "resources": "0",
        "runs": "0",
        "scores": "0",
    }


def test_one_count_that_times_out_fails_the_counts_with_what_to_check(convex_backend, seeded):
    store = held(convex_backend, HeldCounts(fail_table="messages"))
    with pytest.raises(BackendUnavailable) as caught:
        store.counts(cap=100)
    store.close()
    assert "did not answer in time" in caught.value.message


@pytest.mark.parametrize("backend", ["convex_backend", "convex_handler_only_backend"])
def test_a_title_holding_half_an_emoji_reads_back_as_the_replacement_character(request, backend):
    server = request.getfixturevalue(backend)
    with ConvexStore(server.url, server.admin_key) as store:
        # Sent as its escape; the deployment stores a JavaScript string with a lone surrogate, and
        # its reply carries "\ud83d" again, which orjson refuses and the stdlib decoder repairs.
        store.memory.save_thread(
            Thread(
                id="thread-cut", resource_id="u", title="cut \ud83d, whole 😀", created_at=T0, updated_at=T0
            )
        )
        thread = store.memory.get_thread_by_id("thread-cut")
        [listed] = store.memory.thread_feed(limit=5).items
    assert thread is not None and thread.title == "cut \ufffd, whole 😀"
    assert listed.title == "cut \ufffd, whole 😀"
