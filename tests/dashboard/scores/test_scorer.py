"""/scores/<scorer_id>/: filters, statistics, chart data, table and the empty and unknown cases."""

from __future__ import annotations

import json
import re
import statistics
from datetime import datetime, timedelta
from html import unescape

import pytest
import time_machine

from dashboard.scores import charts, views

from ..conftest import DEMO_NOW
from ..support import HTMX
from .conftest import demo_scores, values

URL = "/scores/answer-relevancy-scorer/"
THIRTY_DAYS = timedelta(days=30)


def stat(content: str, label: str) -> str:
    match = re.search(
        rf'<span class="stat-value">([^<]*)</span><span class="stat-label"[^>]*>{label}</span>', content
    )
    assert match, label
    return match.group(1)


def chart_data(content: str, kind: str) -> dict:
    """The JSON a chart's canvas carries (data-chart-data), as charts.js reads it."""
    match = re.search(rf'<canvas data-chart="{kind}" data-chart-data="([^"]*)"', content)
    assert match, kind
    return json.loads(unescape(match.group(1)))


def table_ids(content: str) -> list[str]:
    table = content[content.index('<section id="score-table"') :]
    return re.findall(r'<tr data-score-id="([^"]+)">', table)


def test_the_statistics_match_the_scores_of_the_last_30_days(vera_client, demo_set):
    scores = values(demo_scores(demo_set, "answer-relevancy-scorer", since=THIRTY_DAYS))
    content = vera_client.get(URL).content.decode()
    deciles = statistics.quantiles(scores, n=10, method="inclusive")
    assert stat(content, "Count") == str(len(scores))
    assert stat(content, "Mean") == f"{statistics.fmean(scores):.3f}"
    assert stat(content, "Median") == f"{statistics.median(scores):.3f}"
    assert stat(content, "p10") == f"{deciles[0]:.3f}"
    assert stat(content, "p90") == f"{deciles[8]:.3f}"
    assert stat(content, "Min") == f"{min(scores):.3f}"
    assert stat(content, "Max") == f"{max(scores):.3f}"
    assert stat(content, "Std dev") == f"{statistics.pstdev(scores):.3f}"


def test_the_time_series_has_one_point_per_day_with_exact_counts(vera_client, demo_set):
    records = demo_scores(demo_set, "answer-relevancy-scorer", since=THIRTY_DAYS)
    content = vera_client.get(URL).content.decode()
    data = chart_data(content, "timeseries")
    # 30 days from 12:00 to 12:00 touch 31 UTC days.
    assert len(data["labels"]) == len(data["mean"]) == len(data["count"]) == 31
    by_day: dict[str, list[float]] = {}
    for s in records:
        by_day.setdefault(s.created_at.strftime("%Y-%m-%dT00:00:00Z"), []).append(float(s.payload["score"]))
    for start, count, mean, low, high in zip(
        data["starts"], data["count"], data["mean"], data["min"], data["max"], strict=True
    ):
        day = by_day.get(start, [])
        assert count == len(day)
        if day:
            assert mean == pytest.approx(statistics.fmean(day), abs=1e-4)
            assert (low, high) == (min(day), max(day))
        else:
            assert mean is None and low is None
    assert "Mean score per day" in content


def test_the_chart_numbers_are_also_a_data_table(vera_client):
    content = vera_client.get(URL).content.decode()
    data = chart_data(content, "timeseries")
    section = content[content.index('id="timeseries-title"') : content.index('id="histogram-title"')]
    assert "<summary>Data table</summary>" in section
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td>", section)
    expected = [(label, str(n)) for label, n in zip(data["labels"], data["count"], strict=True) if n]
    assert rows == expected


def test_the_histogram_counts_every_score_in_ten_bins(vera_client, demo_set):
    scores = values(demo_scores(demo_set, "toxicity-scorer", since=THIRTY_DAYS))
    content = vera_client.get("/scores/toxicity-scorer/").content.decode()
    data = chart_data(content, "histogram")
    assert len(data["count"]) == 10 and sum(data["count"]) == len(scores)
    assert data["labels"][0] == "0.00–0.10" and data["labels"][-1] == "0.90–1.00"
    assert data["count"][0] == sum(1 for v in scores if v < 0.1)


