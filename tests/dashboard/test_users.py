"""/accounts/users/: admins manage the team's accounts in the dashboard's own pages; viewers and
editors are refused, a POST with a valid CSRF token included; every change is in the audit log."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth.models import AbstractBaseUser, User
from django.test import Client

from dashboard.accounts.roles import role_of
from dashboard.audit.models import Action, AuditEvent

from .conftest import PASSWORD

USERS = "/accounts/users/"
ADD = "/accounts/users/add/"


def user_url(user: AbstractBaseUser) -> str:
    return f"/accounts/users/{user.pk}/"


def audited(action: str) -> list[tuple[str, str, str]]:
    """(who, target, detail) of each recorded event of ``action``, oldest first."""
    return [(e.username, e.target, e.detail) for e in AuditEvent.objects.filter(action=action).order_by("pk")]


def csrf_client(user: AbstractBaseUser) -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, and a valid token it got from a page it may see."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/")
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page.text)
    assert token, "no CSRF token on the overview"
    return client, token.group(1)


def test_admins_see_every_user_with_role_status_and_how_they_sign_in(ada_client, vera, eddie):
    response = ada_client.get(USERS)
    assert response.status_code == 200
    row = response.text.split(f'id="user-{eddie.pk}"')[1].split("</tr>")[0]
    assert "eddie" in row and ">editor<" in row and "active" in row and "password" in row
    assert ">viewer<" in response.text.split(f'id="user-{vera.pk}"')[1].split("</tr>")[0]
    assert "3 users" in response.text


def test_the_navigation_takes_admins_to_the_dashboards_own_user_pages(ada_client):
    assert f'href="{USERS}"' in ada_client.get("/").text


@pytest.mark.parametrize("persona", ["vera", "eddie"])
def test_viewers_and_editors_are_refused_every_page_and_every_post(persona, request, ada):
    user = request.getfixturevalue(persona)
    client, token = csrf_client(user)
    assert f'href="{USERS}"' not in client.get("/").text
    for url in (USERS, ADD, user_url(ada)):
        assert client.get(url).status_code == 403, url
    posts = [
        (ADD, {"username": "mallory", "role": "admin"}),
        (user_url(user), {"action": "role", "role": "admin"}),
        (user_url(ada), {"action": "deactivate"}),
        (user_url(ada), {"action": "password_link"}),
    ]
    for url, data in posts:
        response = client.post(url, {**data, "csrfmiddlewaretoken": token})
        assert response.status_code == 403, url
    assert not User.objects.filter(username="mallory").exists()
    assert role_of(user) == persona_role(persona)
    assert User.objects.get(pk=ada.pk).is_active
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def persona_role(persona: str) -> str:
    return {"vera": "viewer", "eddie": "editor"}[persona]


def test_an_admin_adds_a_user_who_then_sets_their_own_password_through_the_link(ada_client, client):
    response = ada_client.post(ADD, {"username": "nora", "email": "nora@example.com", "role": "editor"})
    assert response.status_code == 200
    nora = User.objects.get(username="nora")
    assert role_of(nora) == "editor" and not nora.has_usable_password()
    link = unescape(re.search(r'id="password-link-url" class="mono" value="([^"]+)"', response.text).group(1))
    assert audited(Action.USER_CREATE) == [("ada", "user:nora", "role editor")]
    [(who, target, detail)] = audited(Action.USER_PASSWORD_RESET)
    assert (who, target) == ("ada", "user:nora") and link.rsplit("/", 2)[1] not in detail

    # Nora, signed out, opens the link and chooses her password.
    anonymous = Client()
    form_page = anonymous.get(link, follow=True)
    assert form_page.status_code == 200 and "Set your password" in form_page.text
    new_password = "a long and new passphrase 7"
    done = anonymous.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    assert audited(Action.USER_PASSWORD_SET) == [("nora", "user:nora", "through a link")]
    assert (
        anonymous.post("/accounts/login/", {"username": "nora", "password": new_password}).status_code == 302
    )
    # The link works once.
    again = Client().get(link, follow=True)
    assert "This link has been used or has expired" in again.text


def test_a_second_user_with_the_same_name_is_refused(ada_client, eddie):
    response = ada_client.post(ADD, {"username": "Eddie", "role": "viewer"})
    assert response.status_code == 400
    assert "There is already a user with that name." in response.text
    assert not audited(Action.USER_CREATE)


def test_changing_a_role_is_audited_with_before_and_after(ada_client, vera):
    response = ada_client.post(user_url(vera), {"action": "role", "role": "editor"})
    assert response.status_code == 303
    assert role_of(User.objects.get(pk=vera.pk)) == "editor"
    assert audited(Action.USER_ROLE) == [("ada", "user:vera", "viewer → editor")]
    event = AuditEvent.objects.get(action=Action.USER_ROLE)
    assert (event.before, event.after) == ("viewer", "editor")
    # Saving the same role again changes nothing and records nothing.
    ada_client.post(user_url(vera), {"action": "role", "role": "editor"})
    assert len(audited(Action.USER_ROLE)) == 1


def test_an_unknown_role_is_refused(ada_client, vera):
    response = ada_client.post(user_url(vera), {"action": "role", "role": "superuser"})
    assert response.status_code == 400
    assert role_of(User.objects.get(pk=vera.pk)) == "viewer"


def test_an_admin_cannot_demote_or_deactivate_themselves(ada_client, ada):
    demote = ada_client.post(user_url(ada), {"action": "role", "role": "viewer"})
    assert demote.status_code == 409
    assert "You cannot take the admin role from yourself" in demote.text
    deactivate = ada_client.post(user_url(ada), {"action": "deactivate"})
    assert deactivate.status_code == 409
    ada.refresh_from_db()
    assert role_of(ada) == "admin" and ada.is_active
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in_until_reactivated(ada_client, eddie):
    eddies_session = Client()
    eddies_session.force_login(eddie)
    assert eddies_session.get("/").status_code == 200

    assert ada_client.post(user_url(eddie), {"action": "deactivate"}).status_code == 303
    assert eddies_session.get("/").status_code == 302  # back to the login page
    refused = Client().post("/accounts/login/", {"username": "eddie", "password": PASSWORD})
    assert refused.status_code == 200
    assert "deactivated" in ada_client.get(USERS).text

    assert ada_client.post(user_url(eddie), {"action": "activate"}).status_code == 303
    assert Client().post("/accounts/login/", {"username": "eddie", "password": PASSWORD}).status_code == 302
    assert list(
        AuditEvent.objects.filter(action__startswith="user.").order_by("pk").values_list("action", flat=True)
    ) == [
        Action.USER_DEACTIVATE,
        Action.USER_ACTIVATE,
    ]


def test_the_page_after_adding_a_user_posts_its_changes_to_that_users_page(ada_client):
    # It is rendered at /users/add/: a form without its own action would post there instead.
    response = ada_client.post(ADD, {"username": "nora", "role": "viewer"})
    nora = User.objects.get(username="nora")
    for form_id in ("role-form", "password-link-form", "active-form"):
        form = response.text.split(f'id="{form_id}"')[0].rsplit("<form", 1)[1]
        assert f'action="/accounts/users/{nora.pk}/"' in form, form_id


def test_changes_made_in_the_django_admin_are_audited_too(ada_client, eddie):
    from .security.test_roles import _change_form

    added = ada_client.post(
        "/admin/auth/user/add/",
        {
            "username": "maria",
            "role": "editor",
            "usable_password": "true",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )
    assert added.status_code == 302
    url = f"/admin/auth/user/{eddie.pk}/change/"
    assert ada_client.post(url, _change_form(ada_client, eddie) | {"role": "admin"}).status_code == 302
    assert (
        ada_client.post(url, _change_form(ada_client, eddie) | {"role": "admin", "is_active": ""}).status_code
        == 302
    )
    maria = User.objects.get(username="maria")
    assert ada_client.post(f"/admin/auth/user/{maria.pk}/delete/", {"post": "yes"}).status_code == 302
    recorded = list(
        AuditEvent.objects.filter(action__startswith="user.")
        .order_by("pk")
        .values_list("action", "target_id", "detail")
    )
    assert recorded == [
        (Action.USER_CREATE, "maria", "role editor (in the Django admin)"),
        (Action.USER_ROLE, "eddie", "editor → admin"),
        (Action.USER_DEACTIVATE, "eddie", ""),
        (Action.USER_DELETE, "maria", ""),
    ]
