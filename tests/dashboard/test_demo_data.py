"""seed_demo and the demo data builders."""

from __future__ import annotations

import base64
import io
import random
import struct
import uuid

import pytest
from django.core.management import call_command

from dashboard.demo import dataset
from dashboard.demo.cast import Ids
from dashboard.demo.scores import SCORERS
from storeclient.models import RUN_STATUSES

from .conftest import DEMO_NOW


def all_parts(data: dataset.DemoData) -> list[dict]:
    return [part for message in data.messages for part in message.parts]


def test_the_small_set_has_the_promised_size(demo_set):
    assert len(demo_set.resources) == 8
    assert len(demo_set.threads) == 30
    assert len(demo_set.runs) == 20
    assert len(demo_set.scores) == 360
    assert len(demo_set.messages) > 60


def test_messages_cover_every_part_type(demo_set):
    types = {part["type"] for part in all_parts(demo_set)}
    assert {
        "text",
        "reasoning",
        "tool-invocation",
        "file",
        "source",
        "source-document",
        "step-start",
    } <= types
    assert any(t.startswith("data-") for t in types)


def test_tool_calls_cover_results_errors_and_pending_calls(demo_set):
    states = {p["toolInvocation"]["state"] for p in all_parts(demo_set) if p["type"] == "tool-invocation"}
    assert {"result", "call", "output-error", "output-denied"} <= states
    errors = [
        p["toolInvocation"]
        for p in all_parts(demo_set)
        if p["type"] == "tool-invocation" and p["toolInvocation"]["state"] == "output-error"
    ]
    assert all(inv.get("errorText") for inv in errors)


def test_images_are_inline_pictures_never_addresses_that_cannot_resolve(demo_set):
    files = [p for p in all_parts(demo_set) if p["type"] == "file"]
    images = [f for f in files if f["mimeType"].startswith("image/")]
    assert len({f["data"] for f in images}) >= 2  # the customer's photo and the pasted screenshot
    for image in images:
        assert image["data"].startswith("data:image/png;base64,")
        png = base64.b64decode(image["data"].partition(",")[2])
        width, height = struct.unpack(">II", png[16:24])
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and width >= 200 and height >= 120
    attachments = [
        a["url"]
        for m in demo_set.messages
        if isinstance(m.content, dict)
        for a in m.content.get("experimental_attachments") or []
    ]
    assert attachments and all(url.startswith("data:image/png;base64,") for url in attachments)
    assert any(f["mimeType"] == "application/pdf" for f in files)


def test_markdown_with_code_blocks_is_there(demo_set):
    texts = [p["text"] for p in all_parts(demo_set) if p["type"] == "text"]
    assert any("```python" in t and "|" in t for t in texts)


def test_legacy_formats_are_there(demo_set):
    formats = {message.content_format for message in demo_set.messages}
    assert {"v2", "v1-text", "v1-parts", "ai-v5"} <= formats
    assert {"text", "tool-call", "tool-result"} <= {message.type for message in demo_set.messages}


def test_working_memory_comes_in_markdown_and_json_on_resources_and_threads(demo_set):
    memories = [r.working_memory for r in demo_set.resources if r.working_memory]
    assert any(m.startswith("# User Information") for m in memories)
    assert any(m.startswith("{") for m in memories)
    assert sum(1 for t in demo_set.threads if t.working_memory) >= 2


def test_every_run_status_is_there(demo_set):
    assert {run.status for run in demo_set.runs} == set(RUN_STATUSES)


def test_runs_use_every_step_graph_shape(demo_set):
    def kinds(graph):
        for entry in graph:
            yield entry["type"]
            step = entry.get("step") or {}
            if step.get("component") == "WORKFLOW":
                yield "nested-workflow"

    shapes = {kind for run in demo_set.runs for kind in kinds(run.snapshot["serializedStepGraph"])}
    assert shapes == {
        "step",
        "parallel",
        "conditional",
        "loop",
        "foreach",
        "sleep",
        "sleepUntil",
        "nested-workflow",
    }


def test_step_results_carry_the_fields_the_run_page_shows(demo_set):
    steps = [s for run in demo_set.runs for key, s in run.snapshot["context"].items() if key != "input"]
    assert all(isinstance(s["startedAt"], int) for s in steps)
    assert any("suspendPayload" in s for s in steps)
    assert any("resumePayload" in s for s in steps)
    assert any(isinstance(s.get("error"), dict) and "stack" in s["error"] for s in steps)
    assert any(isinstance(s.get("error"), str) for s in steps)


def test_scores_span_thirty_days_link_to_threads_and_mix_sources(demo_set):
    ages = [(DEMO_NOW - s.created_at).days for s in demo_set.scores]
    assert min(ages) == 0 and max(ages) >= 28
    thread_ids = {t.id for t in demo_set.threads}
    linked = [s.payload for s in demo_set.scores if "threadId" in s.payload]
    assert linked and all(p["threadId"] in thread_ids for p in linked)
    assert {s.payload["source"] for s in demo_set.scores} == {"LIVE", "TEST"}
    assert {s.payload["scorerId"] for s in demo_set.scores} == set(SCORERS)


