"""How much work rendering one untrusted text, and one page of them, may cost.

markdown-it-py is pure Python and, on hostile input, far from linear: a message of 999 "[" followed by
19,000 emphasised words passes every size guard and took ~11 s, because each unmatched "[" re-scans
the rest of the paragraph looking for its "]". No size limit alone bounds that, so rendering is
metered instead:

* **Per text, in steps** (deterministic): every block-rule attempt, inline-rule attempt and token skip
  markdown-it makes is one step, and a text may take at most ``STEPS_PER_CHAR`` steps per character
  (plus ``BASE_STEPS``). Ordinary Markdown needs well under one step per character; the quadratic
  cases run out of steps and the text is shown as plain text. The work is therefore linear in the
  input, whatever the input.
* **Per text, in time** (a backstop): ``TEXT_SECONDS``, checked every ``CLOCK_EVERY`` steps, for the
  linear-but-slow shapes (100,000 characters of table rows take seconds in pure Python).
* **Per page, in time**: ``PAGE_SECONDS`` of Markdown rendering per request (a thread page shows up
  to 40 messages). Once spent, the remaining texts on that page are shown as plain text with a note.
  ``RenderBudgetMiddleware`` opens one budget per request; code outside a request has no page limit.

A text shown as plain text loses nothing: it is escaped and shown whole, with the reason above it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse

#: Steps a text may take per character of input, on top of ``BASE_STEPS``.
STEPS_PER_CHAR = 4
BASE_STEPS = 20_000
#: Wall-clock backstop for one text, and the Markdown time one page may spend in all.
TEXT_SECONDS = 1.0
PAGE_SECONDS = 2.0
#: Reading the clock costs more than a step; do it once in this many steps.
CLOCK_EVERY = 1024


class OverBudget(Exception):
    """Rendering stopped: ``reason`` says which budget ran out, in words for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class PageBudget:
    """The Markdown time left to one request."""

    seconds: float = PAGE_SECONDS
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    @property
    def spent(self) -> bool:
        return time.monotonic() >= self.deadline


_page: ContextVar[PageBudget | None] = ContextVar("markdown_page_budget", default=None)


def current_page_budget() -> PageBudget | None:
    return _page.get()


@contextmanager
def page_budget(seconds: float = PAGE_SECONDS) -> Iterator[PageBudget]:
    """Bound the Markdown rendering done inside the block to ``seconds`` in all."""
    budget = PageBudget(seconds)
    token = _page.set(budget)
    try:
        yield budget
    finally:
        _page.reset(token)


@dataclass
class Meter:
    """Counts one text's steps; raises ``OverBudget`` when a budget runs out."""

    steps_left: int
    deadline: float
    page_deadline: float | None
    used: int = 0

    @classmethod
    def for_text(cls, text: str) -> Meter:
        now = time.monotonic()
        page = _page.get()
        return cls(
            steps_left=BASE_STEPS + STEPS_PER_CHAR * len(text),
            deadline=now + TEXT_SECONDS,
            page_deadline=page.deadline if page else None,
        )

    def step(self) -> None:
        self.used += 1
        if self.used > self.steps_left:
            raise OverBudget(
                f"its Markdown would take more than {self.steps_left:,} parser steps "
                f"({STEPS_PER_CHAR} per character)"
            )
        if self.used % CLOCK_EVERY == 0:
            now = time.monotonic()
            if now > self.deadline:
                raise OverBudget(f"rendering it as Markdown took longer than {TEXT_SECONDS:g} s")
            if self.page_deadline is not None and now > self.page_deadline:
                raise OverBudget(page_spent_reason())


def page_spent_reason() -> str:
    return f"this page already spent its {PAGE_SECONDS:g} s of Markdown rendering"


class RenderBudgetMiddleware:
    """One ``PageBudget`` per request, so no page spends more than ``PAGE_SECONDS`` on Markdown."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with page_budget():
            return self.get_response(request)
