"""Security in a real browser: the user management pages and the login page run under the strict
CSP without a single violation, and a paused sign-in says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore

VIOLATIONS_JS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "mastra.db") as sqlite_store, use_store(sqlite_store):
        yield sqlite_store


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.add_init_script(VIOLATIONS_JS)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status == 404 else None)
    return errors


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_user_management_pages_run_under_the_strict_csp(signed_in, live_server, store):
    page = signed_in("admin")
    errors = watch(page)
    other = User.objects.create_user(username="maria", password="a long enough passphrase 42")
    for path in (
        "/admin/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{other.pk}/change/",
        "/accounts/users/",
        "/accounts/users/add/",
        f"/accounts/users/{other.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path
    assert errors == []
    # The admin's own script ran (the change list's select-all box is wired by actions.js).
    page.goto(f"{live_server.url}/admin/auth/user/")
    page.check("#action-toggle")
    expect(page.locator("input.action-select").first).to_be_checked()


def test_an_editor_is_refused_user_management(signed_in, live_server, store):
    page = signed_in("editor")
    response = page.goto(f"{live_server.url}/admin/auth/user/")
    assert response is not None and response.status == 403
    expect(page.get_by_text("Your role does not allow this.")).to_be_visible()


def test_a_paused_sign_in_tells_the_person_why(page: Page, live_server, db, settings, store):
    settings.LOGIN_FAILURES_PER_USER_IP = 2
    User.objects.create_user(username="vera", password="correct horse battery staple 42")
    errors = watch(page)
    for password in ("wrong one", "wrong two", "correct horse battery staple 42"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "vera")
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")
    assert "/accounts/login/" in page.url
    assert violations(page) == []
    assert [e for e in errors if "429" not in e] == []
