"""The page frame in a real browser: strict CSP holds, and static/js/app.js handles htmx errors,
store error panels and expired sessions."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path
from playwright.sync_api import ConsoleMessage, Page, expect

from dashboard.core.store import use_store
from storeclient.errors import BackendUnavailable
from storeclient.sqlite import SQLiteStore


def store_down(request: HttpRequest) -> HttpResponse:
    raise BackendUnavailable(
        "Could not connect to the Convex deployment at https://happy-otter-123.convex.cloud."
    )


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def fragment(request: HttpRequest) -> HttpResponse:
    return HttpResponse('<p id="fresh">fresh rows</p>')


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "mastra.db") as sqlite_store, use_store(sqlite_store):
        yield sqlite_store


@pytest.fixture
def test_routes(settings, store):
    from dashboard import urls

    module = sys.modules[__name__]
    module.urlpatterns = [
        *urls.urlpatterns,
        path("_test/store-down/", store_down),
        path("_test/broken/", broken),
        path("_test/fragment/", fragment),
    ]
    settings.ROOT_URLCONF = __name__
    yield
    del module.urlpatterns


def watch_console(page: Page) -> list[str]:
    problems: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error" and "status of 50" not in message.text:
            problems.append(message.text)

    page.on("console", record)
    return problems


def add_htmx_region(page: Page, url: str) -> None:
    """A region that loads ``url`` with htmx, as area pages do (added after load, then processed)."""
    page.evaluate(
        """url => {
            const region = document.createElement("section");
            region.id = "region";
            region.setAttribute("hx-get", url);
            region.setAttribute("hx-trigger", "load");
            region.textContent = "loading";
            document.querySelector("main").append(region);
            htmx.process(region);
        }""",
        url,
    )


def test_the_overview_runs_under_the_strict_csp_without_errors(signed_in, test_routes):
    page = signed_in("viewer")
    problems = watch_console(page)
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Overview")
    assert page.evaluate("typeof htmx") == "object"
    assert problems == []


def test_a_fragment_swaps_in(signed_in, test_routes):
    page = signed_in("viewer")
    add_htmx_region(page, "/_test/fragment/")
    expect(page.locator("#region #fresh")).to_have_text("fresh rows")


def test_a_store_error_panel_replaces_the_region_instead_of_a_toast(signed_in, test_routes):
    page = signed_in("viewer")
    add_htmx_region(page, "/_test/store-down/")
    panel = page.locator("#region #store-error")
    expect(panel).to_contain_text("The store is not reachable")
    expect(panel).to_contain_text("What to check")
    expect(page.locator("#toasts .toast")).to_have_count(0)


def test_a_server_error_shows_a_toast_and_leaves_the_page_alone(signed_in, test_routes):
    page = signed_in("viewer")
    add_htmx_region(page, "/_test/broken/")
    expect(page.locator("#toasts .toast")).to_contain_text("(500)")
    expect(page.locator("#region")).to_have_text("loading")


def test_an_expired_session_sends_the_tab_to_the_login_page_and_back(signed_in, test_routes):
    page = signed_in("viewer")
    page.context.clear_cookies()
    add_htmx_region(page, "/_test/fragment/")
    page.wait_for_url("**/accounts/login/?next=%2F")
    expect(page.locator("h1")).to_have_text("Sign in")
