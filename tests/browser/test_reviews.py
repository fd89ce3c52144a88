"""The review queue in real Chromium, with the keyboard only: verdicts, a quick score, a label and a
note saved as they are made, undo, a reload mid-queue, two reviewers at once on the same queue,
and the same page at 390 px on a touch screen (buttons, no key hints). Under the strict CSP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from playwright.sync_api import Browser, Page, expect

from dashboard.core.store import use_store
from dashboard.demo import dataset
from dashboard.reviews.models import QueueItem, Review, ReviewQueue
from storeclient.sqlite import SQLiteStore

from .conftest import PASSWORD

DEMO_NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
SCORER = "answer-relevancy-scorer"
CSP_WATCH = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("reviews") / "mastra.db"
    with SQLiteStore(path) as store:
        dataset.write_small(store, seed=7, now=DEMO_NOW)
    return str(path)


@pytest.fixture
def reviewing(live_server, demo_file) -> Iterator[None]:
    with time_machine.travel(DEMO_NOW, tick=True), SQLiteStore(demo_file) as store, use_store(store):
        yield


def start_queue_with_keyboard(page: Page, live_server, **query: str) -> str:
    """Open the start form from a scorer-page link and submit it with Enter; returns the item URL."""
    params = "&".join(f"{k}={v}" for k, v in {"scorer": SCORER, "range": "all", **query}.items())
    page.goto(f"{live_server.url}/scores/(reviews)/start/?{params}")
    page.locator("input[name=size]").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    page.wait_for_url("**/queues/*/1/")
    return page.url


def saved(page: Page, text: str) -> None:
    expect(page.locator("#review-status [data-saved]")).to_contain_text(text)


def test_a_queue_reviewed_with_the_keyboard_only_survives_a_reload(signed_in, live_server, reviewing):
    page = signed_in("editor")
    page.add_init_script(CSP_WATCH)
    start_queue_with_keyboard(page, live_server)
    queue = ReviewQueue.objects.get()
    items = list(queue.items.order_by("position"))
    editor = User.objects.get(username="editor-persona")

    # Item 1: disagree, quick score 2 (0.25 on a 0–1 scale), a label, a note.
    page.keyboard.press("d")
    saved(page, "disagree")
    page.keyboard.press("2")
    saved(page, "0.25")
    page.keyboard.press("l")
    page.keyboard.press("Space")
    saved(page, "correct")  # the first label (alphabetical)
    page.keyboard.press("n")
    page.keyboard.type("Ignores the order number the user gave")
    page.keyboard.press("Escape")
    saved(page, "note")
    review = Review.objects.get(score_id=items[0].score_id, reviewer=editor)
    assert (review.verdict, review.human_score, review.note) == (
        "disagree",
        0.25,
        "Ignores the order number the user gave",
    )
    assert [label.name for label in review.labels.all()] == ["correct"]

    # Undo takes back the last change only (the note).
    page.keyboard.press("u")
    expect(page.locator("textarea[name=note]")).to_have_value("")
    expect(page.locator("[data-review-message]")).to_have_text("Undone.")
    review.refresh_from_db()
    assert (review.note, review.verdict) == ("", "disagree")

    # Next, agree on item 2, then close the tab mid-queue: reopening the queue resumes at item 3.
    page.keyboard.press("j")
    page.wait_for_url(f"**/queues/{queue.pk}/2/")
    page.keyboard.press("a")
    saved(page, "agree")
    page.goto(f"{live_server.url}/scores/(reviews)/queues/{queue.pk}/")
    page.wait_for_url(f"**/queues/{queue.pk}/3/")
    # Going back shows what was saved.
    page.keyboard.press("k")
    page.wait_for_url(f"**/queues/{queue.pk}/2/")
    expect(page.locator("input[name=verdict][value=agree]")).to_be_checked()
    # A reload of item 1 shows its verdict, score and label, as stored.
    page.goto(f"{live_server.url}/scores/(reviews)/queues/{queue.pk}/1/")
    expect(page.locator("input[name=verdict][value=disagree]")).to_be_checked()
    expect(page.locator("input[name=human_score]")).to_have_value("0.25")
    expect(page.locator("input[name=labels][value=correct]")).to_be_checked()
    assert Review.objects.filter(reviewer=editor).count() == 2
    assert page.evaluate("window.__csp") == []


def advance(page: Page) -> None:
    """Press j and wait until the next page has loaded."""
    before = page.url
    page.keyboard.press("j")
    page.wait_for_url(lambda url: url != before)
    page.wait_for_load_state("networkidle")


def _second_reviewer(browser: Browser, live_server) -> Page:
    user = User.objects.create_user(username="second-editor", password=PASSWORD)
    user.groups.add(Group.objects.get(name="editor"))
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    return page


def test_two_reviewers_at_once_lose_no_verdict_and_never_get_the_same_item(
    signed_in, live_server, reviewing, browser
):
    first = signed_in("editor")
    start_queue_with_keyboard(first, live_server)
    queue = ReviewQueue.objects.get()
    second = _second_reviewer(browser, live_server)
    second.goto(f"{live_server.url}/scores/(reviews)/queues/{queue.pk}/")
    second.wait_for_url(f"**/queues/{queue.pk}/2/")  # item 1 is open with the first reviewer

    # Both keep an item open and take turns giving verdicts and moving on, until the queue is done.
    # Each waits for the other's request to finish: the tests' in-memory SQLite database refuses
    # two writes at the same instant ("table is locked", no busy timeout), which a SQLite file
    # (busy timeout) or PostgreSQL (row locks) queue instead.
    for _ in range(2):
        first.keyboard.press("a")
        saved(first, "agree")
        second.keyboard.press("d")
        saved(second, "disagree")
        advance(first)
        advance(second)
    expect(first.locator("[data-nothing-left]")).to_be_visible()
    expect(second.locator("[data-nothing-left]")).to_be_visible()

    reviews = list(Review.objects.values_list("score_id", "reviewer__username", "verdict"))
    assert len(reviews) == QueueItem.objects.filter(queue=queue).count() == 4
    assert len({score_id for score_id, _, _ in reviews}) == 4  # nobody reviewed an item twice
    assert {name for _, name, _ in reviews} == {"editor-persona", "second-editor"}
    assert all(v == ("agree" if name == "editor-persona" else "disagree") for _, name, v in reviews)
    second.context.close()


def test_on_a_phone_the_queue_works_with_buttons_and_shows_no_key_hints(
    signed_in, live_server, reviewing, browser
):
    editor = signed_in("editor")
    start_queue_with_keyboard(editor, live_server)
    item_url = editor.url
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        storage_state=editor.context.storage_state(),
    )
    phone = context.new_page()
    phone.add_init_script(CSP_WATCH)
    phone.goto(item_url)
    # The page's own content fits (the site header's layout for phones is not this page's).
    too_wide = phone.evaluate(
        "() => Array.from(document.querySelectorAll('main *'))"
        ".filter((e) => e.getBoundingClientRect().right > 391 && e.getBoundingClientRect().width > 0)"
        ".map((e) => e.tagName + '.' + e.className)"
    )
    assert too_wide == []
    expect(phone.locator("kbd.kbd-hint").first).to_be_hidden()
    phone.locator("label.verdict-agree").tap()
    saved(phone, "agree")
    phone.locator("[data-quick-score='1']").tap()
    saved(phone, "· 1")
    phone.locator("a[data-review-nav=next]").tap()
    phone.wait_for_url("**/queues/*/2/")
    review = Review.objects.get()
    assert (review.verdict, review.human_score) == ("agree", 1.0)
    assert phone.evaluate("window.__csp") == []
    context.close()
