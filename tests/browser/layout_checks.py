"""Width checks: the whole page against the viewport (``check_fits``, the layout sweep's), the
menu's reachability, and the pages' own content (<main>) at phone size (``page_overflow``)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect


def past_the_edge(page: Page) -> list[str]:
    """The elements of <main> reaching past the viewport's right edge (for the failure message)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')]
          .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
          .map(e => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)
          .slice(0, 10)"""
    )


def page_overflow(page: Page) -> int:
    """How many pixels these pages' content (<main>) is wider than the viewport: 0 when tables scroll
    inside their card. (The site header is base.html's, checked by the layout's own tests.)"""
    return int(page.evaluate("document.querySelector('main').scrollWidth - window.innerWidth"))


#: Elements wider than the viewport, or reaching past its edges, that no scroll box holds.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const inside = (rect) => rect.left >= -1 && rect.right <= width + 1;
  const clips = (el) => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(el).overflowX);
  const offenders = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".skip-link, .visually-hidden")) continue;
    const rect = el.getBoundingClientRect();
    if ((rect.width === 0 && rect.height === 0) || inside(rect)) continue;
    let box = el.parentElement, held = false;
    for (; box && box !== document.body; box = box.parentElement) {
      if (clips(box) && inside(box.getBoundingClientRect())) { held = true; break; }
    }
    if (!held) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
      const where = el.parentElement ? el.parentElement.tagName.toLowerCase() + "." + (el.parentElement.className || "") : "";
      offenders.push(name + " in " + where + " [" + Math.round(rect.left) + ".." + Math.round(rect.right) + "]");
    }
  }
  return {pageWidth: document.documentElement.scrollWidth, width, offenders: offenders.slice(0, 8)};
}"""


def check_fits(page: Page, name: str) -> None:
    result: dict[str, Any] = page.evaluate(OVERFLOW_JS)
    assert result["pageWidth"] <= result["width"], f"{name}: the page scrolls sideways ({result})"
    assert result["offenders"] == [], f"{name}: elements outside the viewport: {result['offenders']}"


def in_viewport(page: Page, selector_or_locator: Any) -> bool:
    box = selector_or_locator.bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def open_menu(page: Page) -> None:
    toggle = page.locator(".site-menu-toggle")
    if toggle.is_visible():
        toggle.click()


def check_menu_reachable(page: Page, labels: list[str]) -> None:
    open_menu(page)
    nav = page.get_by_role("navigation", name="Main")
    for label in labels:
        link = nav.get_by_role("link", name=label, exact=True)
        expect(link).to_be_visible()
        assert in_viewport(page, link), f"{label} is off-screen"
    user = page.locator(".user-menu > summary")
    if user.is_visible():
        user.click()
    sign_out = nav.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    assert in_viewport(page, sign_out), "Sign out is off-screen"


AREAS = ["Overview", "Threads", "Resources", "Workflows", "Scores", "Audit", "Users"]
