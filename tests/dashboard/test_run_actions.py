"""Run actions without a real server: who may act, what is checked before sending, what each server
fault looks like (through ``httpx.MockTransport``), and that nothing is ever sent twice.

The run is ``refund_suspended`` from workflow_snapshots (step ``manager-approval`` suspended, labels
``approve``/``reject``); the fake server describes that step's resume schema the way Mastra's
``GET /workflows/:id`` does (a SuperJSON string holding the JSON Schema).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from django.test import Client

from dashboard.audit.models import Action, AuditEvent, Outcome
from dashboard.core.store import use_store
from dashboard.workflows import mastra_server
from storeclient.sqlite import SQLiteStore

from . import workflow_snapshots as ws

TOKEN = "mastra-SENTINEL-token-5b1e"
RESUME_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "approved": {"type": "boolean"},
        "note": {"type": "string", "maxLength": 20},
        "refundCents": {"type": "integer", "minimum": 0},
    },
    "required": ["approved"],
    "additionalProperties": False,
}
DESCRIBE = {
    "name": "refund-approval",
    "steps": {
        "manager-approval": {
            "id": "manager-approval",
            "description": "A manager approves refunds over $50",
            "resumeSchema": json.dumps({"json": RESUME_SCHEMA}),
        }
    },
    "allSteps": {},
    "stepGraph": [],
}


class FakeServer:
    """Answers the describe route, and ``action`` for everything else; records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.action: Callable[[httpx.Request], httpx.Response] = lambda r: httpx.Response(
            200, json={"runId": "new-run-1", "message": "ok"}
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET":
            return httpx.Response(200, json=DESCRIBE)
        return self.action(request)

    @property
    def posts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST"]


@pytest.fixture
def server(settings, monkeypatch) -> FakeServer:
    settings.MASTRA_SERVER_URL = "http://mastra.internal:4111"
    settings.MASTRA_SERVER_TOKEN = TOKEN
    fake = FakeServer()
    monkeypatch.setattr(mastra_server, "transport_override", httpx.MockTransport(fake))
    return fake


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "mastra.db") as store, use_store(store):
        yield store


@pytest.fixture
def suspended(runs: SQLiteStore) -> ws.RunFixture:
    return ws.refund_suspended().persist(runs)


def _token(response) -> str:
    found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert found, "no confirmation token on the page"
    return found.group(1)


def _confirm_resume(client: Client, run: ws.RunFixture, **fields: str) -> str:
    data = {"step": "manager-approval", "editor": "fields", **{f"field.{k}": v for k, v in fields.items()}}
    answer = client.post(run.url + "resume/", data)
    assert answer.status_code == 200, answer.content.decode()
    return _token(answer)


# --- permissions -------------------------------------------------------------------------------------


def test_a_viewer_sees_no_actions_and_is_told_why(vera_client: Client, server, suspended):
    page = vera_client.get(suspended.url).content.decode()
    assert "needs the editor or admin role" in page
    assert "resume/" not in page and "cancel/" not in page


def test_a_viewer_is_refused_even_with_a_valid_csrf_token(vera, server, suspended):
    client = Client(enforce_csrf_checks=True)
    client.force_login(vera)
    client.get(suspended.url)  # sets the CSRF cookie, as a browser would have it
    csrf = client.cookies["csrftoken"].value
    for path, data in (
        ("resume/", {"step": "manager-approval", "editor": "fields", "field.approved": "true"}),
        ("cancel/", {}),
        ("rerun/", {}),
        ("send/", {"token": "anything"}),
    ):
        answer = client.post(suspended.url + path, data, HTTP_X_CSRFTOKEN=csrf)
        assert answer.status_code == 403, path
    assert client.get(suspended.url + "resume/").status_code == 403
    assert server.requests == [] and not AuditEvent.objects.exists()


def test_a_token_issued_to_one_editor_does_not_work_for_another(eddie_client, ada, server, suspended):
    token = _confirm_resume(eddie_client, suspended, approved="true")
    other = Client()
    other.force_login(ada)
    answer = other.post(suspended.url + "send/", {"token": token})
    assert answer.status_code == 303 and server.posts == []


# --- without settings ----------------------------------------------------------------------------------


def test_without_a_server_the_run_page_says_what_to_configure(eddie_client: Client, settings, suspended):
    settings.MASTRA_SERVER_URL = ""
    page = eddie_client.get(suspended.url).content.decode()
    assert "MASTRA_SERVER_URL" in page and "read-only" in page
    assert "data-resume-step" not in page
    answer = eddie_client.get(suspended.url + "resume/")
    assert answer.status_code == 404 and "MASTRA_SERVER_URL" in answer.content.decode()


