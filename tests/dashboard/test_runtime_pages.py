"""The pages for what the agent runtime stores beyond conversations, over data Mastra's own
TypeScript code wrote (tests/node/mastra_newer_data.mjs) into a mastra.db and into the Convex dev
server: observational memory on the resource and thread pages, schedules and their fires under
Workflows, background tasks, and vector indexes with nearest stored neighbours."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from dashboard.core.store import use_store
from storeclient import ConvexStore
from storeclient.interface import Store
from storeclient.sqlite import SQLiteStore
from tests.storeclient.sqlite.nodetools import needs_node, run_node

from .html_query import find_all, find_one

pytestmark = needs_node

RESOURCE = "user-om"
THREAD = "thread-om-1"
RUN_ID = "sched_wf_nightly-report_1748941200000"
INDEX = "mastra_memory_text_embedding_3_small"


@pytest.fixture(scope="module", params=["sqlite", "convex"])
def written(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store holding what Mastra wrote; written once per store kind (these tests only read)."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("runtime-pages") / "mastra.db"
        run_node("mastra_newer_data.mjs", "libsql", str(path))
        store: Store = SQLiteStore(path, create=False)
    else:
        server = request.getfixturevalue("convex_server")
        server.reset()
        run_node("mastra_newer_data.mjs", "convex", "--url", server.url, "--admin-key", server.admin_key)
        store = ConvexStore(server.url, server.admin_key)
    yield store
    store.close()


@pytest.fixture
def served(written: Store) -> Iterator[Store]:
    with use_store(written) as store:
        yield store


def block(html: str, tag: str, marker: str) -> str:
    """The HTML of the (non-nested) ``tag`` element whose opening tag holds ``marker``."""
    at = html.index(marker)
    start = html.rindex(f"<{tag}", 0, at)
    return html[start : html.index(f"</{tag}>", at) + len(tag) + 3]


def page(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return str(response.content.decode())


# --- observational memory ------------------------------------------------------------------------


def test_the_resource_page_shows_the_current_generation_of_observational_memory(vera_client, served):
    html = page(vera_client, reverse("resources:detail", args=[RESOURCE]))
    section = find_one(html, "section", id="observational-memory")
    assert "resource-scoped · generation 1" in section.text
    active = find_one(html, "div", cls="om-observations")
    assert "user: EU residency, agency of 40, pricing-sensitive" in active.text
    # The activated buffer after its boundary line is part of the active text, as Mastra stores it.
    assert "asked about pricing" in active.text
    assert "Europe/Berlin" in section.text


def test_the_resource_page_keeps_earlier_generations_and_the_configuration(vera_client, served):
    html = page(vera_client, reverse("resources:detail", args=[RESOURCE]))
    generations = find_all(html, "article", cls="om-generation")
    assert len(generations) == 1
    assert "Generation 0 · initial" in generations[0].text
    assert "User prefers EU data residency" in generations[0].text
    assert '<span class="json-key">messageTokens</span> <span class="json-number">30000</span>' in html


def test_the_thread_page_shows_its_own_memory_with_the_buffered_chunk(vera_client, served):
    html = page(vera_client, reverse("threads:detail", args=[THREAD]))
    section = find_one(html, "section", id="observational-memory")
    assert "thread-scoped · generation 0" in section.text
    assert '<span class="badge badge-running">observing</span>' in block(
        html, "section", 'id="observational-memory"'
    )
    chunk = find_one(html, "li", cls="om-chunk")
    assert "asked for a replacement instead" in chunk.text
    assert "Current task: Offer a replacement blender" in " ".join(chunk.text.split())
    assert "Order A-10492 arrived cracked" in find_one(html, "div", cls="om-observations").text


def test_a_thread_without_its_own_memory_points_to_the_resources(vera_client, served):
    html = page(vera_client, reverse("threads:detail", args=["thread-om-2"]))
    assert 'id="observational-memory"' not in html
    note = block(html, "p", 'class="small muted om-elsewhere"')
    assert "generation 1" in note
    assert f'href="{reverse("resources:detail", args=[RESOURCE])}#observational-memory"' in note


# --- schedules ---------------------------------------------------------------------------------------


def test_the_schedule_list_shows_each_schedule_with_cron_status_and_target(vera_client, served):
    html = page(vera_client, reverse("workflows:schedules"))
    rows = {r.get("data-schedule-id"): " ".join(r.text.split()) for r in find_all(html, "tr")[1:]}
    assert set(rows) == {"wf_nightly-report", "agent_support__morning", "wf_weekly-digest"}
    # Registered by Mastra's own scheduler from the workflow's `schedule` when its workers started.
    assert "workflow weekly-digest" in rows["wf_weekly-digest"] and "0 9 * * 1" in rows["wf_weekly-digest"]
    assert "workflow nightly-report" in rows["wf_nightly-report"]
    assert "0 2 * * * Europe/Berlin" in rows["wf_nightly-report"] and "active" in rows["wf_nightly-report"]
    assert "agent support" in rows["agent_support__morning"] and "paused" in rows["agent_support__morning"]
    assert "never" in rows["agent_support__morning"]


def test_the_schedule_list_filters_by_status(vera_client, served):
    html = page(vera_client, reverse("workflows:schedules") + "?status=paused")
    assert [r.get("data-schedule-id") for r in find_all(html, "tr")[1:]] == ["agent_support__morning"]


def test_a_schedule_page_lists_its_fires_with_outcome_error_and_the_run_they_started(vera_client, served):
    html = page(vera_client, reverse("workflows:schedule", args=["wf_nightly-report"]))
    assert [r.get("data-trigger-id") for r in find_all(html, "tr") if r.get("data-trigger-id")] == [
        "trig_ok",
        "trig_fail",
    ]  # newest first
    ok, fail = (
        block(html, "tr", 'data-trigger-id="trig_ok"'),
        block(html, "tr", 'data-trigger-id="trig_fail"'),
    )
    run_url = reverse("workflows:run", args=["nightly-report", RUN_ID])
    assert f'href="{run_url}"' in ok
    assert '<span class="badge badge-success">published</span>' in ok
    assert '<span class="badge badge-failed">failed</span>' in fail
    assert "Workflow nightly-report is not registered" in fail
    # ... and the run it links to opens.
    assert "build-report" in page(vera_client, run_url)


def test_an_unknown_schedule_is_a_404_that_leads_back_to_the_list(vera_client, served):
    html = page(vera_client, reverse("workflows:schedule", args=["wf_gone"]), status=404)
    assert "Schedule not found" in html and f'href="{reverse("workflows:schedules")}"' in html


# --- background tasks -------------------------------------------------------------------------------


def test_background_tasks_are_listed_newest_first_with_status_timing_and_their_thread(vera_client, served):
    html = page(vera_client, reverse("workflows:tasks"))
    rows = [r for r in find_all(html, "tr") if r.get("data-task-id")]
    assert [r.get("data-task-id") for r in rows] == ["bt_failed", "bt_done", "bt_suspended"]
    failed = block(html, "tr", 'data-task-id="bt_failed"')
    assert '<span class="badge badge-failed">failed</span>' in failed
    assert "SEC API returned 429" in failed and "retried 2/2" in failed
    assert f'href="{reverse("threads:detail", args=[THREAD])}"' in failed
    assert "8.0 s" in rows[0].text  # started 09:02:01, completed 09:02:09
    assert "Which years?" in rows[2].text  # the suspend payload


def test_background_tasks_filter_by_status(vera_client, served):
    html = page(vera_client, reverse("workflows:tasks") + "?status=completed")
    rows = [r for r in find_all(html, "tr") if r.get("data-task-id")]
    assert [r.get("data-task-id") for r in rows] == ["bt_done"]
    assert "Revenue up 12%" in rows[0].text


def test_a_bad_task_page_number_is_a_clear_400(vera_client, served):
    response = vera_client.get(reverse("workflows:tasks") + "?page=-3")
    assert response.status_code == 400
    assert b"not valid" in response.content


# --- vector indexes --------------------------------------------------------------------------------


def test_the_vector_index_list_shows_dimension_metric_and_count(vera_client, served):
    html = page(vera_client, reverse("vectors:indexes"))
    cells = [" ".join(c.text.split()) for c in find_all(block(html, "tr", f'data-index="{INDEX}"'), "td")]
    assert cells == [INDEX, "4", "cosine", "4"]


def test_an_index_page_shows_a_sample_of_stored_metadata(vera_client, served):
    html = page(vera_client, reverse("vectors:index", args=[INDEX]))
    sample = [r for r in find_all(html, "tr") if r.get("data-vector-id")]
    assert [r.get("data-vector-id") for r in sample] == ["m1", "m2", "m3", "m4"]
    assert "Do you store data in the EU?" in sample[0].text
    assert f'href="{reverse("threads:detail", args=[THREAD])}#msg-m1"' in block(
        html, "tr", 'data-vector-id="m1"'
    )


def test_nearest_neighbours_of_a_message_come_from_the_stored_embeddings(vera_client, served):
    html = page(vera_client, reverse("vectors:index", args=[INDEX]) + "?of=m1")
    section = block(html, "section", 'id="neighbours"')
    ranked = [r for r in find_all(section, "tr") if r.get("data-vector-id")]
    assert [r.get("data-vector-id") for r in ranked] == ["m2", "m4", "m3"]
    assert ranked[0].text.strip().startswith("0.9997")
    assert "Yes, all data stays in Frankfurt." in ranked[0].text


def test_neighbours_of_an_unknown_vector_say_so(vera_client, served):
    html = page(vera_client, reverse("vectors:index", args=[INDEX]) + "?of=m404")
    assert "No vector with the id" in html and "m404" in html


def test_an_unknown_index_is_a_404(vera_client, served):
    html = page(vera_client, reverse("vectors:index", args=["nope"]), status=404)
    assert "Vector index not found" in html


def test_the_new_pages_are_linked_from_the_navigation(vera_client, served):
    html = page(vera_client, reverse("workflows:runs"))
    assert f'href="{reverse("vectors:indexes")}"' in html
    subnav = block(html, "nav", 'class="subnav"')
    assert f'href="{reverse("workflows:schedules")}"' in subnav
    assert f'href="{reverse("workflows:tasks")}"' in subnav
