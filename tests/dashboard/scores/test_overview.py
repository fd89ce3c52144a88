"""/scores/: one card per scorer."""

from __future__ import annotations

import re
import statistics
from datetime import timedelta

import pytest

from dashboard.demo.scores import SCORERS
from dashboard.scores import cards, views

from ..conftest import DEMO_NOW
from ..support import HTMX
from .conftest import demo_scores, values


def card(content: str, scorer_id: str) -> str:
    match = re.search(
        rf'<article class="card scorer-card" data-scorer-id="{scorer_id}">(.*?)</article>', content, re.S
    )
    assert match, f"no card for {scorer_id}"
    return match.group(1)


def fact(card_html: str, name: str) -> str:
    match = re.search(rf"<dt>{name}</dt><dd[^>]*>(.*?)</dd>", card_html, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_it_shows_one_card_per_scorer_named_from_the_scorer_record(vera_client):
    content = vera_client.get("/scores/").content.decode()
    assert content.count('class="card scorer-card"') == len(SCORERS)
    for scorer_id, scorer in SCORERS.items():
        html = card(content, scorer_id)
        assert f">{scorer['name']}</a></h2>" in html
        assert f'href="/scores/{scorer_id}/?range=7d"' in html


def test_a_card_shows_count_mean_median_and_p10_of_the_last_seven_days(vera_client, demo_set):
    content = vera_client.get("/scores/").content.decode()
    for scorer_id in SCORERS:
        scores = values(demo_scores(demo_set, scorer_id, since=timedelta(days=7)))
        html = card(content, scorer_id)
        assert fact(html, "Count") == str(len(scores))
        assert fact(html, "Mean") == f"{statistics.fmean(scores):.3f}"
        assert fact(html, "Median") == f"{statistics.median(scores):.3f}"
        assert fact(html, "p10") == f"{statistics.quantiles(scores, n=10, method='inclusive')[0]:.3f}"


def test_a_card_compares_the_mean_with_the_period_before(vera_client, demo_set):
    content = vera_client.get("/scores/").content.decode()
    week = timedelta(days=7)
    records = [s for s in demo_set.scores if s.payload["scorerId"] == "answer-relevancy-scorer"]
    current = statistics.fmean(values([s for s in records if DEMO_NOW - week < s.created_at <= DEMO_NOW]))
    previous = statistics.fmean(
        values([s for s in records if DEMO_NOW - 2 * week < s.created_at <= DEMO_NOW - week])
    )
    html = card(content, "answer-relevancy-scorer")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert f"Mean {current:.3f} vs {previous:.3f} in the 7 days before." in text
    sign = "▲ +" if current > previous else "▼ "
    assert f"{sign}{current - previous:.3f}" in html


def test_a_card_has_a_server_drawn_sparkline_without_style_attributes(vera_client):
    content = vera_client.get("/scores/").content.decode()
    html = card(content, "toxicity-scorer")
    svg = re.search(r"<svg class=\"sparkline\".*?</svg>", html, re.S)
    assert svg and "<polyline points=" in svg.group(0)
    assert "style=" not in svg.group(0)
    assert 'role="img"' in svg.group(0) and "<title>Mean score per day, last 7 days</title>" in svg.group(0)


def test_the_period_tabs_change_the_window(vera_client, demo_set):
    content = vera_client.get("/scores/?period=24h").content.decode()
    scores = demo_scores(demo_set, "toxicity-scorer", since=timedelta(hours=24))
    assert fact(card(content, "toxicity-scorer"), "Count") == str(len(scores))
    assert '<a href="/scores/?period=24h"' in content and 'aria-current="page">24 hours</a>' in content
    assert "Mean score per hour, last 24 hours" in content


def test_a_period_tab_swaps_only_the_cards(vera_client):
    response = vera_client.get("/scores/?period=30d", headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="scorer-cards"')
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]


def test_a_sampled_series_is_said_to_be_sampled(vera_client, monkeypatch):
    monkeypatch.setattr(cards, "OVERVIEW_MAX_POINTS", 20)
    content = vera_client.get("/scores/?period=30d").content.decode()
    html = card(content, "answer-relevancy-scorer")
    assert "Sampled 20 of 120 scores." in html
    # The count in the period is estimated from the sample's share and marked so.
    assert fact(html, "Count").startswith("≈")


def test_the_overview_makes_two_store_calls_per_scorer_plus_one(vera_client, store_calls):
    vera_client.get("/scores/")
    assert store_calls.names.count("scorer_ids") == 1
    assert store_calls.names.count("score_series") == len(SCORERS)
    assert store_calls.names.count("score_feed") == len(SCORERS)
    assert len(store_calls.names) == 1 + 2 * len(SCORERS)


def test_scorers_are_paged(vera_client, monkeypatch):
    monkeypatch.setattr(views, "OVERVIEW_PAGE_SIZE", 2)
    first = vera_client.get("/scores/").content.decode()
    assert first.count('class="card scorer-card"') == 2 and "Page 1 of 2" in first
    second = vera_client.get("/scores/?page=2").content.decode()
    assert second.count('class="card scorer-card"') == 1 and "← Previous" in second


def test_an_empty_store_explains_where_scores_come_from(vera_client, empty_store):
    content = vera_client.get("/scores/").content.decode()
    assert "No scores yet." in content


@pytest.mark.parametrize("query", ["?period=1y", "?page=x", "?page=0"])
def test_odd_query_strings_fall_back_to_defaults(vera_client, query):
    response = vera_client.get("/scores/" + query)
    assert response.status_code == 200
    assert 'aria-current="page">7 days</a>' in response.content.decode()


def test_it_needs_a_signed_in_user(client):
    response = client.get("/scores/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
