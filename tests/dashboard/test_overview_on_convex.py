"""The overview on a real (local) Convex backend: bounded counts (exact below the bound, "N+" above),
cached for a minute behind one generation key and dated "as of", and each part of the page failing
on its own when one of its store calls does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from django.utils import timezone

from dashboard.core.overview_counts import invalidate_counts
from dashboard.core.store import use_store
from dashboard.search.indexer import Indexer
from storeclient import ConvexStore
from tests.contract.records import resource, score_payload, snapshot_with_status

from .html_query import find_all, find_one
from .thread_records import Records, long_thread, many_threads, write

pytestmark = pytest.mark.convex


def stat(content: bytes, label: str) -> str:
    for link in find_all(content, "a", cls="stat"):
        if link.text.endswith(label):
            return link.text.removesuffix(label)
    raise AssertionError(f"no {label} count on the page")


def counted_at(content: bytes) -> str | None:
    return find_one(content, "time", data_counted_at=...).get("datetime")


def documents_read(server) -> int:
    response = httpx.get(f"{server.url}/__dev/stats", headers={"Authorization": f"Convex {server.admin_key}"})
    return int(response.json()["documentsRead"])


@pytest.fixture(params=["module", "handler-only"])
def convex_store(request, db) -> Iterator[ConvexStore]:
    fixture = "convex_backend" if request.param == "module" else "convex_handler_only_backend"
    server = request.getfixturevalue(fixture)
    store = ConvexStore(server.url, server.admin_key)
    write(store, Records().add(long_thread(50)).add(many_threads(30)))
    invalidate_counts()  # another test's counts of this same server must not show here
    with use_store(store):
        yield store
    store.close()


@pytest.fixture
def editor_client(client, eddie):
    client.force_login(eddie)
    return client


def test_counts_below_the_bound_are_exact(vera_client, convex_store):
    content = vera_client.get("/").content
    assert stat(content, "Threads") == "31"
    assert stat(content, "Messages") == "80"  # 50 in the long thread, one in each of the 30 others


def test_a_count_past_the_bound_reads_as_at_least_the_bound(vera_client, convex_store, monkeypatch):
    monkeypatch.setattr("dashboard.core.views.OVERVIEW_COUNT_CAP", 25)
    content = vera_client.get("/").content
    assert stat(content, "Threads") == "25+"
    assert stat(content, "Messages") == "25+"


def test_the_page_says_when_the_counts_were_counted(vera_client, convex_store):
    before = timezone.now().replace(microsecond=0)
    content = vera_client.get("/").content
    shown = find_one(content, "time", data_counted_at=...)
    counted = datetime.fromisoformat(shown.get("datetime"))
    assert before <= counted <= timezone.now()
    assert shown.text == counted.strftime("%H:%M:%S")


def test_a_second_view_shows_the_cached_counts_without_counting_again(vera_client, convex_backend):
    store = ConvexStore(convex_backend.url, convex_backend.admin_key)
    write(store, Records().add(long_thread(50)).add(many_threads(30)))
    invalidate_counts()
    with use_store(store):
        first = vera_client.get("/").content
        store.memory.save_thread(many_threads(1, prefix="newer").threads[0])
        read_before = documents_read(convex_backend)
        second = vera_client.get("/").content
    store.close()
    # The recent-threads card and the health check read a few documents; the counts read none.
    assert documents_read(convex_backend) - read_before < 40
    assert stat(second, "Threads") == "31"
    assert counted_at(second) == counted_at(first)


def test_an_editor_can_count_again_at_once(editor_client, convex_store):
    assert stat(editor_client.get("/").content, "Threads") == "31"
    convex_store.memory.save_thread(many_threads(1, prefix="newer").threads[0])
    response = editor_client.post("/counts/refresh")
    assert response.status_code == 302 and response["Location"] == "/"
    assert stat(editor_client.get("/").content, "Threads") == "32"


def test_a_new_generation_makes_every_cached_count_stale(vera_client, convex_store):
    vera_client.get("/")
    convex_store.memory.save_thread(many_threads(1, prefix="newer").threads[0])
    invalidate_counts()
    assert stat(vera_client.get("/").content, "Threads") == "32"


def test_a_viewer_is_not_offered_a_recount_and_cannot_force_one(vera_client, convex_store):
    content = vera_client.get("/").content
    assert b"Count now" not in content
    assert vera_client.post("/counts/refresh").status_code == 403


def test_an_editor_is_offered_the_recount_button(editor_client, convex_store):
    form = find_one(editor_client.get("/").content, "form", action="/counts/refresh")
    assert form.get("method") == "post"
    assert "Count now" in form.text


# --- counts from the dashboard's index ---------------------------------------------------------------


def counts_source(content: bytes) -> str | None:
    return find_one(content, "div", cls="counts-as-of").get("data-counts-source")


def indexed(server) -> Iterator[ConvexStore]:
    """A store holding every kind the overview counts, with the dashboard's index built over it."""
    store = ConvexStore(server.url, server.admin_key, change_settle_seconds=0)
    write(store, Records().add(long_thread(50)).add(many_threads(30)))
    store.memory.save_resource(resource("user_counted", working_memory="# Notes"))
    for n, status in enumerate(["success", "failed", "suspended"]):
        store.workflows.persist_workflow_snapshot(
            "order-approval", f"run-{n}", snapshot_with_status(f"run-{n}", status)
        )
    for value in (0.2, 0.9):
        store.scores.save_score(score_payload("answer-relevancy", score=value))
    invalidate_counts()
    with use_store(store):
        indexer = Indexer(store)
        result = indexer.poll()
        indexer.release()
        assert result.drained and not result.error
        yield store
    store.close()


