"""Signing in: failed attempts pause one username at one address, slow down one address trying many
usernames (without locking out everyone behind it), and an htmx request whose session expired sends
the whole tab to the login page."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.dashboard.conftest import PASSWORD

LOGIN = "/accounts/login/"


def attempt(client: Client, username: str, password: str, ip: str = "203.0.113.7", **extra: str):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


@pytest.fixture
def fast_limits(settings):
    settings.LOGIN_FAILURES_PER_USER_IP = 5
    settings.LOGIN_FAILURES_PER_IP = 10
    settings.LOGIN_FAILURE_WINDOW = 900


def test_five_wrong_passwords_pause_that_account_from_that_address(client, vera, fast_limits):
    for _ in range(5):
        response = attempt(client, "vera", "guess")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    # The sixth try is refused before the password is looked at, even the right one.
    response = attempt(client, "vera", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed sign-in attempts" in text
    assert "try again in 15 minutes" in text
    assert "_auth_user_id" not in client.session


def test_the_pause_is_for_that_address_only(client, vera, fast_limits):
    for _ in range(5):
        attempt(client, "vera", "guess", ip="203.0.113.7")
    assert attempt(client, "vera", PASSWORD, ip="198.51.100.20").status_code == 302


def test_one_address_trying_many_usernames_is_slowed_down_not_locked_out(
    client, vera, fast_limits, monkeypatch
):
    import dashboard.accounts.ratelimit as ratelimit

    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    for n in range(10):
        attempt(client, f"someone-{n}", "guess")
    # Past the address's allowance: a short wait, said in seconds, not a 15-minute lock-out.
    response = attempt(client, "vera", PASSWORD)
    assert response.status_code == 429
    assert "try again in 1 second." in response.content.decode()
    assert response["Retry-After"] == "1"
    now[0] += 1
    assert attempt(client, "someone-10", "guess").status_code == 200
    # Each further failure makes the next wait a step longer.
    response = attempt(client, "vera", PASSWORD)
    assert response.status_code == 429
    assert "try again in 2 seconds." in response.content.decode()
    now[0] += 2
    # A teammate behind the same address still gets in once the short wait is over.
    assert attempt(client, "vera", PASSWORD).status_code == 302


def test_the_slowdown_has_a_ceiling(client, vera, fast_limits, settings, monkeypatch):
    import dashboard.accounts.ratelimit as ratelimit

    settings.LOGIN_SLOWDOWN_MAX = 3
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    for n in range(30):
        now[0] += 3
        attempt(client, f"someone-{n}", "guess")
    # Twenty failures past the allowance: still a wait of LOGIN_SLOWDOWN_MAX, never longer.
    response = attempt(client, "vera", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "3"
    now[0] += 3
    assert attempt(client, "vera", PASSWORD).status_code == 302


def test_the_pause_ends_when_the_window_does(client, vera, fast_limits, monkeypatch):
    import dashboard.accounts.ratelimit as ratelimit

    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    for _ in range(5):
        attempt(client, "vera", "guess")
    assert attempt(client, "vera", PASSWORD).status_code == 429
    now[0] += 901
    assert attempt(client, "vera", PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_earlier_failures(client, vera, fast_limits):
    for _ in range(4):
        attempt(client, "vera", "guess")
    assert attempt(client, "vera", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        attempt(client, "vera", "guess")
    assert attempt(client, "vera", PASSWORD).status_code == 302


def test_usernames_differing_in_case_share_a_counter(client, vera, fast_limits):
    for name in ("vera", "Vera", "VERA", "vEra", "veRa"):
        attempt(client, name, "guess")
    assert attempt(client, "vera", PASSWORD).status_code == 429


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_appended(client, vera, fast_limits, settings):
    settings.NUM_PROXIES = 1
    # Every request arrives from the proxy (10.0.0.2); a client-sent X-Forwarded-For entry is ignored.
    for n in range(5):
        attempt(client, "vera", "guess", ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 203.0.113.7")
    assert (
        attempt(client, "vera", PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code
        == 429
    )
    assert (
        attempt(client, "vera", PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4").status_code
        == 302
    )


def test_failures_and_the_pause_are_logged_without_the_password(client, vera, fast_limits, caplog):
    with caplog.at_level(logging.INFO, logger="dashboard.security"):
        for _ in range(5):
            attempt(client, "vera", "hunter2-typed-wrong")
    messages = [r.getMessage() for r in caplog.records if r.name == "dashboard.security"]
    assert messages[0] == "authn_login_fail user='vera' ip=203.0.113.7 failures=1/5 from_ip=1/10"
    assert "authn_login_lock user='vera' ip=203.0.113.7 for=900s" in messages
    assert "hunter2" not in caplog.text


def test_the_counters_are_shared_by_every_worker_through_the_database(client, vera, fast_limits):
    from dashboard.accounts.models import SignInCounter

    for _ in range(5):
        attempt(client, "vera", "guess")
    # What another worker or host reads: rows in the dashboard's database, without the username.
    counted = dict(SignInCounter.objects.values_list("counter_key", "attempts"))
    assert sorted(counted.values()) == [5, 5]
    assert not any("vera" in key for key in counted)
    assert attempt(Client(), "vera", PASSWORD).status_code == 429


def test_a_form_without_a_password_takes_no_attempt(client, vera, fast_limits):
    from dashboard.accounts.models import SignInCounter

    for _ in range(8):
        client.post(LOGIN, {"username": "vera", "password": ""}, REMOTE_ADDR="203.0.113.7")
    assert not SignInCounter.objects.filter(attempts__gt=0).exists()
    assert attempt(client, "vera", PASSWORD).status_code == 302


# --- htmx and expired sessions ------------------------------------------------------------------------


HTMX_FROM_THREADS = {"HX-Request": "true", "HX-Current-URL": "http://testserver/threads/?resource=user_1"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_htmx_request_without_a_session_gets_hx_redirect_to_the_login_page(client, method, db):
    response = getattr(client, method)("/threads/", headers=HTMX_FROM_THREADS)
    # Answered at once (no 302 for htmx to follow inside the XHR) with the page the tab shows as next.
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fthreads%2F%3Fresource%3Duser_1"
    assert response.content == b""


def test_a_boosted_navigation_without_a_session_is_a_plain_redirect(client, db):
    response = client.get("/threads/", headers={**HTMX_FROM_THREADS, "HX-Boosted": "true"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/threads/"


def test_a_foreign_current_url_is_not_used_as_next(client, db):
    response = client.get(
        "/threads/", headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"}
    )
    # Only the path is kept: after signing in the user lands on this site, whatever the header said.
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fx"
    assert "evil" not in response["HX-Redirect"]
