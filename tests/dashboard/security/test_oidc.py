"""Single sign-on through OpenID Connect, against a real provider on 127.0.0.1 (fake_oidc.py) that
issues real RS256-signed ID tokens. The browser's part (following redirects) is played by httpx
towards the provider and Django's test client towards the dashboard."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from dashboard.accounts.models import OIDCIdentity
from dashboard.accounts.oidc import forget_providers
from dashboard.accounts.oidc_config import OIDCSettings, load_oidc_settings
from dashboard.accounts.roles import role_of, set_role

from .fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeProvider

DANA = {
    "sub": "f3b0c2a4-5d1e-4c7b-9a8e-1f2d3c4b5a69",
    "email": "dana.whitfield@acme.example",
    "email_verified": True,
    "preferred_username": "dana",
    "given_name": "Dana",
    "family_name": "Whitfield",
    "groups": ["support-team"],
}


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider().start()
    yield fake
    fake.stop()


@pytest.fixture
def sso(provider: FakeProvider, settings, db) -> FakeProvider:
    provider.person, provider.tamper, provider.token_delay = dict(DANA), None, 0.0
    settings.OIDC = OIDCSettings(
        issuer=provider.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        provider_name="Acme SSO",
        allowed_email_domains=frozenset({"acme.example"}),
        admin_groups=frozenset({"dashboard-admins"}),
        editor_groups=frozenset({"dashboard-editors"}),
    )
    forget_providers()
    return provider


def sign_in(client: Client, next_url: str | None = None):
    """Press "Sign in with Acme SSO", let the provider answer, come back to the dashboard."""
    start = client.get("/accounts/oidc/login/", {"next": next_url} if next_url else {})
    assert start.status_code == 302, start.content[:500]
    at_provider = httpx.get(start["Location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert back.netloc == "testserver"
    return client.get(f"{back.path}?{back.query}")


def test_the_login_page_offers_single_sign_on_when_configured(client, sso):
    content = client.get("/accounts/login/?next=/threads/").content.decode()
    assert 'href="/accounts/oidc/login/?next=/threads/"' in content
    assert "Sign in with Acme SSO" in content


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(client, sso):
    location = client.get("/accounts/oidc/login/")["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert location.startswith(f"{sso.url}/authorize?")
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/accounts/oidc/callback/"
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 40 and len(query["nonce"]) >= 40 and len(query["code_challenge"]) == 43


def test_a_teammate_from_the_allowed_domain_signs_in_as_a_viewer(client, sso):
    response = sign_in(client, "/threads/")
    assert response.status_code == 302
    assert response["Location"] == "/threads/"
    user = User.objects.get(username="dana.whitfield@acme.example")
    assert (user.first_name, user.last_name, user.email) == (
        "Dana",
        "Whitfield",
        "dana.whitfield@acme.example",
    )
    assert role_of(user) == "viewer"
    assert not user.has_usable_password()
    assert OIDCIdentity.objects.get(user=user).subject == DANA["sub"]
    assert client.get("/").status_code == 200
    # The token request proved possession of the PKCE verifier with our client credentials.
    request = sso.token_requests[-1]
    assert request["form"]["code_verifier"] and request["authorization"].startswith("Basic ")


@pytest.mark.parametrize(
    ("groups", "role"),
    [(["dashboard-editors"], "editor"), (["dashboard-admins", "dashboard-editors"], "admin"), ([], "viewer")],
)
def test_the_role_comes_from_the_groups_claim(client, sso, groups, role):
    sso.person["groups"] = groups
    sign_in(client)
    user = User.objects.get(username=DANA["email"])
    assert role_of(user) == role
    assert user.is_staff == (role == "admin")
    assert client.get("/admin/").status_code == (200 if role == "admin" else 403)


def test_the_role_follows_the_provider_at_every_sign_in(client, sso):
    sso.person["groups"] = ["dashboard-admins"]
    sign_in(client)
    client.post("/accounts/logout/")
    sso.person["groups"] = ["support-team"]
    sign_in(client)
    user = User.objects.get(username=DANA["email"])
    assert role_of(user) == "viewer" and not user.is_staff
    assert User.objects.filter(username=DANA["email"]).count() == 1


def test_a_nested_role_claim_is_read_by_its_dotted_path(client, sso, settings):
    settings.OIDC = replace(settings.OIDC, role_claim="realm_access.roles")
    sso.person["realm_access"] = {"roles": ["dashboard-editors", "offline_access"]}
    sign_in(client)
    assert role_of(User.objects.get(username=DANA["email"])) == "editor"


@pytest.mark.parametrize(
    "person",
    [
        {**DANA, "email": "dana@gmail.example"},
        {**DANA, "email_verified": False},
        {key: value for key, value in DANA.items() if key != "email"},
    ],
    ids=["other-domain", "unverified-email", "no-email"],
)
def test_an_account_the_claims_do_not_admit_is_refused_and_not_created(client, sso, person):
    sso.person = person
    response = sign_in(client)
    assert response.status_code == 403
    assert "You cannot sign in to this dashboard" in response.content.decode()
    assert not User.objects.exclude(username__in=[]).filter(oidc_identities__isnull=False).exists()
    assert "_auth_user_id" not in client.session


def test_a_required_group_admits_whoever_holds_it(client, sso, settings):
    settings.OIDC = replace(
        settings.OIDC, allowed_email_domains=frozenset(), required_groups=frozenset({"dashboard-users"})
    )
    sso.person = {**DANA, "email": "contractor@elsewhere.example"}
    assert sign_in(client).status_code == 403
    sso.person["groups"] = ["dashboard-users"]
    assert sign_in(client).status_code == 302


@pytest.mark.parametrize(
    "tamper",
    [
        "wrong_audience",
        "extra_audience",
        "wrong_issuer",
        "expired",
        "wrong_nonce",
        "no_nonce",
        "foreign_key",
        "unknown_kid",
        "hs256",
        "alg_none",
    ],
)
def test_an_id_token_that_fails_any_check_signs_nobody_in(client, sso, tamper, caplog):
    sso.tamper = tamper
    with caplog.at_level(logging.WARNING, logger="dashboard.security"):
        response = sign_in(client)
    assert response.status_code == 400
    assert "The sign-in could not be verified" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username=DANA["email"]).exists()
    assert "authn_login_fail via=oidc" in caplog.text


def test_a_callback_is_accepted_once_and_only_for_the_state_we_issued(client, sso):
    start = client.get("/accounts/oidc/login/")
    back = urlsplit(httpx.get(start["Location"], follow_redirects=False).headers["Location"])
    forged = client.get(f"{back.path}?code=anything&state=made-up-state")
    assert forged.status_code == 400
    assert "expired or was already used" in forged.content.decode()
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.logout()
    replay = client.get(f"{back.path}?{back.query}")
    assert replay.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_callback_from_another_browser_session_is_refused(client, sso):
    start = client.get("/accounts/oidc/login/")
    back = urlsplit(httpx.get(start["Location"], follow_redirects=False).headers["Location"])
    # An attacker's own code and state, delivered to a victim's browser (login CSRF).
    victim = Client()
    assert victim.get(f"{back.path}?{back.query}").status_code == 400
    assert "_auth_user_id" not in victim.session


def test_the_provider_refusing_is_shown_as_such(client, sso):
    start = client.get("/accounts/oidc/login/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get("/accounts/oidc/callback/", {"state": state, "error": "access_denied"})
    assert response.status_code == 403
    assert "did not sign you in (access_denied)" in response.content.decode()


def test_a_rotated_signing_key_is_fetched_again(client, sso):
    sign_in(client)
    client.logout()
    fetched = sso.jwks_requests
    sso.rotate_key()
    assert sign_in(client).status_code == 302
    assert sso.jwks_requests == fetched + 1


def test_a_local_account_with_the_same_name_is_not_taken_over(client, sso, django_user_model):
    local = django_user_model.objects.create_user(username=DANA["email"], password="x" * 20)
    set_role(local, "admin")
    response = sign_in(client)
    assert response.status_code == 403
    assert "exists already and is not linked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_cannot_sign_in_through_the_provider(client, sso):
    sign_in(client)
    client.logout()
    User.objects.filter(username=DANA["email"]).update(is_active=False)
    assert sign_in(client).status_code == 403


def test_an_unreachable_provider_is_reported_without_a_crash(client, sso, settings):
    settings.OIDC = replace(settings.OIDC, issuer="http://127.0.0.1:9/realms/team", timeout=1.0)
    response = client.get("/accounts/oidc/login/")
    assert response.status_code == 502
    assert "could not be reached" in response.content.decode()


def test_a_hanging_token_endpoint_gives_up_after_the_timeout(client, sso, settings):
    settings.OIDC = replace(settings.OIDC, timeout=1.0)
    sso.token_delay = 3.0
    began = time.monotonic()
    response = sign_in(client)
    assert time.monotonic() - began < 2.5
    assert response.status_code == 502
    assert "could not be reached" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_nothing_secret_reaches_the_logs(client, sso, caplog):
    with caplog.at_level(logging.DEBUG):
        sign_in(client)
        sso.tamper = "wrong_nonce"
        client.logout()
        sign_in(client)
    request = sso.token_requests[-1]
    for secret in (CLIENT_SECRET, request["form"]["code"], request["form"]["code_verifier"]):
        assert secret not in caplog.text


def test_single_sign_on_is_off_without_an_issuer(client, db):
    assert client.get("/accounts/oidc/login/").status_code == 404
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


# --- configuration ---------------------------------------------------------------------------------

BASE_ENV = {
    "OIDC_ISSUER": "https://sso.acme.example/realms/team",
    "OIDC_CLIENT_ID": "dash",
    "OIDC_CLIENT_SECRET": "s",
}


def test_the_environment_maps_groups_to_roles():
    cfg = load_oidc_settings(
        BASE_ENV
        | {
            "OIDC_ALLOWED_EMAIL_DOMAINS": "acme.example, @acme.co.uk",
            "OIDC_ROLE_CLAIM": "roles",
            "OIDC_ADMIN_GROUPS": "dash-admins",
            "OIDC_EDITOR_GROUPS": "dash-editors,support-leads",
        }
    )
    assert cfg is not None
    assert cfg.allowed_email_domains == {"acme.example", "acme.co.uk"}
    assert cfg.role_claim == "roles"
    assert cfg.editor_groups == {"dash-editors", "support-leads"}
    assert cfg.default_role == "viewer"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (BASE_ENV, "nothing limits who may sign in"),
        (
            BASE_ENV | {"OIDC_ISSUER": "http://sso.acme.example", "OIDC_ALLOW_ALL_USERS": "True"},
            "OIDC_ISSUER must be an https",
        ),
        (
            {"OIDC_ISSUER": BASE_ENV["OIDC_ISSUER"], "OIDC_ALLOW_ALL_USERS": "True"},
            "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET",
        ),
        ({"OIDC_CLIENT_ID": "dash"}, "OIDC_ISSUER is not"),
        (BASE_ENV | {"OIDC_ALLOW_ALL_USERS": "True", "OIDC_DEFAULT_ROLE": "owner"}, "OIDC_DEFAULT_ROLE"),
    ],
)
def test_an_incomplete_or_unsafe_configuration_stops_the_start(env, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        load_oidc_settings(env)