@pytest.fixture
def indexed_store(convex_backend, db) -> Iterator[ConvexStore]:
    yield from indexed(convex_backend)


def test_with_a_fresh_index_only_the_runs_are_counted_in_the_store(
    vera_client, indexed_store, convex_backend
):
    in_store = indexed_store.counts(cap=10_000)
    read_before = documents_read(convex_backend)
    content = vera_client.get("/").content
    # The recent-threads and runs cards, the health check and the 3 runs counted read a few
    # documents; counting the 80 messages and 31 threads in the store would read them all.
    assert documents_read(convex_backend) - read_before < 40
    labels = {
        "threads": "Threads",
        "messages": "Messages",
        "resources": "Resources",
        "runs": "Workflow runs",
        "scores": "Scores",
    }
    assert {kind: stat(content, label) for kind, label in labels.items()} == {
        kind: str(in_store[kind]) for kind in labels
    }
    assert counts_source(content) == "index"
    said = find_one(content, "div", cls="counts-as-of").text
    assert "Threads, messages, resources, scores from the dashboard's index." in said


def test_the_thread_list_total_is_read_from_a_fresh_index(
    vera_client, indexed_store, convex_backend, monkeypatch
):
    monkeypatch.setattr("dashboard.core.list_totals._cached", None)
    read_before = documents_read(convex_backend)
    total = find_one(vera_client.get("/threads/").content, "span", cls="list-total").text
    assert total == "31 threads in all."
    # A page of the thread list reads its 25 or so threads; counting the threads and the 80
    # messages in the store would read them all.
    assert documents_read(convex_backend) - read_before < 60


def test_an_index_behind_the_store_leaves_the_counts_to_the_store(vera_client, indexed_store, time_machine):
    indexed_store.memory.save_thread(many_threads(1, prefix="newer").threads[0])
    time_machine.move_to(timezone.now() + timedelta(minutes=5))  # no worker has caught up since
    content = vera_client.get("/").content
    assert stat(content, "Threads") == "32"
    assert counts_source(content) == "store"


def test_with_mastras_handler_alone_the_index_is_approximate_and_the_store_counts(
    vera_client, convex_handler_only_backend, db
):
    for _store in indexed(convex_handler_only_backend):
        content = vera_client.get("/").content
        assert stat(content, "Threads") == "31"
        assert counts_source(content) == "store"


# --- one store call failing ----------------------------------------------------------------------


class TimesOut(httpx.BaseTransport):
    """The real dev server, except that calls of one Convex function never answer in time."""

    def __init__(self, function_path: str) -> None:
        self.function_path = function_path
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read() or b"{}")
        if body.get("path") == self.function_path:
            raise httpx.ReadTimeout("timed out (injected)", request=request)
        return self.real.handle_request(request)

    def close(self) -> None:
        self.real.close()


@pytest.fixture
def timing_out(convex_backend, db):
    write(ConvexStore(convex_backend.url, convex_backend.admin_key), Records().add(many_threads(30)))
    invalidate_counts()
    stores: list[ConvexStore] = []

    def serve(function_path: str) -> ConvexStore:
        transport = TimesOut(function_path)
        store = ConvexStore(
            convex_backend.url,
            convex_backend.admin_key,
            http_client=httpx.Client(transport=transport),
            read_attempts=1,
        )
        stores.append(store)
        return store

    yield serve
    for store in stores:
        store.close()


def test_a_run_list_that_times_out_costs_only_its_own_card(vera_client, timing_out):
    with use_store(timing_out("mastra/dashboard:runs")):
        response = vera_client.get("/")
    assert response.status_code == 200
    panel = find_one(response.content, "article", id="runs-error")
    assert "did not answer in time" in panel.text
    assert stat(response.content, "Threads") == "30"
    assert "thread-029" in response.content.decode()  # the recent threads are still listed


def test_counts_that_time_out_leave_the_recent_activity_on_the_page(vera_client, timing_out):
    with use_store(timing_out("mastra/dashboard:count")):
        response = vera_client.get("/")
    assert response.status_code == 200
    assert "did not answer in time" in find_one(response.content, "article", id="counts-error").text
    assert not find_all(response.content, "a", cls="stat")
    assert "thread-029" in response.content.decode()


def test_a_failed_count_is_not_cached(vera_client, timing_out, convex_backend):
    with use_store(timing_out("mastra/dashboard:count")):
        vera_client.get("/")
    healthy = ConvexStore(convex_backend.url, convex_backend.admin_key)
    with use_store(healthy):
        assert stat(vera_client.get("/").content, "Threads") == "30"
    healthy.close()


def test_the_cache_lasts_a_minute(vera_client, convex_store, time_machine):
    vera_client.get("/")
    convex_store.memory.save_thread(many_threads(1, prefix="newer").threads[0])
    time_machine.move_to(timezone.now() + timedelta(seconds=61))
    assert stat(vera_client.get("/").content, "Threads") == "32"
