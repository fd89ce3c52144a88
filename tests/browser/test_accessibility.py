"""An axe-core scan (axe-playwright-python) of every page, in the light and the dark theme, at a
laptop's and a phone's size: no serious or critical violation of WCAG 2.2 A/AA."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import Page

from dashboard.preferences.models import Preferences

from .site_pages import DESKTOP, PHONE, site_pages

AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
}
BLOCKING = {"serious", "critical"}


def blocking_violations(page: Page, name: str) -> list[str]:
    results: dict[str, Any] = Axe().run(page, options=AXE_OPTIONS).response
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        found.append(f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} at {targets}")
    return found


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_page_has_a_serious_accessibility_violation(
    signed_in, live_server, demo_site, demo_store, theme, viewport
):
    pages = site_pages(*demo_site)
    page = signed_in("admin")
    Preferences.objects.update_or_create(
        user=User.objects.get(username="admin-persona"), defaults={"theme": theme}
    )
    page.set_viewport_size(viewport)
    problems: list[str] = []
    for name, path in [*pages, ("sign-in", "/accounts/login/")]:
        if name == "sign-in":
            page.context.clear_cookies()
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        if name != "sign-in":
            assert page.evaluate("document.documentElement.dataset.theme") == theme
        problems += blocking_violations(page, name)
    assert problems == [], "\n".join(problems)
