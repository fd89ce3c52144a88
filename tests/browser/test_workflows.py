"""The workflow pages in a real browser: the graph draws, a step opens without a reload, a live run
refreshes itself and stops once it has finished, and filters swap the list in place."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import Page, Request, expect

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.dashboard import workflow_snapshots as ws

POLL_MS = 400


@pytest.fixture
def store(tmp_path, settings) -> Iterator[SQLiteStore]:
    settings.WORKFLOWS_POLL_MS = POLL_MS
    settings.WORKFLOWS_POLL_HIDDEN_MS = 60_000
    # The fixtures' runs saved their snapshots at T0: seconds later a live run is fresh and polls
    # (hours later it would be "no update for … — may be stuck" and stop).
    with (
        time_machine.travel(ws.T0 + timedelta(seconds=10), tick=True),
        SQLiteStore(tmp_path / "mastra.db") as sqlite_store,
        use_store(sqlite_store),
    ):
        yield sqlite_store


def watch_problems(page: Page) -> list[str]:
    """Console errors and CSP violations seen by the page."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error('CSP: ' + e.violatedDirective));"
    )
    return problems


def run_requests(page: Page, fixture: ws.RunFixture) -> list[Request]:
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r) if fixture.url in r.url else None)
    return seen


def test_the_graph_draws_every_construct_in_its_status(signed_in, live_server, store):
    fixture = ws.catalog_failed_foreach().persist(store)
    page = signed_in("viewer")
    problems = watch_problems(page)
    page.goto(live_server.url + fixture.url)
    expect(page.locator('.wf-node[data-step-key="upsert-sku"]')).to_have_attribute("data-status", "failed")
    expect(page.locator('.wf-node[data-step-key="fetch-changed-skus"]')).to_have_attribute(
        "data-status", "success"
    )
    expect(page.locator(".wf-conditional")).to_be_visible()
    expect(page.locator('.wf-item[data-item-index="2"]')).to_have_attribute("data-status", "failed")
    expect(page.locator(".wf-tl-bar")).to_have_count(2)
    # The bars are sized by SVG attributes: the failed foreach's bar has a real width on screen.
    width = page.locator('.wf-tl-row[data-step-key="upsert-sku"] .wf-tl-bar').bounding_box()["width"]
    assert width > 20
    assert problems == []


def test_selecting_a_step_shows_its_panel_without_a_reload(signed_in, live_server, store):
    fixture = ws.refund_success().persist(store)
    page = signed_in("viewer")
    problems = watch_problems(page)
    page.goto(live_server.url + fixture.url)
    page.evaluate("window.__stillHere = 'marker'")

    page.click('.wf-node[data-step-key="check-fraud"] a.wf-node-id')
    panel = page.locator("#step-panel")
    expect(panel).to_have_attribute("data-selected-step", "check-fraud")
    expect(panel.locator("h2")).to_have_text("check-fraud")
    expect(panel.locator('details[data-field="output"]')).to_contain_text("riskScore")
    expect(page).to_have_url(f"{live_server.url}{fixture.url}?step=check-fraud")
    expect(page.locator('.wf-node[data-step-key="check-fraud"]')).to_have_class(
        "wf-node wf-status-success is-selected"
    )
    expect(page.locator('.wf-node[data-step-key="issue-refund"]')).not_to_have_class("is-selected")

    # The timeline selects too.
    page.click('.wf-tl-row[data-step-key="issue-refund"] a')
    expect(panel).to_have_attribute("data-selected-step", "issue-refund")
    expect(panel).to_contain_text("re_3f9a1c7d2b8e")
    assert page.evaluate("window.__stillHere") == "marker"
    assert problems == []


def test_a_running_run_refreshes_until_it_finishes_and_then_stops_polling(signed_in, live_server, store):
    running = ws.refund_running().persist(store)
    page = signed_in("viewer")
    problems = watch_problems(page)
    polls = run_requests(page, running)
    page.goto(live_server.url + running.url + "?step=manager-approval")
    page.evaluate("window.__stillHere = 'marker'")
    live = page.locator("#run-live")
    expect(live).to_have_attribute("data-run-status", "running")
    expect(page.locator('.wf-node[data-step-key="manager-approval"]')).to_have_attribute(
        "data-status", "running"
    )

    # A few polls while it runs, then the workflow finishes and persists its final snapshot.
    page.wait_for_timeout(POLL_MS * 3)
    assert len(polls) >= 3  # the page itself and at least two polls
    assert all(r.headers.get("hx-target") == "run-live" for r in polls[1:])
    ws.refund_success(running.run_id).persist(store)

    expect(live).to_have_attribute("data-run-status", "success", timeout=5_000)
    expect(page.locator("[data-summary-status] .badge")).to_have_text("success")
    expect(page.locator('.wf-node[data-step-key="issue-refund"]')).to_have_attribute("data-status", "success")
    # The selected step's panel was refreshed too (out of band), and the selection kept.
    expect(page.locator("[data-step-status]")).to_have_text("success")
    expect(page.locator("#step-panel")).to_have_attribute("data-selected-step", "manager-approval")
    expect(live).not_to_have_attribute("data-poll", str(POLL_MS))

    settled = len(polls)
    page.wait_for_timeout(POLL_MS * 5)
    assert len(polls) == settled, "the page kept polling after the run finished"
    assert page.evaluate("window.__stillHere") == "marker"
    assert problems == []


def test_a_hidden_tab_polls_rarely_and_refreshes_when_shown_again(signed_in, live_server, store):
    running = ws.refund_running().persist(store)
    page = signed_in("viewer")
    polls = run_requests(page, running)
    page.goto(live_server.url + running.url)
    expect(page.locator("#run-live")).to_have_attribute("data-poll", str(POLL_MS))

    def set_hidden(hidden: bool) -> None:
        page.evaluate(
            """hidden => {
                Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
                document.dispatchEvent(new Event("visibilitychange"));
            }""",
            hidden,
        )

    set_hidden(True)
    page.wait_for_timeout(POLL_MS)  # a poll already on its way may land
    before = len(polls)
    page.wait_for_timeout(POLL_MS * 5)
    assert len(polls) == before, "a hidden tab kept polling at the visible rate"

    set_hidden(False)
    deadline = time.monotonic() + 3
    while len(polls) == before and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert len(polls) > before, "showing the tab again did not refresh the run"


def test_a_status_chip_filters_the_list_in_place(signed_in, live_server, store):
    for builder in (ws.refund_success, ws.refund_failed, ws.catalog_failed_foreach, ws.refund_running):
        builder().persist(store)
    page = signed_in("viewer")
    problems = watch_problems(page)
    page.goto(live_server.url + "/workflows/")
    page.evaluate("window.__stillHere = 'marker'")
    expect(page.locator("tr[data-run-id]")).to_have_count(4)

    page.click('a.status-chip[data-status="failed"]')
    expect(page.locator("tr[data-run-id]")).to_have_count(2)
    expect(page).to_have_url(f"{live_server.url}/workflows/?status=failed")
    expect(page.locator('select[name="status"]')).to_have_value("failed")

    page.select_option('select[name="workflow"]', "catalog-sync")
    expect(page.locator("tr[data-run-id]")).to_have_count(1)
    assert "workflow=catalog-sync" in page.url and "status=failed" in page.url
    assert page.evaluate("window.__stillHere") == "marker"
    assert problems == []