@pytest.mark.parametrize(
    ("query", "span", "size", "slots"),
    [
        ("?range=24h", timedelta(hours=24), "hour", 25),
        ("?range=7d", timedelta(days=7), "day", 8),
        ("?range=90d", timedelta(days=90), "day", 91),
        ("?range=custom&since=2025-08-01&until=2026-01-10", None, "week", 24),
    ],
)
def test_the_bucket_size_follows_the_range(vera_client, demo_set, query, span, size, slots):
    content = vera_client.get(URL + query).content.decode()
    data = chart_data(content, "timeseries")
    assert f"Mean score per {size}" in content
    assert len(data["labels"]) == slots
    expected = demo_scores(demo_set, "answer-relevancy-scorer", since=span)
    assert sum(data["count"]) == len(expected)


def test_weekly_buckets_start_on_mondays(vera_client):
    data = chart_data(
        vera_client.get(URL + "?range=custom&since=2025-08-01&until=2026-01-10").content.decode(),
        "timeseries",
    )
    assert all(datetime.fromisoformat(start).weekday() == 0 for start in data["starts"])


def test_all_time_spans_the_scores_themselves(vera_client, demo_set):
    records = demo_scores(demo_set, "answer-relevancy-scorer")
    content = vera_client.get(URL + "?range=all").content.decode()
    assert stat(content, "Count") == str(len(records))
    data = chart_data(content, "timeseries")
    first = min(s.created_at for s in records).strftime("%Y-%m-%dT00:00:00Z")
    last = max(s.created_at for s in records).strftime("%Y-%m-%dT00:00:00Z")
    assert (data["starts"][0], data["starts"][-1]) == (first, last)


def test_source_and_entity_filters_narrow_every_figure(vera_client, demo_set):
    records = demo_scores(
        demo_set, "answer-relevancy-scorer", since=THIRTY_DAYS, source="TEST", entity_id="supportAgent"
    )
    content = vera_client.get(URL + "?source=TEST&entity_type=AGENT&entity_id=supportAgent").content.decode()
    assert stat(content, "Count") == str(len(records))
    assert sum(chart_data(content, "timeseries")["count"]) == len(records)
    shown = table_ids(content)
    assert len(shown) == min(len(records), views.FEED_PAGE_SIZE)
    assert '<option value="TEST" selected>TEST</option>' in content
    assert 'name="entity_id" value="supportAgent"' in content


def test_the_entity_box_matches_the_start_of_the_id_in_any_case_everywhere(vera_client, demo_set):
    records = demo_scores(demo_set, "answer-relevancy-scorer", since=THIRTY_DAYS, entity_id="supportAgent")
    others = {s.payload.get("entityId") for s in demo_scores(demo_set, "answer-relevancy-scorer")} - {
        "supportAgent"
    }
    assert records and not any(str(e).lower().startswith("supp") for e in others)
    content = vera_client.get(URL + "?entity_id=SUPP").content.decode()
    assert stat(content, "Count") == str(len(records))
    assert sum(chart_data(content, "timeseries")["count"]) == len(records)
    assert len(table_ids(content)) == min(len(records), views.FEED_PAGE_SIZE)
    assert 'name="entity_id" value="SUPP"' in content


def test_custom_dates_cover_whole_days(vera_client, demo_set):
    records = [
        s
        for s in demo_set.scores
        if s.payload["scorerId"] == "answer-relevancy-scorer"
        and "2026-01-02" <= s.created_at.date().isoformat() <= "2026-01-04"
    ]
    content = vera_client.get(URL + "?range=custom&since=2026-01-02&until=2026-01-04").content.decode()
    assert stat(content, "Count") == str(len(records))
    assert '<option value="custom" selected>' in content
    assert 'name="since" value="2026-01-02"' in content


def test_dates_without_a_range_mean_custom_dates(vera_client):
    content = vera_client.get(URL + "?since=2026-01-02&until=2026-01-04").content.decode()
    assert '<option value="custom" selected>' in content


