"""The overview's "Needs attention" lanes and /health/ in Chromium: the lanes load by themselves as
the overview opens (htmx, under the strict CSP), and both pages fit a 390 px wide phone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.dashboard.test_attention import NOW, plant


@pytest.fixture
def planted(tmp_path) -> Iterator[SQLiteStore]:
    with (
        time_machine.travel(NOW, tick=True),
        SQLiteStore(tmp_path / "mastra.db") as store,
        use_store(store),
    ):
        plant(store)
        yield store


def _fits(page: Page, selector: str) -> None:
    """Nothing in ``selector`` runs past the right edge of the screen. (The site header and the
    overview's recent-records tables are base.html's and the overview's, checked with the layout.)"""
    limit = page.viewport_size["width"] + 1
    wide = page.evaluate(
        """([selector, limit]) => [...document.querySelectorAll(selector)]
            .filter((el) => el.getBoundingClientRect().right > limit && el.getClientRects().length)
            .map((el) => el.tagName + "." + el.className)""",
        [f"{selector}, {selector} *", limit],
    )
    assert wide == [], f"wider than the screen: {wide[:5]}"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_overview_loads_what_needs_attention_and_fits_the_screen(signed_in, live_server, planted, width):
    page = signed_in("viewer")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    lane = page.locator('[data-lane="stuck-runs"]')
    expect(lane).to_contain_text("may be stuck")
    expect(page.locator('[data-lane="failed-runs"] [data-lane-count]')).to_have_text("1")
    lane.get_by_role("link", name="refund-approval · stuck-1").click()
    expect(page).to_have_url(f"{live_server.url}/workflows/refund-approval/stuck-1/")
    page.go_back()
    expect(page.locator('[data-lane="memory"]')).to_be_visible()
    _fits(page, "#attention")


def test_data_health_fits_a_phone(signed_in, live_server, planted):
    page = signed_in("editor")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + "/health/")
    expect(page.locator('[data-lane="large-documents"] [data-lane-count]')).to_have_text("1")
    _fits(page, "main")


def test_an_admin_sets_a_scorer_to_lower_is_better_on_a_phone(signed_in, live_server, planted):
    page = signed_in("admin")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + "/scores/toxicity/")
    _fits(page, ".page-header")
    page.select_option(".direction-form select[name=direction]", "lower")
    page.click(".direction-form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/scores/toxicity/")
    expect(page.locator("[data-direction]")).to_have_attribute("data-direction", "lower")
    expect(page.locator('a[data-order="highest"]')).to_have_text("Highest scores first (worst)")
    page.goto(live_server.url + "/")
    expect(page.locator('[data-lane="score-regressions"]')).to_contain_text("toxicity")
