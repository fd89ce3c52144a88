"""Security headers and markup on every page the dashboard serves, full and as htmx fragments, on
its error pages (400 for a bad Host, 403, 404, 500, each store error panel) and on static files."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from dashboard.audit.models import Action, AuditEvent, Outcome
from storeclient.errors import (
    AuthError,
    BackendUnavailable,
    ConflictError,
    InvalidRequest,
    LimitError,
    NotDeployedError,
    StorageError,
    StoreError,
)

from .pages_checks import check_headers, check_html, nonce_of
from .sweep import all_pages, sample_values

RAISE: list[BaseException] = []


def raising_view(request: HttpRequest) -> HttpResponse:
    raise RAISE[0]


urlpatterns = [path("__raise__/", raising_view)]

STORE_ERRORS: list[StoreError] = [
    AuthError("The deployment refused the admin key (HTTP 401 BadAdminKey)."),
    BackendUnavailable("Could not connect to the Convex deployment."),
    NotDeployedError("mastra/storage:handle is not deployed.", function_path="mastra/storage:handle"),
    LimitError("Too many documents read in a single function execution."),
    StorageError("Mastra reported: table missing", code="MASTRA_STORAGE_ERROR"),
    ConflictError("Working memory changed since you opened it.", current=None),
    InvalidRequest("The cursor is not one this store issued."),
]


@pytest.fixture
def with_raising_route(settings):
    from dashboard import urls

    urlpatterns[1:] = urls.urlpatterns
    settings.ROOT_URLCONF = __name__
    yield
    del urlpatterns[1:]
    RAISE.clear()


@pytest.fixture
def audit_event(ada) -> AuditEvent:
    event = AuditEvent.start(
        ada,
        Action.WORKING_MEMORY_SAVE,
        "resource",
        "user_52e6b4",
        before="# User Information\n- **First Name**: Dana\n",
        after="# User Information\n- **First Name**: Dana\n- **Location**: Portland, OR\n",
    )
    event.finish(Outcome.APPLIED, result_version="v2")
    return event


@pytest.fixture
def every_page(demo_store, demo_set, ada, audit_event) -> list[tuple[str, str]]:
    values = sample_values(
        demo_set,
        demo_store,
        pk=str(audit_event.pk),
        object_id=str(ada.pk),
        id=str(ada.pk),
        content_type_id=str(ContentType.objects.get_for_model(User).pk),
    )
    return all_pages(values)


def test_every_page_carries_the_headers_and_strict_markup(ada_client, every_page):
    seen_html = 0
    for name, url in every_page:
        if name in ("accounts:logout", "admin:logout"):
            continue  # POST only
        response = ada_client.get(url)
        where = f"{name} {url} ({response.status_code})"
        assert response.status_code < 500, where
        check_headers(response, where)
        check_html(response, where)
        seen_html += "html" in response.get("Content-Type", "") and response.status_code == 200
    # The sweep really rendered pages, not only redirects and 404s.
    assert seen_html >= 20


def test_every_htmx_fragment_carries_the_headers_and_no_script(ada_client, every_page):
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}
    for name, url in every_page:
        if name in ("accounts:logout", "admin:logout"):
            continue
        response = ada_client.get(url, headers=headers)
        where = f"htmx {name} {url} ({response.status_code})"
        check_headers(response, where)
        check_html(response, where)


def test_fragments_never_carry_inline_scripts(ada_client, every_page):
    # A fragment's nonce is not the page's: a script in a swapped fragment could never run, so
    # there must be none (htmx's allowScriptTags is off as well).
    for name, url in every_page:
        if name.startswith(("admin:", "accounts:")):
            continue
        response = ada_client.get(url, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"})
        if response.status_code == 200 and not response.streaming and b"<html" not in response.content:
            assert b"<script" not in response.content, name


def test_each_response_gets_its_own_nonce(ada_client):
    first = nonce_of(ada_client.get("/threads/")["Content-Security-Policy"])
    second = nonce_of(ada_client.get("/threads/")["Content-Security-Policy"])
    assert first and second and first != second


def test_the_login_page_and_forbidden_and_missing_pages(client, vera_client):
    check_headers(response := client.get("/accounts/login/"), "login")
    check_html(response, "login")
    forbidden = vera_client.get("/audit/")
    assert forbidden.status_code == 403
    check_headers(forbidden, "403")
    check_html(forbidden, "403")
    missing = vera_client.get("/no-such-page/")
    assert missing.status_code == 404
    check_headers(missing, "404")
    check_html(missing, "404")


def test_the_server_error_page(vera, with_raising_route):
    client = Client(raise_request_exception=False)
    client.force_login(vera)
    RAISE[:] = [RuntimeError("something broke")]
    response = client.get("/__raise__/")
    assert response.status_code == 500
    check_headers(response, "500")
    check_html(response, "500")
    assert "something broke" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize("error", STORE_ERRORS, ids=[type(e).__name__ for e in STORE_ERRORS])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_every_store_error_panel(vera_client, with_raising_route, error, htmx):
    RAISE[:] = [error]
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"} if htmx else {}
    response = vera_client.get("/__raise__/", headers=headers)
    assert response.status_code >= 400
    check_headers(response, type(error).__name__)
    check_html(response, type(error).__name__)


def test_session_and_csrf_cookies_are_http_only_secure_and_same_site_lax(client, vera):
    from tests.dashboard.conftest import PASSWORD

    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "vera", "password": PASSWORD})
    assert response.status_code == 302
    session, csrf = response.cookies["sessionid"], client.cookies["csrftoken"]
    for cookie in (session, csrf):
        assert cookie["httponly"] is True, cookie.key
        assert cookie["secure"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key


def test_hsts_and_https_redirect_once_enabled(vera_client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = True
    plain = vera_client.get("/threads/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/threads/"
    secure = vera_client.get("/threads/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_x_forwarded_proto_is_trusted_only_when_configured(vera_client, settings):
    settings.SECURE_SSL_REDIRECT = True
    # Without DJANGO_TRUST_X_FORWARDED_PROTO a client cannot claim https by sending the header.
    assert vera_client.get("/threads/", headers={"X-Forwarded-Proto": "https"}).status_code == 301
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert vera_client.get("/threads/", headers={"X-Forwarded-Proto": "https"}).status_code == 200


def test_a_host_not_in_allowed_hosts_is_refused_with_the_headers(vera_client, client):
    for who, response in (
        ("signed in", vera_client.get("/threads/", headers={"Host": "evil.example"})),
        ("anonymous", client.get("/accounts/login/", headers={"Host": "evil.example"})),
    ):
        assert response.status_code == 400, who
        check_headers(response, f"bad host ({who})")


@pytest.mark.parametrize("name", ["css/app.css", "js/app.js", "vendor/htmx.org-2.0.11/htmx.min.js"])
def test_static_files_carry_the_headers(client, name):
    # WhiteNoise answers these before Django's header middleware would run.
    from django.templatetags.static import static

    response = client.get(static(name))
    assert response.status_code == 200, name
    check_headers(response, name)
    assert response["Content-Security-Policy"], name


def test_a_missing_static_file_carries_the_headers(client, db):
    response = client.get("/static/css/no-such-file.css")
    assert response.status_code == 404
    check_headers(response, "missing static file")


def test_csrf_is_enforced_for_htmx_posts_and_foreign_origins(eddie, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(eddie)
    client.get("/")
    token = client.cookies["csrftoken"].value
    url = "/resources/user_52e6b4/memory/"
    # htmx posts carry the token in X-CSRFToken (hx-headers on <body>); without it: 403.
    assert client.post(url, {"action": "review"}, headers={"HX-Request": "true"}).status_code == 403
    assert (
        client.post(
            url, {"action": "review"}, headers={"X-CSRFToken": token, "Origin": "https://evil.example"}
        ).status_code
        == 403
    )
    ok = client.post(url, {"action": "review"}, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert ok.status_code != 403


def test_users_pages_in_the_admin_meet_the_same_rules(ada_client, vera):
    for url in (
        "/admin/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{vera.pk}/change/",
        f"/admin/auth/user/{vera.pk}/password/",
        f"/admin/auth/user/{vera.pk}/delete/",
    ):
        response = ada_client.get(url)
        assert response.status_code == 200, url
        check_headers(response, url)
        check_html(response, url)
    assert User.objects.filter(pk=vera.pk).exists()
