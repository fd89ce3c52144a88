"""Layout at a phone's width (390x844) and a laptop's (1440x900): the phone menu and the filters
fold, hostile content cannot push a page wide. Every page of the site is swept at both sizes by
test_site_sweep.py (with the checks in layout_checks.py)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from playwright.sync_api import expect

from dashboard.core.store import use_store
from storeclient.models import Message, Resource, Thread
from storeclient.sqlite import SQLiteStore
from tests.dashboard.thread_records import T0, Records, write

from .layout_checks import AREAS, check_fits, check_menu_reachable, in_viewport, open_menu  # noqa: F401
from .site_pages import DESKTOP, PHONE
from .waits import wait_until_settled


def test_the_phone_menu_is_folded_until_opened(signed_in, live_server, demo_store):
    page = signed_in("viewer")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/threads/")
    threads = page.get_by_role("navigation", name="Main").get_by_role("link", name="Threads")
    expect(threads).to_be_hidden()
    page.get_by_text("Menu").click()
    expect(threads).to_be_visible()
    threads.click()
    expect(page.locator("h1")).to_have_text("Threads")


def test_filters_fold_away_on_a_phone_and_stay_open_on_a_laptop(signed_in, live_server, demo_store):
    page = signed_in("viewer")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/workflows/?status=failed")
    status = page.locator(".filter-form select[name=status]")
    expect(status).to_be_hidden()
    expect(page.locator(".filter-bar-toggle")).to_contain_text("active")
    page.locator(".filter-bar-toggle").click()
    expect(status).to_be_visible()

    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/workflows/")
    expect(page.locator(".filter-bar-toggle")).to_be_hidden()
    expect(page.locator(".filter-form select[name=status]")).to_be_visible()
    apply = page.get_by_role("button", name="Apply")
    # One height for inputs, selects and the button.
    controls = [page.locator(f".filter-form [name={name}]") for name in ("workflow", "resource", "since")]
    heights = {round(control.bounding_box()["height"]) for control in controls}
    heights.add(round(apply.bounding_box()["height"]))
    assert len(heights) == 1, heights


def test_the_keyboard_hint_shows_only_with_a_mouse_and_keyboard(browser, live_server, signed_in, demo_store):
    page = signed_in("viewer")
    page.goto(live_server.url + "/threads/")
    expect(page.locator(".keys-hint")).to_be_visible()
    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        touch = phone.new_page()
        touch.goto(live_server.url + "/accounts/login/")
        # The hint is CSS-only; the login page carries the same stylesheet and media rules.
        hidden = touch.evaluate(
            "() => { const p = document.createElement('p'); p.className = 'keys-hint'; p.textContent = 'j';"
            " document.body.append(p); return getComputedStyle(p).display; }"
        )
        assert hidden == "none"
    finally:
        phone.close()


def wide_records() -> tuple[Records, str, str]:
    """Stored content built to push a page wide: unbroken tokens, a 24-column Markdown table, a
    long id and title, deep JSON with long keys."""
    token = "x" * 400
    table = "| " + " | ".join(f"column {i}" for i in range(24)) + " |\n|" + "---|" * 24 + "\n"
    table += "| " + " | ".join("value" for _ in range(24)) + " |\n"
    resource_id = "user_" + "r" * 200
    thread_id = "thread-wide"
    parts = [
        {"type": "text", "text": f"{token}\n\n{table}\n\n`{token}`\n\n    {token}"},
        {
            "type": "tool-invocation",
            "toolInvocation": {
                "state": "result",
                "toolCallId": "call_" + token,
                "toolName": "lookup_" + token,
                "args": {token: {token: [token]}},
                "result": {"url": "https://example.com/" + token},
            },
        },
    ]
    message = Message(
        "msg-wide",
        thread_id,
        "assistant",
        T0 + timedelta(minutes=1),
        {"format": 2, "parts": parts},
        resource_id,
    )
    thread = Thread(thread_id, resource_id, "T" * 300, T0, T0 + timedelta(minutes=1), {token: token})
    resource = Resource(resource_id, T0, T0, f"# Notes\n\n{token}\n\n{table}", {token: token})
    return Records([thread], [message], [resource]), thread_id, resource_id


def test_hostile_content_cannot_push_a_page_wider_than_a_phone(signed_in, live_server, tmp_path):
    records, thread_id, resource_id = wide_records()
    with SQLiteStore(tmp_path / "mastra.db") as store, use_store(store):
        write(store, records)
        page = signed_in("admin")
        page.set_viewport_size(PHONE)
        for path in [
            "/threads/",
            f"/threads/{thread_id}/",
            f"/resources/{quote(resource_id)}/",
            "/resources/",
        ]:
            page.goto(live_server.url + path)
            wait_until_settled(page)
            check_fits(page, path)