# --- the resume form --------------------------------------------------------------------------------------


def test_the_resume_form_follows_the_schema_and_offers_the_runs_labels(
    eddie_client: Client, server, suspended
):
    page = eddie_client.get(suspended.url + "resume/?step=manager-approval").content.decode()
    for name in ("approved", "note", "refundCents"):
        assert f'name="field.{name}"' in page
    assert "exceeds the $50 auto-approve limit" in page  # what the step asked for
    assert '<option value="approve">' in page and '<option value="reject">' in page
    assert server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"note": "fine"}, "approved: is required"),
        ({"approved": "true", "note": "x" * 21}, "note: at most 20 characters"),
        ({"approved": "true", "refundCents": "12.5"}, "refundCents: &#x27;12.5&#x27; is not a whole number"),
        ({"approved": "true", "refundCents": "-3"}, "refundCents: must be at least 0"),
    ],
)
def test_resume_data_that_does_not_fit_is_refused_naming_the_field(
    eddie_client: Client, server, suspended, fields, message
):
    data = {"step": "manager-approval", "editor": "fields", **{f"field.{k}": v for k, v in fields.items()}}
    answer = eddie_client.post(suspended.url + "resume/", data)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert message in page and "Nothing was sent" in page
    assert server.posts == [] and not AuditEvent.objects.exists()


def test_the_json_editor_is_checked_against_the_schema_too(eddie_client: Client, server, suspended):
    post = {"step": "manager-approval", "editor": "json"}
    bad_json = eddie_client.post(suspended.url + "resume/", {**post, "resume_json": "{approved: true"})
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.content.decode()
    extra = eddie_client.post(
        suspended.url + "resume/", {**post, "resume_json": '{"approved": true, "x": 1}'}
    )
    assert extra.status_code == 400 and "x: is not a field of this step" in extra.content.decode()
    ok = eddie_client.post(suspended.url + "resume/", {**post, "resume_json": '{"approved": false}'})
    assert ok.status_code == 200 and "&quot;approved&quot;: false" in ok.content.decode()
    assert server.posts == []


