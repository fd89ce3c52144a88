"""Width checks for the pages' own content (<main>) at phone size. The site header is base.html's
and has its layout tests of its own."""

from __future__ import annotations

from playwright.sync_api import Page


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
