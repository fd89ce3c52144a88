"""Worst-case Markdown render time per message and per page, before and after the render budget.

"Before" is what the dashboard did until the budget: markdown-it-py + nh3 on any text under
100,000 characters with at most 1,000 "[" (both guards pass every case below). "After" is
``render_untrusted_markdown`` with its budget (``dashboard.core.render_budget``): linear work per
text, ``TEXT_SECONDS`` per text, ``PAGE_SECONDS`` per page. Both run in this process, one after the
other, on the same machine. A page is six hostile messages rendered in one request's budget, as a
thread page renders its messages.

    .venv/bin/python bench/render_budget.py [--skip-before-page]

``--skip-before-page`` leaves out the slowest figure (six messages the old way: about a minute).
Figures are for comparison within one run, never pass/fail.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from markdown_it import MarkdownIt  # noqa: E402

from dashboard.core import render_budget  # noqa: E402
from dashboard.core.rendering import _CLEANER, render_untrusted_markdown  # noqa: E402

CASES: dict[str, Callable[[int], str]] = {
    "999 '[' then 19,000 emphasised words": lambda k: (
        "[" * 999 + "".join(f"*a{j % 10}* " for j in range(19_000)) + f" {k}"
    ),
    "5,000 '![' then text": lambda k: "![" * 5_000 + "a" * 50_000 + f" {k}",
    "15,000 '[`a`'": lambda k: "[`a` " * 15_000 + f" {k}",
    "50,000 one-letter lines": lambda k: "a\n" * 49_990 + f"{k}",
    "19,000 emphasised words": lambda k: "".join(f"*a{j % 10}* " for j in range(19_000)) + f" {k}",
    "prose with links, 88k chars": lambda k: (
        "The order **shipped** late; see [the docs](https://docs.example/x) and `A-18896`.\n\n" * 1_050
        + f"{k}"
    ),
}


def _old_markdown() -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    return md


OLD_MD = _old_markdown()


def render_before(text: str) -> str:
    if len(text) > 100_000 or text.count("[") > 1_000:
        return "plain"
    return _CLEANER.clean(OLD_MD.render(text))


def seconds(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skip-before-page", action="store_true")
    args = parser.parse_args()
    print(
        f"budget: {render_budget.STEPS_PER_CHAR} steps/char + {render_budget.BASE_STEPS:,}, "
        f"{render_budget.TEXT_SECONDS:g} s per text, {render_budget.PAGE_SECONDS:g} s per page"
    )
    print(f"{'message':40s} {'chars':>7s} {'before s':>9s} {'after s':>8s} {'ratio':>7s}  after shows")
    worst_before = worst_after = 0.0
    for serial, (name, make) in enumerate(CASES.items()):
        text = make(serial)
        before = seconds(lambda text=text: render_before(text))
        html = ""

        def after(text: str = text + " after") -> None:
            nonlocal html
            html = render_untrusted_markdown(text)

        after_s = seconds(after)
        shown = "plain text" if "render-note" in html[:40] else "Markdown"
        worst_before, worst_after = max(worst_before, before), max(worst_after, after_s)
        print(f"{name:40s} {len(text):7,d} {before:9.3f} {after_s:8.3f} {before / after_s:7.1f}  {shown}")
    print(f"worst message: before {worst_before:.3f} s, after {worst_after:.3f} s")

    hostile = CASES["999 '[' then 19,000 emphasised words"]
    texts = [hostile(1_000 + i) for i in range(6)]
    with render_budget.page_budget():
        page_after = seconds(lambda: [render_untrusted_markdown(t) for t in texts])
    if args.skip_before_page:
        print(f"page of 6 such messages: after {page_after:.3f} s (before: skipped)")
    else:
        page_before = seconds(lambda: [render_before(t + " before") for t in texts])
        print(
            f"page of 6 such messages: before {page_before:.3f} s, after {page_after:.3f} s "
            f"({page_before / page_after:.0f}x)"
        )


if __name__ == "__main__":
    main()
