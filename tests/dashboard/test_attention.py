"""What needs a human: the overview's "Needs attention" lanes and /health/. Each check finds a
problem planted in the store (SQLite, and the Convex dev server with the dashboard module) and
stays quiet on clean data; the lanes cost a bounded number of store calls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from dashboard.core.store import use_store
from dashboard.scores.models import Direction, set_direction
from storeclient.convex import ConvexStore
from storeclient.models import Resource, Thread
from storeclient.sqlite import SQLiteStore
from tests.support.counting_store import CountingStore

from . import workflow_snapshots as ws
from .html_query import find_all, find_one
from .thread_records import CappedFeeds

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TEMPLATE = "# User Information\n- **Name**: {name}\n\n# Preferences\n- {pref}\n"


@pytest.fixture(params=["sqlite", pytest.param("convex", marks=pytest.mark.convex)])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Any]:
    if request.param == "sqlite":
        backend: Any = SQLiteStore(tmp_path / "mastra.db")
    else:
        server = request.getfixturevalue("convex_backend")
        # The clock is frozen months before the dev server's own: the indexer's feeds must not
        # wait for writes to settle.
        backend = ConvexStore(server.url, server.admin_key, change_settle_seconds=0)
    with use_store(backend), time_machine.travel(NOW, tick=False):
        yield backend
    backend.close()


def _run(store, fixture, *, created: datetime, updated: datetime, run_id: str) -> None:
    snapshot = dict(fixture.snapshot, runId=run_id)
    store.workflows.persist_workflow_snapshot(
        fixture.workflow_name, run_id, snapshot, created_at=created, updated_at=updated
    )


def _scores(store, scorer_id: str, previous: list[float], current: list[float]) -> None:
    for days, values in ((10, previous), (2, current)):
        for i, value in enumerate(values):
            store.scores.save_score(
                {
                    "scorerId": scorer_id,
                    "score": value,
                    "runId": f"{scorer_id}-{days}-{i}",
                    "entityId": "supportAgent",
                    "entityType": "AGENT",
                    "source": "LIVE",
                    "scorer": {"id": scorer_id, "name": scorer_id},
                    "input": [],
                    "output": {},
                },
                created_at=NOW - timedelta(days=days, minutes=i),
            )


def _memory(store, resource_id: str, text: str) -> None:
    store.memory.save_resource(
        Resource(resource_id, NOW - timedelta(hours=1), NOW - timedelta(hours=1), text)
    )


def clean(store) -> None:
    """What a healthy store holds: a finished run, steady scores, memories in the template."""
    _run(
        store,
        ws.refund_success(),
        created=NOW - timedelta(hours=2),
        updated=NOW - timedelta(hours=2),
        run_id="ok-1",
    )
    _scores(store, "answer-relevancy", [0.8, 0.82], [0.81, 0.8])
    for i, name in enumerate(["Ada", "Lin", "Sam"]):
        _memory(store, f"user_{i}", TEMPLATE.format(name=name, pref="email"))


def plant(store) -> None:
    clean(store)
    _run(
        store,
        ws.refund_failed(),
        created=NOW - timedelta(hours=3),
        updated=NOW - timedelta(hours=3),
        run_id="bad-1",
    )
    _run(
        store,
        ws.refund_running(),
        created=NOW - timedelta(hours=5),
        updated=NOW - timedelta(hours=4),
        run_id="stuck-1",
    )
    _run(
        store,
        ws.refund_suspended(),
        created=NOW - timedelta(days=3),
        updated=NOW - timedelta(days=3),
        run_id="wait-1",
    )
    _scores(store, "toxicity", [0.1, 0.1], [0.4, 0.5])  # rising toxicity: worse once lower is better
    _scores(store, "helpfulness", [0.9, 0.9], [0.5, 0.6])  # falling helpfulness: worse by default
    _memory(store, "user_json", '{"name": "Ada", "prefers": ')
    _memory(store, "user_lost", "- **Name**: Kim\n\n# Preferences\n- phone\n")
    _memory(store, "user_big", TEMPLATE.format(name="Big", pref="x" * (900 * 1024)))


def lanes(client) -> dict[str, Any]:
    page = client.get("/health/attention/", headers={"HX-Request": "true"}).content
    return {li.get("data-lane"): li for li in find_all(page, "li", cls="attention-lane")}


def test_the_overview_loads_the_lanes_as_it_opens(vera_client, store):
    clean(store)
    slot = find_one(vera_client.get("/").content, "section", id="attention")
    assert slot.get("hx-get") == "/health/attention/" and slot.get("hx-trigger") == "load"


def test_the_overviews_resource_ids_and_workflow_names_are_links(vera_client, store):
    clean(store)
    store.memory.save_thread(
        Thread("t-1", "user_0", "Refund question", NOW - timedelta(hours=1), NOW - timedelta(hours=1))
    )
    page = vera_client.get("/").content.decode()
    assert '<a href="/resources/user_0/">user_0</a>' in page
    assert '<a href="/workflows/?workflow=refund-approval">refund-approval</a>' in page


def test_clean_data_needs_no_attention(eddie_client, store):
    clean(store)
    page = eddie_client.get("/health/attention/", headers={"HX-Request": "true"}).content
    assert find_all(page, "li", cls="attention-lane") == []
    assert find_one(page, data_attention_clear=...)
    checks = find_all(eddie_client.get("/health/").content, "li", cls="attention-lane")
    assert {c.get("data-lane"): c.get("data-count") for c in checks} == {
        "failed-runs": "0",
        "stuck-runs": "0",
        "suspended-runs": "0",
        "score-regressions": "0",
        "failing-tools": "0",
        "memory": "0",
        "large-documents": "0",
        "capped-feeds": "0",
    }


def test_each_lane_finds_its_planted_problem(ada_client, store):
    plant(store)
    found = lanes(ada_client)
    text = {key: " ".join(li.text.split()) for key, li in found.items()}
    assert found["failed-runs"].get("data-count") == "1" and "1 in the last 24 hours" in text["failed-runs"]
    assert (
        found["stuck-runs"].get("data-count") == "1"
        and "no update for 4 h — may be stuck" in text["stuck-runs"]
    )
    assert (
        found["suspended-runs"].get("data-count") == "1"
        and "suspended for 51 days 21 h" in text["suspended-runs"]
    )  # since its step suspended
    assert found["score-regressions"].get("data-count") == "1" and "helpfulness" in text["score-regressions"]
    assert "toxicity" not in text["score-regressions"]
    assert found["memory"].get("data-count") == "2"
    assert "user_json" in text["memory"] and "no longer parses" in text["memory"]
    assert "user_lost" in text["memory"] and "“user information”" in text["memory"]
    assert found["large-documents"].get("data-count") == "1" and "user_big" in text["large-documents"]
    assert "capped-feeds" not in found


def test_a_lower_is_better_scorer_that_rose_is_a_regression(ada, ada_client, store):
    plant(store)
    set_direction(ada, "toxicity", Direction.LOWER)
    text = " ".join(lanes(ada_client)["score-regressions"].text.split())
    assert "toxicity" in text and "lower is better" in text and "+0.350" in text


def test_lanes_link_to_where_to_act(vera_client, store):
    plant(store)
    page = vera_client.get("/health/attention/", headers={"HX-Request": "true"}).content.decode()
    assert 'href="/workflows/?status=failed&amp;since=2026-02-23"' in page
    assert 'href="/workflows/refund-approval/bad-1/"' in page
    assert 'href="/resources/user_json/memory/"' in page


def test_data_health_is_refused_to_viewers(vera_client, store):
    clean(store)
    assert vera_client.get("/health/").status_code == 403


def test_data_health_shows_editors_the_store_mode_and_limits(eddie_client, store):
    clean(store)
    facts = find_one(eddie_client.get("/health/").content, "section", data_store_facts=...)
    assert "Mode" in facts.text and "Largest document" in facts.text


def test_the_lanes_cost_a_bounded_number_of_store_calls(vera_client, store):
    plant(store)
    counting = CountingStore(store)
    with use_store(counting):
        vera_client.get("/health/attention/", headers={"HX-Request": "true"})
    # A feed per run status read (failed, running, waiting, pending, suspended), resources,
    # threads, scorer ids, and one bucket query per scorer (three here).
    assert sum(counting.calls.values()) <= 9 + 3


def test_lists_cut_at_the_handlers_cap_are_a_lane(vera_client, store):
    clean(store)
    with use_store(CappedFeeds(store, None)):
        lane = lanes(vera_client)["capped-feeds"]
    text = " ".join(lane.text.split())
    assert lane.get("data-count") == "2" and "resources" in text and "threads" in text


@pytest.mark.convex
def test_only_admins_see_the_public_handler_lane(ada, vera, client, convex_backend):
    with ConvexStore(convex_backend.url, convex_backend.admin_key) as backend, use_store(backend):
        client.force_login(vera)
        page = client.get("/health/attention/", headers={"HX-Request": "true"}).content
        assert find_all(page, data_lane="public-handler") == []
        client.force_login(ada)
        page = client.get("/health/attention/", headers={"HX-Request": "true"}).content
        assert "mastra/storage:handle" in find_one(page, data_lane="public-handler").text


def test_an_agent_written_heading_of_a_million_spaces_does_not_stall_the_checks(vera_client, store):
    clean(store)
    _memory(store, "user_odd", "# " + " " * 1_000_000 + "x\n# " + "#" * 200_000)
    lane = lanes(vera_client)["memory"]
    assert "user_odd" in lane.text and "lost the template headings" in lane.text


def test_hostile_records_keep_the_lanes_and_data_health_up(eddie_client, empty_store):
    """Agent-written records the checks read: a snapshot that is not JSON, one without context, a
    step graph of an unknown shape, working memory nested 100,000 deep or cut mid-string, a
    resource id with a slash, a score stored as text."""
    from .test_deep_nesting_pages import deep_object, resource_with_memory

    ws.write_raw(empty_store, ws.not_json())
    ws.missing_context().persist(empty_store)
    ws.unknown_step_type().persist(empty_store)
    resource_with_memory(empty_store, "user_deep", deep_object(100_000))
    resource_with_memory(empty_store, "team/a", '{"name": "cut \\ud83d')
    from .scores.test_hostile_scores import write_raw as write_raw_score

    write_raw_score(
        empty_store.path,
        {
            "id": "s-text",
            "scorerId": "odd",
            "runId": "r",
            "source": "LIVE",
            "score": "high",
            "scorer": "{}",
            "createdAt": (NOW - timedelta(days=1)).isoformat(),
            "updatedAt": NOW.isoformat(),
        },
    )
    with time_machine.travel(NOW, tick=False):
        assert eddie_client.get("/health/attention/", headers={"HX-Request": "true"}).status_code == 200
        page = eddie_client.get("/health/")
    assert page.status_code == 200
    memory = " ".join(find_one(page.content, "li", data_lane="memory").text.split())
    assert "team/a" in memory and "no longer parses" in memory


# --- failing tools, from the search index ------------------------------------------------------------


def _tool_calls(store, calls: list[tuple[str, bool, str]], *, days_ago: float = 1) -> None:
    """One assistant turn per call, in the shape Mastra stores a tool that threw (``output-error``)."""
    from storeclient.models import Message

    when = NOW - timedelta(days=days_ago)
    thread = Thread(f"t-tools-{days_ago}", "user_t", "Tools", when, when, {"agentId": "supportAgent"})
    store.memory.save_thread(thread)
    turns = []
    for n, (name, failed, error) in enumerate(calls):
        invocation: dict[str, Any] = {
            "toolName": name,
            "toolCallId": f"call_{days_ago}_{n}",
            "state": "output-error" if failed else "result",
            "args": {"n": n},
        }
        invocation.update({"errorText": error} if failed else {"result": {"ok": True}})
        content = {"format": 2, "parts": [{"type": "tool-invocation", "toolInvocation": invocation}]}
        turns.append(
            Message(
                f"m-{days_ago}-{n}", thread.id, "assistant", when + timedelta(seconds=n), content, "user_t"
            )
        )
    store.memory.save_messages(turns)


def _index(store) -> None:
    from dashboard.search.indexer import Indexer

    assert Indexer(store).poll().drained


def test_tools_failing_in_the_last_week_are_a_lane_worst_first_with_their_error(vera_client, store):
    clean(store)
    refund_error = "Refund for order A-1 failed: amount exceeds total"
    _tool_calls(
        store,
        [("issueRefund", True, refund_error)] * 3
        + [("issueRefund", False, "")]
        + [("trackParcel", True, "carrier timeout")] * 3
        + [("trackParcel", False, "")] * 2
        # Failing 1 time in 10: under both the share and the number of failures that make a lane.
        + [("lookupOrder", True, "not found")]
        + [("lookupOrder", False, "")] * 9,
    )
    # Failures older than the week are not counted.
    _tool_calls(store, [("lookupOrder", True, "not found")] * 5, days_ago=9)
    _index(store)
    assert lanes(vera_client)["failing-tools"].get("data-count") == "2"
    page = vera_client.get("/health/attention/", headers={"HX-Request": "true"}).content.decode()
    lane = page.split('data-lane="failing-tools"')[1].split('data-lane="')[0]
    examples = [" ".join(li.text.split()) for li in find_all(lane, "li", data_example=...)]
    assert examples[0].startswith("issueRefund") and "3 of 4 calls failed (75%)" in examples[0]
    assert refund_error in examples[0]
    assert examples[1].startswith("trackParcel") and "3 of 5 calls failed (60%)" in examples[1]
    links = {a.get("href") for a in find_all(lane, "a")}
    assert "/tools/issueRefund/?since=2026-02-24" in links and "/tools/?since=2026-02-24" in links


def test_without_an_index_the_tools_check_says_how_to_build_one(eddie_client, store):
    clean(store)
    _tool_calls(store, [("issueRefund", True, "boom")] * 5)
    assert "failing-tools" not in lanes(eddie_client)
    check = find_one(eddie_client.get("/health/").content, "li", data_lane="failing-tools")
    assert check.get("data-count") == "0" and "manage.py index --follow" in check.text
