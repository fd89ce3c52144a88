"""Run actions in real Chromium against a real Mastra server (tests/node/mastra_server.mjs) whose
mastra.db is the dashboard's store: resume a suspended run and watch it complete, cancel a running
run, run a finished one again. Each leaves its entry, pending before the send and completed after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from dashboard.audit.models import Action, AuditEvent, Outcome
from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.support.mastra_server import MastraTestServer, mastra_test_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mastra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MastraTestServer]:
    with mastra_test_server(tmp_path_factory.mktemp("mastra-browser") / "mastra.db") as server:
        yield server


@pytest.fixture
def served(mastra: MastraTestServer, settings) -> Iterator[SQLiteStore]:
    settings.MASTRA_SERVER_URL = mastra.url
    settings.MASTRA_SERVER_TOKEN = mastra.token
    settings.WORKFLOWS_POLL_MS = 400
    with SQLiteStore(mastra.db_path) as store, use_store(store):
        yield store


def watch_problems(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error('CSP: ' + e.violatedDirective));"
    )
    return problems


def overflowing(page: Page, width: int = 390) -> list[str]:
    """Elements of the page's own content (``main``) reaching past ``width`` px. (The site header's
    navigation is the shell's, not this page's.)"""
    return page.evaluate(
        f"[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > {width} + 1)"
        ".map(e => e.tagName + '.' + e.className)"
    )


def test_an_editor_resumes_a_suspended_run_and_watches_it_complete(signed_in, live_server, mastra, served):
    run_id = mastra.start_run("approve-refund", {"orderId": "ord-77", "amount": 120})
    mastra.wait_for_status("approve-refund", run_id, "suspended")
    page = signed_in("editor")
    problems = watch_problems(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/workflows/approve-refund/{run_id}/")
    expect(page.locator("#run-live")).to_have_attribute("data-run-status", "suspended")
    assert overflowing(page) == []  # the actions panel fits a phone too

    page.click("[data-resume-step=approve]")
    expect(page.locator("[data-suspend-payload]")).to_contain_text("refund over $50")
    assert overflowing(page) == []
    page.select_option("select[name='field.approved']", "true")
    page.fill("input[name='field.note']", "approved by Ann")
    page.click("[data-resume-review]")

    planned = page.locator("[data-planned-request]")
    expect(planned).to_contain_text(f"POST /workflows/approve-refund/resume-no-wait?runId={run_id}")
    expect(planned).to_contain_text('"note": "approved by Ann"')
    assert overflowing(page) == []
    # (Signing in is audited too: count only the run actions.)
    pending_before = AuditEvent.objects.filter(action__startswith="workflow_run.").count()
    page.click("[data-send]")

    # Back on the run page, which follows the run until the store says it succeeded.
    expect(page.locator(".flash")).to_contain_text("resumed the run")
    expect(page.locator("#run-live")).to_have_attribute("data-run-status", "success", timeout=20_000)
    expect(page.locator("[data-result]")).to_contain_text("approved by Ann")
    expect(page.locator("[data-resume-step]")).to_have_count(0)

    event = AuditEvent.objects.get(action=Action.WORKFLOW_RUN_RESUME, target_id=f"approve-refund/{run_id}")
    assert pending_before == 0 and event.outcome == Outcome.APPLIED
    assert event.completed_at is not None and event.created_at <= event.completed_at
    assert problems == []


def test_an_editor_cancels_a_running_run(signed_in, live_server, mastra, served):
    run_id = mastra.start_run("slow-report", {"month": "2026-12"})
    mastra.wait_for_status("slow-report", run_id, "running")
    page = signed_in("editor")
    problems = watch_problems(page)
    page.goto(f"{live_server.url}/workflows/slow-report/{run_id}/")
    page.click("[data-run-action=cancel] button")
    expect(page.locator("[data-planned-request]")).to_contain_text(
        f"/workflows/slow-report/runs/{run_id}/cancel"
    )
    page.click("[data-send]")
    expect(page.locator(".flash")).to_contain_text("cancelled the run")
    expect(page.locator("#run-live")).to_have_attribute("data-run-status", "canceled", timeout=20_000)
    event = AuditEvent.objects.get(action=Action.WORKFLOW_RUN_CANCEL)
    assert event.outcome == Outcome.APPLIED and event.before == "running"
    assert problems == []


def test_an_editor_runs_a_finished_run_again_and_the_runs_link_to_each_other(
    signed_in, live_server, mastra, served
):
    run_id = mastra.start_run("approve-refund", {"orderId": "ord-78", "amount": 60})
    mastra.wait_for_status("approve-refund", run_id, "suspended")
    with mastra._client() as client:
        client.post(f"/workflows/approve-refund/runs/{run_id}/cancel").raise_for_status()
    mastra.wait_for_status("approve-refund", run_id, "canceled")
    page = signed_in("editor")
    problems = watch_problems(page)
    page.goto(f"{live_server.url}/workflows/approve-refund/{run_id}/")
    page.click("[data-run-action=rerun] button")
    expect(page.locator("[data-planned-request]")).to_contain_text('"orderId": "ord-78"')
    # A double click sends one request: the page disables the button, the token is one-use anyway.
    page.dblclick("[data-send]")
    expect(page.locator(".flash")).to_contain_text("started a new run")
    event = AuditEvent.objects.get(action=Action.WORKFLOW_RUN_RERUN)
    assert event.outcome == Outcome.APPLIED
    assert AuditEvent.objects.filter(action__startswith="workflow_run.").count() == 1
    new_id = event.result_version
    mastra.wait_for_status("approve-refund", new_id, "suspended")

    # The dashboard went on to the new run's page; it names the run it repeats, and back.
    assert page.url.endswith(f"/workflows/approve-refund/{new_id}/")
    page.reload()
    expect(page.locator("#run-live")).to_have_attribute("data-run-status", "suspended")
    page.click(f"[data-rerun-of] a[href$='/{run_id}/']")
    expect(page.locator(f"[data-reruns] a[href$='/{new_id}/']")).to_be_visible()
    assert problems == []
