"""The scorer page in a real browser: Chart.js draws the server's numbers, and filters, tabs and the
score panel update the page through htmx without a reload, under the strict CSP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from dashboard.demo import dataset
from storeclient.sqlite import SQLiteStore

DEMO_NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
SCORER = "/scores/answer-relevancy-scorer/"

CHART_POINTS = """(kind) => {
  const chart = Chart.getChart(document.querySelector(`canvas[data-chart=${kind}]`));
  if (!chart) return null;
  return {
    labels: chart.data.labels.length,
    points: chart.getDatasetMeta(chart.data.datasets.length - 1).data.length,
    mean: (chart.data.datasets.find((d) => d.label === "Mean") || {data: []}).data.length,
    counts: (chart.data.datasets.find((d) => d.label === "Count" || d.label === "Scores") || {data: []}).data
      .reduce((a, b) => a + b, 0),
  };
}"""


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("scores") / "mastra.db"
    with SQLiteStore(path) as store:
        dataset.write_small(store, seed=7, now=DEMO_NOW)
    return str(path)


@pytest.fixture
def scores_page(signed_in, live_server, demo_file) -> Iterator[Page]:
    # The server's clock starts at the demo data's "now" and keeps running (the browser's does not
    # move: only Python's clock is replaced).
    with time_machine.travel(DEMO_NOW, tick=True), SQLiteStore(demo_file) as store, use_store(store):
        page = signed_in("viewer")
        page.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        yield page
        assert page.evaluate("window.__csp") == []


def open_scorer(page: Page, live_server, query: str = "") -> None:
    page.goto(f"{live_server.url}{SCORER}{query}")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart=timeseries]'))"
    )


def demo_count(**filters) -> int:
    data = dataset.build_small(7, DEMO_NOW)
    return sum(
        1
        for s in data.scores
        if s.payload["scorerId"] == "answer-relevancy-scorer"
        and (DEMO_NOW - filters["since"] <= s.created_at <= DEMO_NOW)
        and s.payload["source"] == filters.get("source", s.payload["source"])
    )


def test_the_charts_draw_one_point_per_bucket_and_every_score(scores_page, live_server):
    open_scorer(scores_page, live_server)
    timeseries = scores_page.evaluate(CHART_POINTS, "timeseries")
    # 30 days to DEMO_NOW (12:00 UTC) touch 31 UTC days: one point per day, empty ones as gaps.
    assert timeseries["labels"] == timeseries["mean"] == timeseries["points"] == 31
    assert timeseries["counts"] == demo_count(since=timedelta(days=30))
    histogram = scores_page.evaluate(CHART_POINTS, "histogram")
    assert histogram["labels"] == histogram["points"] == 10
    assert histogram["counts"] == timeseries["counts"]


def test_a_filter_updates_chart_and_table_without_a_reload_and_pushes_the_url(scores_page, live_server):
    open_scorer(scores_page, live_server)
    scores_page.evaluate("window.__marker = 'still here'")

    scores_page.select_option("select[name=range]", "7d")
    scores_page.wait_for_function(
        "() => { const c = Chart.getChart(document.querySelector('canvas[data-chart=timeseries]')); return c && c.data.labels.length === 8; }"
    )
    expect(scores_page).to_have_url(f"{live_server.url}{SCORER}?range=7d")

    scores_page.select_option("select[name=source]", "TEST")
    expect(scores_page).to_have_url(f"{live_server.url}{SCORER}?range=7d&source=TEST")
    scores_page.wait_for_function(
        f"() => Chart.getChart(document.querySelector('canvas[data-chart=timeseries]')).data.datasets[3].data.reduce((a, b) => a + b, 0) === {demo_count(since=timedelta(days=7), source='TEST')}"
    )
    badges = scores_page.locator("#score-table tbody td .badge")
    expect(badges.first).to_have_text("TEST")
    assert set(badges.all_inner_texts()) == {"TEST"}
    assert scores_page.evaluate("window.__marker") == "still here"
    # One chart per canvas: the old ones were destroyed with their canvases.
    assert scores_page.evaluate("Object.keys(Chart.instances).length") == 2


def test_picking_a_date_switches_the_range_to_custom(scores_page, live_server):
    open_scorer(scores_page, live_server)
    scores_page.evaluate("window.__marker = 1")
    scores_page.fill("input[name=since]", "2026-01-03")
    scores_page.dispatch_event("input[name=since]", "change")
    expect(scores_page).to_have_url(f"{live_server.url}{SCORER}?range=custom&since=2026-01-03")
    expect(scores_page.locator("select[name=range]")).to_have_value("custom")
    expect(scores_page.locator("#timeseries-title")).to_have_text("Mean score per day")
    assert scores_page.evaluate("window.__marker") == 1


def test_the_lowest_tab_reorders_the_table_only_and_filters_keep_that_order(scores_page, live_server):
    open_scorer(scores_page, live_server)
    scores_page.evaluate("window.__marker = 1")
    chart_id = scores_page.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart=timeseries]')).id"
    )
    scores_page.click("#score-table .tabs a[data-order=lowest]")
    expect(scores_page).to_have_url(f"{live_server.url}{SCORER}?order=lowest")
    expect(scores_page.locator("#score-table .tabs a[data-order=lowest]")).to_have_attribute(
        "aria-current", "page"
    )
    values = [
        float(v) for v in scores_page.locator("#score-table tbody tr td:first-child a").all_inner_texts()
    ]
    assert values == sorted(values)
    # The chart was not redrawn: only the table was swapped.
    assert (
        scores_page.evaluate("Chart.getChart(document.querySelector('canvas[data-chart=timeseries]')).id")
        == chart_id
    )
    scores_page.select_option("select[name=range]", "all")
    expect(scores_page).to_have_url(f"{live_server.url}{SCORER}?range=all&order=lowest")
    assert scores_page.evaluate("window.__marker") == 1


def test_a_score_opens_in_the_panel_with_its_own_url(scores_page, live_server):
    open_scorer(scores_page, live_server)
    scores_page.evaluate("window.__marker = 1")
    row = scores_page.locator("#score-table tbody tr").first
    score_id = row.get_attribute("data-score-id")
    row.locator("td:first-child a").click()
    expect(scores_page.locator("#score-detail .score-panel")).to_have_attribute("data-score-id", score_id)
    expect(scores_page).to_have_url(f"{live_server.url}{SCORER}{score_id}/")
    expect(scores_page.locator("#score-detail .score-section > summary").first).to_have_text("Input")
    assert scores_page.evaluate("window.__marker") == 1
    scores_page.go_back()
    expect(scores_page).to_have_url(f"{live_server.url}{SCORER}")


def test_the_table_pages_forward_and_back(scores_page, live_server):
    open_scorer(scores_page, live_server)
    first = scores_page.locator("#score-table tbody tr").first.get_attribute("data-score-id")
    scores_page.click("#score-table a[rel=next]")
    expect(scores_page.locator("#score-table a[rel=prev]")).to_be_visible()
    assert "cursor=" in scores_page.url
    assert scores_page.locator("#score-table tbody tr").first.get_attribute("data-score-id") != first
    scores_page.click("#score-table a[rel=prev]")
    expect(scores_page.locator("#score-table tbody tr").first).to_have_attribute("data-score-id", first)


def test_the_chart_tooltip_names_the_minimum_the_maximum_and_the_mean(scores_page, live_server):
    open_scorer(scores_page, live_server)
    labels = scores_page.evaluate(
        """() => {
            const chart = Chart.getChart(document.querySelector("canvas[data-chart=timeseries]"));
            const label = chart.options.plugins.tooltip.callbacks.label;
            return chart.data.datasets.map((dataset) => label({dataset, formattedValue: "0.5"}));
        }"""
    )
    assert labels == ["Min: 0.5", "Max: 0.5", "Mean: 0.5", "Count: 0.5"]
