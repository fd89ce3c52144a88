"""/scores/<scorer_id>/<score_id>/: one score's panel (htmx) or page, with drill-down links."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from tests.dashboard.html_query import page_content

from ..conftest import DEMO_NOW
from ..support import HTMX

WORKFLOW_SCORE = {
    "scorerId": "refund-policy-compliance",
    "scorer": {"id": "refund-policy-compliance", "name": "Refund policy compliance"},
    "entityId": "refund-approval",
    "entityType": "WORKFLOW",
    "entity": {"id": "refund-approval", "name": "refund-approval"},
    "runId": "9b2f6a4e-1c3d-4e5f-8a7b-6c5d4e3f2a1b",
    "source": "LIVE",
    "input": {"orderId": "A-10492", "amount": 129.0},
    "output": {"refundId": "re_4f2a9c1e", "approved": True},
    "score": 0.0,
    "reason": "A $129.00 refund was issued **without** a manager approval.",
    "preprocessStepResult": {"amount": 129.0, "approvalRequired": True},
    "analyzeStepResult": {"rule": "refunds over $50 need a manager approval", "passed": False},
    "metadata": {"policyVersion": "2025-11"},
}

AGENT_SCORE = {
    "scorerId": "answer-relevancy-scorer",
    "scorer": {"id": "answer-relevancy-scorer", "name": "Answer Relevancy"},
    "entityId": "supportAgent",
    "entityType": "AGENT",
    "runId": "run-7f3a",
    "source": "TEST",
    "threadId": "c0a3f6e2-5d1b-4f8e-9a7c-2b6d4e8f1a35",
    "resourceId": "user_8f2c1a",
    "input": {
        "inputMessages": [{"id": "m-user-1", "role": "user", "content": "My blender arrived cracked."}]
    },
    "output": [{"id": "m-asst-2", "role": "assistant", "content": {"format": 2, "parts": []}}],
    "score": 0.91,
    "reason": "The reply handles the refund.",
    "analyzePrompt": "Evaluate each statement's relevance to the input question.",
    "generateReasonPrompt": "Explain the score in one sentence.",
    "requestContext": {"tenantId": "acme-retail"},
    "additionalContext": {"channel": "web"},
}


@pytest.fixture
def saved(empty_store):
    return {
        "workflow": empty_store.scores.save_score(WORKFLOW_SCORE, created_at=DEMO_NOW - timedelta(hours=2)),
        "agent": empty_store.scores.save_score(AGENT_SCORE, created_at=DEMO_NOW - timedelta(hours=1)),
    }


def url(score) -> str:
    return f"/scores/{score.scorer_id}/{score.id}/"


def test_the_panel_shows_every_part_of_the_score(vera_client, saved):
    content = vera_client.get(url(saved["agent"])).content.decode()
    assert '<span class="score-value">0.910</span>' in content
    assert '<span class="badge badge-test">TEST</span>' in content
    for section in ("Input", "Output", "Request context", "Additional context"):
        assert f"<summary>{section}</summary>" in content, section
    assert "<summary>Analyze prompt</summary>" in content
    assert "Evaluate each statement&#x27;s relevance to the input question." in content
    assert "<summary>Generate reason prompt</summary>" in content
    assert "acme-retail" in content and "My blender arrived cracked." in content
    thread_id = "c0a3f6e2-5d1b-4f8e-9a7c-2b6d4e8f1a35"
    assert f'<dt>Thread</dt><dd class="mono">{thread_id}<button type="button" class="copy-button"' in content
    assert f'data-copy="{thread_id}" aria-label="Copy thread id"' in content


def test_an_htmx_request_gets_only_the_panel(vera_client, saved):
    response = vera_client.get(url(saved["agent"]), headers={**HTMX, "HX-Target": "score-detail"})
    content = response.content.decode()
    assert content.lstrip().startswith('<article class="card score-panel"')
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]


def test_the_full_page_has_breadcrumbs_back_to_the_scorer(vera_client, saved):
    content = vera_client.get(url(saved["workflow"])).content.decode()
    assert '<li><a href="/scores/refund-policy-compliance/">Refund policy compliance</a></li>' in content


def test_an_agent_score_links_to_its_thread_at_the_scored_message(vera_client, saved):
    content = vera_client.get(url(saved["agent"])).content.decode()
    assert (
        '<a href="/threads/c0a3f6e2-5d1b-4f8e-9a7c-2b6d4e8f1a35/#msg-m-asst-2" data-drill="thread">'
        in content
    )
    assert 'data-drill="run"' not in content


def test_a_workflow_score_links_to_its_run(vera_client, saved):
    content = vera_client.get(url(saved["workflow"])).content.decode()
    run = saved["workflow"].run_id
    assert f'<a href="/workflows/refund-approval/{run}/" data-drill="run">' in content
    assert 'data-drill="thread"' not in content


def test_the_reason_is_sanitised_markdown(vera_client, saved):
    content = vera_client.get(url(saved["workflow"])).content.decode()
    assert '<div class="reason" hx-disable><p>A $129.00 refund was issued <strong>without</strong>' in content


def test_a_hostile_score_is_shown_inert(vera_client, empty_store):
    hostile = empty_store.scores.save_score(
        {
            **AGENT_SCORE,
            "reason": '<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1)) <div hx-get="/x" hx-trigger="load">',
            "input": {"text": "</pre><script>alert(2)</script>"},
            "analyzePrompt": "</pre><img src=x onerror=alert(3)>",
            "entity": {"name": "<b onmouseover=alert(4)>agent</b>"},
        }
    )
    for address in (url(hostile), "/scores/answer-relevancy-scorer/?range=all"):
        content = vera_client.get(address).content.decode()
        found = ActiveMarkup()
        found.feed(page_content(content))
        assert found.problems == [], address
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content  # shown, as text


class ActiveMarkup(HTMLParser):
    """Collects markup that could run script or fire a request: script elements that are not our
    own (static files or JSON data), event-handler attributes, javascript: URLs, htmx attributes
    outside the dashboard's own (which only ever point at /scores/)."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or values.get("type") == "application/json"):
            self.problems.append(f"inline script {attrs}")
        if tag in ("img", "iframe", "object", "embed"):
            self.problems.append(f"<{tag}> {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}={value}")
            if name.startswith(("hx-get", "hx-post", "data-hx")) and not (value or "").startswith("/scores/"):
                self.problems.append(f"{tag} {name}={value}")


def test_a_score_of_another_scorer_or_an_unknown_id_is_404(vera_client, saved):
    assert vera_client.get(f"/scores/toxicity-scorer/{saved['agent'].id}/").status_code == 404
    assert (
        vera_client.get("/scores/answer-relevancy-scorer/00000000-0000-4000-8000-000000000000/").status_code
        == 404
    )


def test_a_missing_score_says_so_with_a_way_back_to_its_scorer(vera_client, saved):
    response = vera_client.get("/scores/answer-relevancy-scorer/00000000-0000-4000-8000-000000000000/")
    content = response.content.decode()
    assert "Score not found" in content
    assert '<a href="/scores/answer-relevancy-scorer/">' in content


def test_table_rows_open_the_panel_and_push_its_url(vera_client, saved):
    content = vera_client.get("/scores/answer-relevancy-scorer/?range=7d").content.decode()
    link = re.search(
        r'<a href="([^"]+)" hx-get="([^"]+)" hx-target="#score-detail" hx-push-url="true"', content
    )
    assert link and link.group(1) == link.group(2) == url(saved["agent"])
