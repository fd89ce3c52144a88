from __future__ import annotations

from django.urls import reverse

from .conftest import PASSWORD


def test_the_login_page_renders_our_form(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content
    assert b'name="password"' in response.content
    assert b'autocomplete="current-password"' in response.content


def test_a_wrong_password_is_refused_with_a_message(client, vera):
    response = client.post(reverse("accounts:login"), {"username": "vera", "password": "not it"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_signing_in_lands_on_the_overview(client, vera):
    response = client.post(reverse("accounts:login"), {"username": "vera", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:overview")


def test_signing_in_returns_to_the_page_that_asked(client, vera):
    response = client.get("/")
    assert response.status_code == 302
    login_url = response["Location"]
    response = client.post(login_url, {"username": "vera", "password": PASSWORD, "next": "/"})
    assert response["Location"] == "/"


def test_signing_in_never_redirects_to_another_site(client, vera):
    response = client.post(
        reverse("accounts:login"), {"username": "vera", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:overview")


def test_a_signed_in_user_visiting_the_login_page_goes_to_the_overview(vera_client):
    response = vera_client.get(reverse("accounts:login"))
    assert response.status_code == 302


def test_signing_out_takes_a_post_and_ends_the_session(vera_client):
    assert vera_client.get(reverse("accounts:logout")).status_code == 405
    response = vera_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert vera_client.get("/").status_code == 302


def test_the_page_shows_who_is_signed_in_and_their_role(eddie_client):
    content = eddie_client.get("/").content.decode()
    assert "eddie" in content
    assert "editor" in content
    assert 'action="/accounts/logout/"' in content
