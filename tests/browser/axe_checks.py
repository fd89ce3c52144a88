"""An axe-core scan (axe-playwright-python) of the page as it is: its serious and critical
violations of WCAG 2.2 A/AA, one line each."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

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
