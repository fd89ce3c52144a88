"""User management in a real browser, at phone and desktop widths: the dashboard's own pages,
nothing wider than the screen, and a new user added with a link to set their password."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from dashboard.accounts.roles import role_of

from .layout_checks import page_overflow, past_the_edge


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)])
def test_an_admin_adds_a_user_and_changes_their_role_in_the_dashboards_own_pages(
    signed_in, live_server, width, height
):
    page = signed_in("admin")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/accounts/users/")
    expect(page.locator("h1")).to_have_text("Users")
    assert page_overflow(page) <= 0, past_the_edge(page)

    page.click("#add-user")
    page.fill("#id_username", "nora")
    page.select_option("#id_role", "editor")
    assert page_overflow(page) <= 0, past_the_edge(page)
    page.click("#add-user-button")
    expect(page.locator(".flash")).to_contain_text("Added nora as editor.")
    link = page.locator("#password-link-url").input_value()
    assert "/accounts/password/" in link
    assert page_overflow(page) <= 0, past_the_edge(page)

    page.select_option("#id_role", "viewer")
    page.click("#role-button")
    expect(page.locator(".flash")).to_contain_text("nora is now viewer.")
    expect(page.locator("#member-role")).to_have_text("viewer")
    assert role_of(User.objects.get(username="nora")) == "viewer"

    page.click("#deactivate-button")
    expect(page.locator("#member-deactivated")).to_be_visible()
    assert not User.objects.get(username="nora").is_active
    assert page_overflow(page) <= 0, past_the_edge(page)


def test_an_editor_meets_no_user_management(signed_in, live_server):
    page = signed_in("editor")
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    response = page.goto(f"{live_server.url}/accounts/users/")
    assert response is not None and response.status == 403
