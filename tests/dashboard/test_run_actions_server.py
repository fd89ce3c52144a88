"""Run actions against a real Mastra server (tests/node/mastra_server.mjs) whose storage, a mastra.db,
is the dashboard's store: resume a suspended run, cancel a running one, run one again; and a resume
with the server's storage on the Convex dev server (Mastra's own ConvexStore)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from django.test import Client

from dashboard.audit.models import Action, AuditEvent, Outcome
from dashboard.core.store import use_store
from storeclient.convex import ConvexStore
from storeclient.sqlite import SQLiteStore
from tests.support.mastra_server import MastraTestServer, mastra_test_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mastra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MastraTestServer]:
    with mastra_test_server(tmp_path_factory.mktemp("mastra-server") / "mastra.db") as server:
        yield server


@pytest.fixture
def served(mastra: MastraTestServer, settings) -> Iterator[SQLiteStore]:
    """The dashboard reading the server's own mastra.db, and sending its actions to the server."""
    settings.MASTRA_SERVER_URL = mastra.url
    settings.MASTRA_SERVER_TOKEN = mastra.token
    with SQLiteStore(mastra.db_path) as store, use_store(store):
        yield store


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "the confirmation page carries no token"
    return found.group(1)


def test_an_editor_resumes_a_suspended_run_and_it_completes(eddie_client: Client, mastra, served):
    run_id = mastra.start_run("approve-refund", {"orderId": "ord-51", "amount": 80})
    mastra.wait_for_status("approve-refund", run_id, "suspended")
    run_url = f"/workflows/approve-refund/{run_id}/"

    page = eddie_client.get(run_url).content.decode()
    assert "Resume approve…" in page

    form = eddie_client.get(run_url + "resume/?step=approve").content.decode()
    assert 'name="field.approved"' in form and 'name="field.note"' in form
    assert "refund over $50" in form  # what the step asked for

    confirm = eddie_client.post(
        run_url + "resume/",
        {"step": "approve", "editor": "fields", "field.approved": "true", "field.note": "ok by Ann"},
    )
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert f"POST /workflows/approve-refund/resume-no-wait?runId={run_id}" in text
    assert "&quot;approved&quot;: true" in text and "ok by Ann" in text

    sent = eddie_client.post(run_url + "send/", {"token": _token(text)})
    assert sent.status_code == 303 and sent["Location"] == run_url
    result = mastra.wait_for_status("approve-refund", run_id, "success")
    assert result["result"] == {"orderId": "ord-51", "approved": True, "note": "ok by Ann"}

    shown = eddie_client.get(run_url).content.decode()
    assert 'data-run-status="success"' in shown
    assert "ok by Ann" in shown

    event = AuditEvent.objects.get(action=Action.WORKFLOW_RUN_RESUME)
    assert event.outcome == Outcome.APPLIED and event.username == "eddie"
    assert event.before == "suspended" and '"note": "ok by Ann"' in event.after
    assert event.created_at <= event.completed_at


def test_a_refused_action_shows_the_servers_reason_and_changes_nothing(
    eddie_client: Client, mastra, served, settings
):
    run_id = mastra.start_run("slow-report", {"month": "2026-10"})
    mastra.wait_for_status("slow-report", run_id, "running")
    run_url = f"/workflows/slow-report/{run_id}/"
    token = _token(eddie_client.post(run_url + "cancel/").content.decode())
    settings.MASTRA_SERVER_TOKEN = "a-stale-token"  # rotated on the server since the deploy

    answer = eddie_client.post(run_url + "send/", {"token": token})
    assert answer.status_code == 502
    text = answer.content.decode()
    assert "Cancel refused" in text and "HTTP 401" in text and "Unauthorized" in text
    assert "a-stale-token" not in text and mastra.token not in text
    assert mastra.run_status("slow-report", run_id)["status"] == "running"
    event = AuditEvent.objects.get(action=Action.WORKFLOW_RUN_CANCEL)
    assert event.outcome == Outcome.REFUSED and "HTTP 401" in event.error
    with mastra._client() as client:  # leave no 60 s step running behind
        client.post(f"/workflows/slow-report/runs/{run_id}/cancel")


