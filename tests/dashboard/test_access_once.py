"""A signed-in user's roles and permissions are read once per request (dashboard/accounts/access.py),
and every answer is the one Django's ModelBackend gives from its own queries."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User

from dashboard.accounts.access import load_access
from dashboard.accounts.roles import set_role

from .html_query import find_all, find_one
from .thread_records import long_thread, write


def every_permission() -> list[str]:
    return [
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    ]


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("persona", ["vera", "eddie", "ada"])
def test_every_has_perm_answer_matches_model_backend_for_each_role(persona, request):
    user = request.getfixturevalue(persona)
    primed = fresh(user)
    load_access(primed)
    expected = ModelBackend().get_all_permissions(fresh(user))
    assert primed.get_all_permissions() == expected
    for permission in every_permission():
        assert primed.has_perm(permission) == (permission in expected), permission


def test_permissions_given_to_the_user_directly_and_through_another_group_count_too(vera):
    audit = Permission.objects.get(codename="view_audit")
    vera.user_permissions.add(audit)
    reviewers = Group.objects.create(name="night shift")
    reviewers.permissions.add(Permission.objects.get(codename="manage_users"))
    vera.groups.add(reviewers)
    primed = fresh(vera)
    access = load_access(primed)
    assert access.roles == ["viewer", "night shift"]
    assert primed.has_perm("accounts.view_audit")
    assert primed.has_perm("accounts.manage_users")
    assert not primed.has_perm("accounts.edit_working_memory")
    assert primed.get_all_permissions() == ModelBackend().get_all_permissions(fresh(vera))


def test_an_inactive_user_holds_no_permission(eddie):
    eddie.is_active = False
    eddie.save()
    primed = fresh(eddie)
    load_access(primed)
    assert not primed.has_perm("accounts.edit_working_memory")


def nav_areas(page: bytes) -> list[str]:
    return find_one(page, "ul", cls="nav-areas").text.split()


@pytest.mark.parametrize(("persona", "sees_admin_areas"), [("vera", False), ("eddie", False), ("ada", True)])
def test_the_header_shows_the_role_and_only_the_areas_the_role_may_see(
    client, request, persona, sees_admin_areas
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    page = client.get("/threads/").content
    assert (
        find_one(page, "p", cls="user-roles").text
        == {"vera": "viewer", "eddie": "editor", "ada": "admin"}[persona]
    )
    assert ("Audit" in nav_areas(page)) is sees_admin_areas
    assert ("Users" in nav_areas(page)) is sees_admin_areas
    assert "Threads" in nav_areas(page)


def test_a_role_change_shows_on_the_next_page(ada, ada_client):
    assert "Audit" in nav_areas(ada_client.get("/threads/").content)
    set_role(ada, "viewer")
    page = ada_client.get("/threads/").content
    assert find_one(page, "p", cls="user-roles").text == "viewer"
    assert "Audit" not in nav_areas(page)
    assert ada_client.get("/audit/").status_code == 403


#: The dashboard-database queries of a signed-in page: the session, the user, their preferences,
#: their roles and permissions (one query for both).
QUERIES_PER_PAGE = 4


@pytest.mark.parametrize("messages", [3, 40])
def test_a_thread_page_asks_the_dashboard_database_the_same_few_queries_however_long(
    vera_client, empty_store, django_assert_max_num_queries, messages
):
    records = write(empty_store, long_thread(messages))
    vera_client.get("/threads/")  # the session's first use (Django may save it once)
    with django_assert_max_num_queries(QUERIES_PER_PAGE):
        response = vera_client.get(f"/threads/{records.threads[0].id}/")
    assert response.status_code == 200
    assert len(find_all(response.content, "article", cls="message")) == messages


def test_the_thread_list_and_an_htmx_partial_ask_no_more(vera_client, django_assert_max_num_queries):
    vera_client.get("/threads/")
    with django_assert_max_num_queries(QUERIES_PER_PAGE):
        assert vera_client.get("/threads/").status_code == 200
    with django_assert_max_num_queries(QUERIES_PER_PAGE):
        response = vera_client.get("/threads/", headers={"HX-Request": "true", "HX-Target": "thread-table"})
    assert response.status_code == 200
