"""Rendering stored Markdown costs work linear in the text, and a bounded time per text and per page.

Agents write whatever they are handed; one message must not pin a worker. These tests count the
parser's steps (deterministic) rather than time it: ``Meter.used`` is the work markdown-it did.
"""

from __future__ import annotations

import random
import time

import pytest

from dashboard.core import render_budget
from dashboard.core.render_budget import BASE_STEPS, STEPS_PER_CHAR, Meter, OverBudget, page_budget
from dashboard.core.rendering import _MD, render_untrusted_markdown

#: The message that took ~11 s to render before the budget: it passed the size and bracket guards.
BRACKETS_THEN_EMPHASIS = "[" * 999 + "".join(f"*a{k % 10}* " for k in range(19_000))

HOSTILE = {
    "unmatched brackets before emphasis": BRACKETS_THEN_EMPHASIS,
    "unmatched image brackets": "![" * 5_000 + "a" * 50_000,
    "brackets around code spans": "[`a` " * 15_000,
}


def steps_for(text: str) -> int:
    """The work markdown-it does on ``text`` with no budget to stop it."""
    meter = Meter(steps_left=10**12, deadline=time.monotonic() + 3600, page_deadline=None)
    _MD.render(text, {"meter": meter})
    return meter.used


def generated_markdown(rng: random.Random, blocks: int) -> str:
    """Markdown as agents write it: headings, prose with emphasis, code and links, lists, tables,
    quotes and fenced code, in random order."""
    words = ["refund", "order", "**shipped**", "*late*", "`A-18896`", "[docs](https://docs.example/x)",
             "customer", "~~old~~", "tool", "result"]  # fmt: skip

    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(4, 14))) + "."

    out = []
    for _ in range(blocks):
        kind = rng.randrange(6)
        if kind == 0:
            out.append("#" * rng.randint(1, 4) + " " + sentence())
        elif kind == 1:
            out.append(" ".join(sentence() for _ in range(rng.randint(1, 4))))
        elif kind == 2:
            out.append("\n".join(f"{rng.choice('-*+')} {sentence()}" for _ in range(rng.randint(2, 6))))
        elif kind == 3:
            rows = "\n".join(f"| {sentence()} | {rng.randint(0, 99)} |" for _ in range(rng.randint(1, 5)))
            out.append("| step | n |\n|---|---|\n" + rows)
        elif kind == 4:
            out.append("> " + sentence() + "\n> " + sentence())
        else:
            out.append(f'```json\n{{"amount": {rng.randint(1, 999)}, "ok": true}}\n```')
    return "\n\n".join(out)


@pytest.mark.parametrize("seed", range(5))
def test_work_on_ordinary_markdown_grows_linearly_with_its_length(seed):
    rng = random.Random(seed)
    sizes = (25, 50, 100, 200, 400)
    per_char = []
    for blocks in sizes:
        text = generated_markdown(rng, blocks)
        per_char.append(steps_for(text) / len(text))
    # Linear: the work per character stays flat (within noise of the random mix) as texts grow 16x,
    # and far below the budget, so ordinary Markdown is never cut.
    assert max(per_char) <= 1.5 * min(per_char), per_char
    assert max(per_char) < STEPS_PER_CHAR / 2


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_markdown_stops_within_its_step_budget_and_is_shown_as_plain_text(name):
    text = HOSTILE[name]
    # The step budget alone stops it (no clock involved): the same on every machine.
    steps = BASE_STEPS + STEPS_PER_CHAR * len(text)
    meter = Meter(steps_left=steps, deadline=time.monotonic() + 3600, page_deadline=None)
    with pytest.raises(OverBudget, match="parser steps"):
        _MD.render(text, {"meter": meter})
    assert meter.used == steps + 1
    html = render_untrusted_markdown(text)
    assert html.startswith('<p class="render-note">Shown as plain text: ')
    assert '<pre class="plain-text">' in html
    assert "<em>" not in html  # nothing of it was rendered as Markdown


def test_the_eleven_second_message_now_renders_in_well_under_a_second():
    # Not a timing assertion on speed: the bound is the budget's own backstop (TEXT_SECONDS).
    started = time.monotonic()
    html = render_untrusted_markdown(BRACKETS_THEN_EMPHASIS + " unique-1")
    assert "render-note" in html
    assert time.monotonic() - started < render_budget.TEXT_SECONDS * 4


def test_ordinary_markdown_is_rendered_as_markdown(monkeypatch):
    # Only the step budget is under test here: a loaded CI machine must not trip the time backstop.
    monkeypatch.setattr(render_budget, "TEXT_SECONDS", 60.0)
    text = generated_markdown(random.Random(7), 300)
    html = render_untrusted_markdown(text)
    assert "render-note" not in html
    assert "<table>" in html and "<strong>shipped</strong>" in html


def test_a_page_that_spent_its_budget_shows_the_rest_as_plain_text_with_the_reason():
    with page_budget(seconds=0):
        html = render_untrusted_markdown("**bold** and a [link](https://a.example) " + str(id(object())))
    assert html.startswith('<p class="render-note">Shown as plain text: this page already spent its')
    assert "**bold**" in html


def test_a_text_cut_only_by_a_busy_page_is_rendered_again_later(monkeypatch):
    monkeypatch.setattr(render_budget, "TEXT_SECONDS", 60.0)
    text = "**later** " + str(id(object()))
    with page_budget(seconds=0):
        assert "render-note" in render_untrusted_markdown(text)
    assert "<strong>later</strong>" in render_untrusted_markdown(text)


def test_every_request_gets_a_page_budget(client, django_user_model):
    seen = []

    def view_probe(get_response):
        def middleware(request):
            seen.append(render_budget.current_page_budget())
            return get_response(request)

        return middleware

    chain = render_budget.RenderBudgetMiddleware(view_probe(lambda request: None))
    chain(object())
    assert isinstance(seen[0], render_budget.PageBudget)
    assert render_budget.current_page_budget() is None  # and it ends with the request