def test_bad_filters_are_refused_with_what_was_wrong_and_a_link_without_them(vera_client, store_calls):
    response = vera_client.get(URL + "?range=custom&since=2026-01-05&until=2026-01-01&source=BOGUS")
    content = response.content.decode()
    assert response.status_code == 400
    assert "These filters are not valid" in content
    assert "The end date is before the start date." in content
    assert "Select a valid choice." in content
    # The link keeps what was valid: the custom range from its start date.
    assert 'href="/scores/answer-relevancy-scorer/?range=custom&amp;since=2026-01-05" data-reset' in content
    assert store_calls.names == []


def test_a_bad_filter_from_htmx_replaces_the_results_it_targets(vera_client):
    response = vera_client.get(
        URL + "?source=BOGUS&entity_id=supportAgent", headers={**HTMX, "HX-Target": "scorer-results"}
    )
    assert response.status_code == 400
    assert response["X-Dashboard-Swap-Error"] == "true"
    html = response.content.decode()
    assert html.lstrip().startswith('<article class="panel panel-error" id="scorer-results"')
    assert 'href="/scores/answer-relevancy-scorer/?entity_id=supportAgent"' in html


def test_the_table_lists_scores_newest_first_and_pages_by_cursor(vera_client, demo_set):
    records = sorted(
        demo_scores(demo_set, "answer-relevancy-scorer", since=THIRTY_DAYS),
        key=lambda s: s.created_at,
        reverse=True,
    )
    content = vera_client.get(URL).content.decode()
    first_ids = table_ids(content)
    assert len(first_ids) == views.FEED_PAGE_SIZE
    score_by_id = {}
    for row in re.findall(r'<tr data-score-id="([^"]+)">\s*<td class="num"><a [^>]+>([\d.]+)</a>', content):
        score_by_id[row[0]] = row[1]
    assert list(score_by_id.values())[:5] == [f"{s.payload['score']:.3f}" for s in records[:5]]
    next_url = unescape(re.search(r'<a href="([^"]+)" hx-get="[^"]+" rel="next">Next page', content).group(1))
    assert "cursor=" in next_url
    page_two = vera_client.get(next_url, headers={**HTMX, "HX-Target": "score-table"})
    html = page_two.content.decode()
    assert html.lstrip().startswith('<section id="score-table"')
    second_ids = table_ids(html)
    assert len(second_ids) == views.FEED_PAGE_SIZE and not set(first_ids) & set(second_ids)
    assert "« First page" in html and "← Previous page" in html


def test_the_lowest_scores_tab_orders_by_score(vera_client, demo_set):
    records = demo_scores(demo_set, "answer-relevancy-scorer", since=THIRTY_DAYS)
    lowest = sorted(values(records))[:5]
    content = vera_client.get(URL + "?order=lowest").content.decode()
    shown = re.findall(r'<tr data-score-id="[^"]+">\s*<td class="num"><a [^>]+>([\d.]+)</a>', content)
    assert shown[:5] == [f"{v:.3f}" for v in lowest]
    assert 'data-order="lowest" aria-current="page">Lowest scores first</a>' in content
    assert 'name="order" value="lowest"' in content


def test_reasons_are_rendered_as_sanitised_markdown(vera_client, demo_set):
    content = vera_client.get(URL).content.decode()
    assert '<td class="wrap reason" hx-disable><p>The score is ' in content


def test_a_filter_change_returns_only_the_results(vera_client, store_calls):
    response = vera_client.get(URL + "?range=7d", headers={**HTMX, "HX-Target": "scorer-results"})
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="scorer-results"')
    assert "<html" not in content and '<form id="score-filters"' not in content
    assert '<canvas data-chart="timeseries"' in content and '<section id="score-table"' in content
    assert "HX-Request" in response["Vary"] and "HX-Target" in response["Vary"]
    assert sorted(store_calls.names) == ["score_buckets", "score_feed", "score_series"]


