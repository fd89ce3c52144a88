"""Scorer direction: admins say whether a scorer's higher or lower scores are better (kept in the
dashboard's database, audited); colours, arrows and the worst-first table follow it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.audit.models import AuditEvent
from dashboard.scores.models import Direction, ScorerSetting, direction_for

from ..conftest import DEMO_NOW
from ..html_query import find_all, find_one

TOXICITY = "toxicity-scorer"


@pytest.fixture
def toxicity(empty_store):
    """A toxicity scorer (lower is better in truth) whose mean fell from 0.4 to 0.2 this week."""
    for days, score in [(10, 0.5), (9, 0.3), (2, 0.1), (1, 0.3), (1, 0.2)]:
        empty_store.scores.save_score(
            {
                "scorerId": TOXICITY,
                "score": score,
                "runId": f"run-{days}-{score}",
                "entityId": "supportAgent",
                "entityType": "AGENT",
                "source": "LIVE",
                "scorer": {"id": TOXICITY, "name": "Toxicity"},
                "input": [],
                "output": {},
            },
            created_at=DEMO_NOW - timedelta(days=days),
        )
    return empty_store


def _change(client) -> str | None:
    return find_one(client.get("/scores/").content, "span", cls="change").get("data-change")


def test_a_scorer_is_higher_is_better_until_an_admin_says_otherwise(ada_client, toxicity):
    assert direction_for(TOXICITY) == Direction.HIGHER
    response = ada_client.post(f"/scores/{TOXICITY}/(direction)/", {"direction": "lower"})
    assert response.status_code == 302 and response["Location"] == f"/scores/{TOXICITY}/"
    assert direction_for(TOXICITY) == Direction.LOWER
    event = AuditEvent.objects.get(action="scorer.direction")
    assert (event.username, event.target, event.before, event.after, event.outcome) == (
        "ada",
        f"scorer:{TOXICITY}",
        "higher",
        "lower",
        "applied",
    )
    log = ada_client.get("/audit/").content.decode()
    assert f'href="/scores/{TOXICITY}/"' in log and "scorer.direction" in log


@pytest.mark.parametrize("persona", ["vera_client", "eddie_client"])
def test_only_admins_set_a_direction(request, persona, toxicity):
    client = request.getfixturevalue(persona)
    response = client.post(f"/scores/{TOXICITY}/(direction)/", {"direction": "lower"})
    assert response.status_code == 403
    assert not ScorerSetting.objects.exists() and not AuditEvent.objects.exists()
    page = client.get(f"/scores/{TOXICITY}/").content
    assert find_all(page, "form", cls="direction-form") == []
    assert find_one(page, data_direction="higher").text.strip() == "Higher is better"


def test_a_direction_other_than_higher_or_lower_is_refused(ada_client, toxicity):
    response = ada_client.post(f"/scores/{TOXICITY}/(direction)/", {"direction": "sideways"})
    assert response.status_code == 400 and "higher" in response.content.decode()
    assert not ScorerSetting.objects.exists()


def test_a_falling_mean_is_worse_for_higher_is_better_and_better_for_lower_is_better(ada_client, toxicity):
    assert _change(ada_client) == "worse"
    ada_client.post(f"/scores/{TOXICITY}/(direction)/", {"direction": "lower"})
    change = find_one(ada_client.get("/scores/").content, "span", cls="change")
    assert change.get("data-change") == "better" and "change-better" in change.classes
    assert change.text.strip().startswith("▼")  # the arrow still says which way the mean moved
    assert find_one(ada_client.get("/scores/").content, data_lower_is_better=...).text == "lower is better"


def test_worst_first_lists_the_highest_scores_of_a_lower_is_better_scorer(ada_client, toxicity):
    ada_client.post(f"/scores/{TOXICITY}/(direction)/", {"direction": "lower"})
    page = ada_client.get(f"/scores/{TOXICITY}/").content
    # The order tabs (the table's sortable headers carry data-order too, with the column's name).
    tabs = {
        a.get("data-order"): a.text.strip()
        for a in find_all(page, "a", data_order=...)
        if "sort-link" not in (a.get("class") or "")
    }
    assert tabs["highest"] == "Highest scores first (worst)" and tabs["lowest"] == "Lowest scores first"
    worst = ada_client.get(f"/scores/{TOXICITY}/", {"order": "highest", "range": "all"}).content
    shown = [row.text.split()[0] for row in find_all(worst, "tr", data_score_id=...)]
    assert shown == ["0.500", "0.300", "0.300", "0.200", "0.100"]