def test_without_a_schema_from_the_server_the_json_editor_stands_in(eddie_client: Client, server, suspended):
    DESCRIBE_WITHOUT = {**DESCRIBE, "steps": {}}
    server.action = lambda r: httpx.Response(200, json={"runId": suspended.run_id})
    original = server.__call__

    def describe_without(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            server.requests.append(request)
            return httpx.Response(200, json=DESCRIBE_WITHOUT)
        return original(request)

    mastra_server.transport_override = httpx.MockTransport(describe_without)
    page = eddie_client.get(suspended.url + "resume/").content.decode()
    assert "does not list a step" in page and 'name="resume_json"' in page


# --- what is sent, and the faults ----------------------------------------------------------------------------


def test_the_confirmed_resume_is_sent_once_exactly_as_shown(eddie_client: Client, server, suspended):
    token = _confirm_resume(eddie_client, suspended, approved="true", note="ok")
    first = eddie_client.post(suspended.url + "send/", {"token": token})
    assert first.status_code == 303 and first["Location"] == suspended.url
    again = eddie_client.post(suspended.url + "send/", {"token": token}, follow=True)
    assert "already sent; nothing more was sent" in again.content.decode()
    assert len(server.posts) == 1
    sent = server.posts[0]
    assert sent.url.path == "/api/workflows/refund-approval/resume-no-wait"
    assert sent.url.params["runId"] == suspended.run_id
    assert json.loads(sent.content) == {
        "step": "manager-approval",
        "resumeData": {"approved": True, "note": "ok"},
    }
    event = AuditEvent.objects.get()
    assert (event.action, event.outcome, event.before) == (
        Action.WORKFLOW_RUN_RESUME,
        Outcome.APPLIED,
        "suspended",
    )


def test_a_resume_label_for_a_foreach_item_sends_its_index(eddie_client: Client, server, runs):
    run = ws.catalog_suspended_foreach().persist(runs)
    page = eddie_client.get(run.url + "resume/").content.decode()
    labels = re.findall(r'<option value="([^"]+)">[^<]*\(foreach item (\d+)\)', page)
    assert labels, "the suspended foreach offers no per-item label"
    label, index = labels[0]
    step = re.search(r'name="step" value="([^"]+)"', page).group(1)
    answer = eddie_client.post(
        run.url + "resume/", {"step": step, "editor": "json", "label": label, "resume_json": "{}"}
    )
    eddie_client.post(run.url + "send/", {"token": _token(answer)})
    assert json.loads(server.posts[0].content)["forEachIndex"] == int(index)


def _raise(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc

    return answer


@pytest.mark.parametrize(
    ("answer", "outcome", "message"),
    [
        (_raise(httpx.ConnectError("refused")), Outcome.REFUSED, "could not be reached; nothing was sent"),
        (_raise(httpx.ReadTimeout("slow")), Outcome.UNKNOWN, "did not answer within 10 s"),
        (
            lambda r: httpx.Response(404, json={"error": "Workflow run not found"}),
            Outcome.REFUSED,
            "refused (HTTP 404): Workflow run not found",
        ),
        (
            lambda r: httpx.Response(500, json={"error": "This workflow run was not suspended"}),
            Outcome.REFUSED,
            "refused (HTTP 500): This workflow run was not suspended",
        ),
        (
            lambda r: httpx.Response(502, text="<html>Bad gateway</html>"),
            Outcome.UNKNOWN,
            "failed (HTTP 502) without saying why",
        ),
        (lambda r: httpx.Response(200, text="{not json"), Outcome.UNKNOWN, "not a JSON object"),
    ],
    ids=["unreachable", "timeout", "4xx", "500-with-reason", "5xx", "malformed"],
)
def test_each_server_fault_gets_a_clear_message_and_its_audit_outcome(
    eddie_client: Client, server, suspended, answer, outcome, message, caplog
):
    server.action = answer
    token = _confirm_resume(eddie_client, suspended, approved="true")
    with caplog.at_level(logging.DEBUG):
        response = eddie_client.post(suspended.url + "send/", {"token": token})
    assert response.status_code == 502
    page = response.content.decode()
    assert message in page
    event = AuditEvent.objects.get()
    assert event.outcome == outcome and message in event.error
    assert TOKEN not in page and TOKEN not in caplog.text and TOKEN not in event.error
    # The token is spent: resending the same confirmation sends nothing more.
    eddie_client.post(suspended.url + "send/", {"token": token})
    assert len(server.posts) == 1


def test_a_reason_that_echoes_the_token_is_redacted(eddie_client: Client, server, suspended):
    server.action = lambda r: httpx.Response(403, json={"error": f"bad credential Bearer {TOKEN}"})
    token = _confirm_resume(eddie_client, suspended, approved="true")
    page = eddie_client.post(suspended.url + "send/", {"token": token}).content.decode()
    assert "HTTP 403" in page and "MASTRA_SERVER_TOKEN" in page
    assert TOKEN not in page and TOKEN not in AuditEvent.objects.get().error


def test_cancel_is_offered_only_while_the_run_can_move(eddie_client: Client, server, runs):
    done = ws.refund_success().persist(runs)
    page = eddie_client.get(done.url).content.decode()
    assert "Cancel run…" not in page and "Run again with the same input…" in page
    refused = eddie_client.post(done.url + "cancel/")
    assert refused.status_code == 409 and "cannot be cancelled: it is success" in refused.content.decode()
    assert server.posts == []


def test_run_again_sends_the_original_input_and_links_the_new_run(eddie_client: Client, server, runs):
    done = ws.refund_success().persist(runs)
    text = eddie_client.post(done.url + "rerun/")
    eddie_client.post(done.url + "send/", {"token": _token(text)})
    create, start = server.posts
    assert create.url.path == "/api/workflows/refund-approval/create-run"
    assert json.loads(create.content) == {"resourceId": "user_8f2c1a"}
    assert start.url.params["runId"] == "new-run-1"
    assert json.loads(start.content) == {
        "inputData": ws.REFUND_INPUT,
        "requestContext": {"dashboardRerunOf": done.run_id},
    }
    event = AuditEvent.objects.get()
    assert (event.outcome, event.result_version) == (Outcome.APPLIED, "new-run-1")
    assert "/workflows/refund-approval/new-run-1/" in eddie_client.get(done.url).content.decode()


def test_the_audit_log_shows_a_run_action_with_what_was_sent(ada_client: Client, server, suspended):
    token = _confirm_resume(ada_client, suspended, approved="false", note="too late")
    ada_client.post(suspended.url + "send/", {"token": token})
    event = AuditEvent.objects.get()
    log = ada_client.get("/audit/").content.decode()
    assert f'href="{suspended.url}"' in log
    detail = ada_client.get(f"/audit/{event.pk}/").content.decode()
    assert (
        "Sent to the Mastra server" in detail and "too late" in detail and "Open the workflow run" in detail
    )