def test_an_editor_cancels_a_running_run(eddie_client: Client, mastra, served):
    run_id = mastra.start_run("slow-report", {"month": "2026-11"})
    mastra.wait_for_status("slow-report", run_id, "running")
    run_url = f"/workflows/slow-report/{run_id}/"
    assert "Cancel run…" in eddie_client.get(run_url).content.decode()

    confirm = eddie_client.post(run_url + "cancel/")
    text = confirm.content.decode()
    assert f"POST /workflows/slow-report/runs/{run_id}/cancel" in text
    sent = eddie_client.post(run_url + "send/", {"token": _token(text)})
    assert sent.status_code == 303
    mastra.wait_for_status("slow-report", run_id, "canceled")
    event = AuditEvent.objects.get(action=Action.WORKFLOW_RUN_CANCEL)
    assert event.outcome == Outcome.APPLIED and event.before == "running"


def test_run_again_starts_a_new_run_with_the_same_input_linked_to_the_original(
    eddie_client: Client, mastra, served
):
    run_id = mastra.start_run("approve-refund", {"orderId": "ord-53", "amount": 70})
    mastra.wait_for_status("approve-refund", run_id, "suspended")
    with mastra._client() as client:
        client.post(f"/workflows/approve-refund/runs/{run_id}/cancel").raise_for_status()
    mastra.wait_for_status("approve-refund", run_id, "canceled")
    run_url = f"/workflows/approve-refund/{run_id}/"
    assert "Run again with the same input…" in eddie_client.get(run_url).content.decode()

    text = eddie_client.post(run_url + "rerun/").content.decode()
    assert "POST /workflows/approve-refund/create-run" in text and "ord-53" in text
    sent = eddie_client.post(run_url + "send/", {"token": _token(text)})
    assert sent.status_code == 303
    event = AuditEvent.objects.get(action=Action.WORKFLOW_RUN_RERUN)
    assert event.outcome == Outcome.APPLIED and event.result_version
    new_id = event.result_version
    new_run = mastra.wait_for_status("approve-refund", new_id, "suspended")
    assert new_run["resourceId"] == "customer-7"

    original = eddie_client.get(run_url).content.decode()
    assert f"/workflows/approve-refund/{new_id}/" in original  # "run again as"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        new_page = eddie_client.get(f"/workflows/approve-refund/{new_id}/").content.decode()
        if "data-rerun-of" in new_page:
            break
        time.sleep(0.2)
    assert f'href="/workflows/approve-refund/{run_id}/"' in new_page  # "started from the input of"


# --- the same, with the server's storage on Convex (the local dev server) ---------------------------------


@pytest.fixture
def served_on_convex(convex_backend, settings) -> Iterator[MastraTestServer]:
    """A Mastra server whose storage is Mastra's ConvexStore on the Convex dev server, and the
    dashboard reading that deployment with its own ConvexStore."""
    with mastra_test_server(
        None, convex_url=convex_backend.url, convex_admin_key=convex_backend.admin_key
    ) as server:
        settings.MASTRA_SERVER_URL = server.url
        settings.MASTRA_SERVER_TOKEN = server.token
        with ConvexStore(convex_backend.url, convex_backend.admin_key) as store, use_store(store):
            yield server


@pytest.mark.convex
def test_an_editor_resumes_a_run_stored_on_convex(eddie_client: Client, served_on_convex: MastraTestServer):
    mastra = served_on_convex
    run_id = mastra.start_run("approve-refund", {"orderId": "ord-61", "amount": 75})
    mastra.wait_for_status("approve-refund", run_id, "suspended")
    run_url = f"/workflows/approve-refund/{run_id}/"
    assert "Resume approve…" in eddie_client.get(run_url).content.decode()

    confirm = eddie_client.post(
        run_url + "resume/", {"step": "approve", "editor": "fields", "field.approved": "true"}
    )
    sent = eddie_client.post(run_url + "send/", {"token": _token(confirm.content.decode())})
    assert sent.status_code == 303
    mastra.wait_for_status("approve-refund", run_id, "success")
    assert 'data-run-status="success"' in eddie_client.get(run_url).content.decode()
    assert AuditEvent.objects.get(action=Action.WORKFLOW_RUN_RESUME).outcome == Outcome.APPLIED