def test_the_store_returns_the_scores_with_their_spread_dates(demo_store, demo_set):
    series = demo_store.scores.score_series("answer-relevancy-scorer")
    assert series.total == 120
    assert (series.points[-1].created_at - series.points[0].created_at).days >= 28


def test_the_same_seed_gives_the_same_data():
    first, second = dataset.build_small(3, DEMO_NOW), dataset.build_small(3, DEMO_NOW)
    assert [t.id for t in first.threads] == [t.id for t in second.threads]
    assert [m.content for m in first.messages] == [m.content for m in second.messages]
    assert [s.payload for s in first.scores] == [s.payload for s in second.scores]
    assert [t.id for t in dataset.build_small(4, DEMO_NOW).threads] != [t.id for t in first.threads]


def test_thread_times_survive_the_save_messages_bump(demo_store, demo_set):
    expected = max(demo_set.threads, key=lambda t: t.updated_at)
    assert demo_store.memory.thread_feed(limit=1).items[0].updated_at == expected.updated_at


@pytest.mark.django_db
def test_seed_demo_fills_an_empty_store_and_then_leaves_it_alone(empty_store):
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--seed", "5", stdout=out, stderr=io.StringIO())
    counts = empty_store.counts()
    assert (counts["threads"].value, counts["runs"].value, counts["scores"].value) == (30, 20, 360)
    assert "30 threads" in out.getvalue()

    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out, stderr=io.StringIO())
    assert "already holds data" in out.getvalue()
    assert empty_store.counts()["threads"].value == 30


@pytest.mark.django_db
def test_seed_demo_if_empty_leaves_a_store_with_only_workflow_runs_alone(empty_store):
    empty_store.workflows.persist_workflow_snapshot("nightly-sync", "run-1", {"status": "success"})
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out, stderr=io.StringIO())
    assert "already holds data" in out.getvalue()
    assert empty_store.counts()["threads"].value == 0


@pytest.mark.django_db
def test_make_runs_seeding_never_touches_a_store_that_is_not_the_local_demo_file(empty_store):
    # The test store lives in a temporary directory, like a user's own mastra.db would.
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--only-local-demo-store", stdout=out, stderr=io.StringIO())
    assert "your own data" in out.getvalue()
    assert empty_store.counts()["threads"].value == 0


def test_the_large_set_adds_up():
    counts = dataset._large_counts(random.Random(0))
    assert len(counts) == dataset.LARGE_THREADS
    assert sum(counts) == dataset.LARGE_MESSAGES
    assert counts[0] == dataset.LARGE_LONGEST_THREAD


@pytest.mark.convex
@pytest.mark.slow
@pytest.mark.parametrize("backend_fixture", ["convex_backend", "convex_handler_only_backend"])
def test_the_small_set_writes_to_convex_with_its_times_intact(request, backend_fixture):
    from storeclient.convex import ConvexStore

    backend = request.getfixturevalue(backend_fixture)
    with ConvexStore(backend.url, backend.admin_key) as store:
        data = dataset.write_small(store, seed=2, now=DEMO_NOW)
        counts = store.counts()
        assert (counts["threads"].value, counts["messages"].value, counts["scores"].value) == (
            30,
            len(data.messages),
            360,
        )
        newest = max(data.threads, key=lambda t: t.updated_at)
        assert store.memory.thread_feed(limit=1).items[0].updated_at == newest.updated_at
        oldest_score = min(s.created_at for s in data.scores)
        assert store.scores.score_series("toxicity-scorer").points[0].created_at >= oldest_score


def test_the_large_set_uses_ascending_uuid7_ids_so_inserts_append():
    ids = Ids(random.Random(0), ordered=True)
    made = [ids.uuid() for _ in range(1000)]
    assert made == sorted(made)
    assert len(set(made)) == 1000
    assert {uuid.UUID(value).version for value in made} == {7}


def test_compliance_scores_say_what_their_runs_did(demo_set):
    runs = {run.run_id: run for run in demo_set.runs}
    scores = [s.payload for s in demo_set.scores if s.payload["scorerId"] == "refund-policy-compliance"]
    assert scores
    for score in scores:
        run = runs[score["runId"]]
        context = run.snapshot["context"]
        # Only a refund that was issued is judged, with that run's order, amount and refund.
        assert run.status == "success" and "issue-refund" in context
        assert score["input"]["orderId"] == context["input"]["orderId"]
        assert score["input"]["amount"] == context["input"]["amount"]
        assert score["output"]["refundId"] == context["issue-refund"]["output"]["refundId"]
        approved = context.get("manager-approval", {}).get("output", {}).get("approved", False)
        assert score["score"] == (1.0 if approved or context["input"]["amount"] <= 50 else 0.0)


def test_a_refund_under_the_auto_approve_limit_asks_no_manager(demo_set):
    for run in demo_set.runs:
        context = run.snapshot["context"]
        if run.workflow_name == "refund-approval" and "manager-approval" in context:
            ask = context["manager-approval"].get("suspendPayload") or {}
            assert context["input"]["amount"] > 50, ask
