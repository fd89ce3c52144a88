"""Theme and time zone in a real browser: the default zone is the browser's, and both choices
follow the user into a new session on another browser."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from .conftest import PASSWORD
from .site_pages import DESKTOP


def background_lightness(page: Page) -> int:
    rgb = page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")
    values = [int(v) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    return sum(values) // 3


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_theme_and_time_zone_persist_into_a_new_session(browser: Browser, live_server, signed_in, demo_store):
    first = browser.new_context(viewport=DESKTOP, timezone_id="America/New_York", color_scheme="light")
    try:
        page = first.new_page()
        # The persona is made by signed_in on its own page; this context signs in as them too.
        signed_in("viewer").context.close()
        sign_in(page, live_server.url, "viewer-persona")
        page.goto(live_server.url + "/threads/")
        first_time = page.locator("table.thread-rows time").first
        # No choice yet: times follow the browser's zone.
        assert first_time.get_attribute("title").endswith(("EST", "EDT"))
        assert page.evaluate("document.documentElement.dataset.theme") is None
        assert background_lightness(page) > 200

        page.locator(".user-menu > summary").click()
        page.get_by_role("button", name="Dark").click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/threads/"), "the switch returns to the page it was used on"
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert background_lightness(page) < 60

        page.goto(live_server.url + "/preferences/")
        page.get_by_label("Time zone").select_option("Asia/Tokyo")
        page.get_by_role("button", name="Save preferences").click()
        expect(page.locator(".flash")).to_have_text("Preferences saved.")
    finally:
        first.close()

    other = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Oslo", color_scheme="light")
    try:
        page = other.new_page()
        sign_in(page, live_server.url, "viewer-persona")
        page.goto(live_server.url + "/threads/")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert background_lightness(page) < 60
        assert page.locator("table.thread-rows time").first.get_attribute("title").endswith("JST")
        page.locator(".user-menu > summary").click()
        expect(page.locator(".user-menu-link")).to_contain_text("times in Asia/Tokyo")
    finally:
        other.close()