def test_a_filter_change_pushes_the_tidy_address_of_the_view(vera_client):
    query = "?range=7d&since=&until=&source=LIVE&entity_type=&entity_id=&order=newest"
    response = vera_client.get(URL + query, headers={**HTMX, "HX-Target": "scorer-results"})
    assert response["HX-Push-Url"] == URL + "?range=7d&source=LIVE"


def test_a_table_page_makes_one_store_call(vera_client, store_calls):
    vera_client.get(URL + "?order=lowest", headers={**HTMX, "HX-Target": "score-table"})
    assert store_calls.names == ["score_feed"]


def test_a_history_restore_gets_the_whole_page(vera_client):
    content = vera_client.get(URL, headers={**HTMX, "HX-History-Restore-Request": "true"}).content.decode()
    assert "<html" in content and '<form id="score-filters"' in content


def test_the_full_page_makes_three_store_calls(vera_client, store_calls):
    vera_client.get(URL)
    assert sorted(store_calls.names) == ["score_buckets", "score_feed", "score_series"]


def test_chart_js_is_loaded_only_here_with_the_nonce(vera_client):
    content = vera_client.get(URL).content.decode()
    assert re.search(
        r'<script src="/static/vendor/chart.js-4.6.1/chart.umd.min.js" defer nonce="[^"]+"></script>', content
    )
    assert re.search(r'<script src="/static/js/charts.js" defer nonce="[^"]+"></script>', content)
    assert "chart.umd.min.js" not in vera_client.get("/scores/").content.decode()
    # No inline script other than JSON data, no inline style.
    for script in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content):
        assert 'type="application/json"' in script
    assert "style=" not in content


def test_a_sampled_series_is_said_to_be_sampled_while_counts_stay_exact(vera_client, demo_set, monkeypatch):
    monkeypatch.setattr(charts, "SERIES_MAX_POINTS", 50)
    records = demo_scores(demo_set, "answer-relevancy-scorer", since=THIRTY_DAYS)
    content = vera_client.get(URL).content.decode()
    assert f"Sampled 50 of {len(records)} scores" in content
    assert stat(content, "Count") == str(len(records))
    assert stat(content, "Mean") == f"{statistics.fmean(values(records)):.3f}"
    assert stat(content, "Median").startswith("≈")
    assert sum(chart_data(content, "timeseries")["count"]) == len(records)
    assert sum(chart_data(content, "histogram")["count"]) == 50


def test_no_scores_in_range_is_an_empty_state_not_an_error(vera_client, store_calls):
    response = vera_client.get(URL + "?range=custom&since=2020-01-01&until=2020-01-31")
    content = response.content.decode()
    assert response.status_code == 200
    assert "No scores match these filters." in content
    assert "This scorer's latest score was saved" in content
    assert '<a href="/scores/answer-relevancy-scorer/?range=all">Show all time</a>' in content
    assert "<h1>Answer Relevancy</h1>" in content  # named from the latest score
    # No buckets to read; one more feed call finds the scorer's latest score.
    assert sorted(store_calls.names) == ["score_feed", "score_feed", "score_series"]


def test_an_unknown_scorer_is_a_friendly_404(vera_client):
    response = vera_client.get("/scores/no-such-scorer/")
    content = response.content.decode()
    assert response.status_code == 404
    assert "No scores from “no-such-scorer”" in content
    assert '<a href="/scores/">See every scorer</a>' in content


def test_a_scorer_id_with_markup_is_escaped(vera_client):
    content = vera_client.get("/scores/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E/").content.decode()
    assert "<img src=x" not in content and "&lt;img src=x onerror=alert(1)&gt;" in content


def test_the_empty_store_shows_the_unknown_scorer_page(vera_client, empty_store):
    assert vera_client.get(URL).status_code == 404


def test_the_range_is_relative_to_now(client, vera, demo_set):
    with time_machine.travel(DEMO_NOW + timedelta(days=40), tick=False):
        client.force_login(vera)  # a session from 40 days before would have expired
        response = client.get(URL + "?range=7d")
    assert response.status_code == 200 and "No scores match these filters." in response.content.decode()
