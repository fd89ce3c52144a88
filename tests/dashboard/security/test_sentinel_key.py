"""The Convex admin key never leaves the server: not in a page, a fragment, an error page, a store
error panel, a static file, a header or a log line (every logger at DEBUG, httpx and httpcore
included).

The dashboard runs against a real local Convex backend started with a unique sentinel key, holding
the demo data, and is driven through every page as an admin; then through each kind of store error
with that key configured: a backend that rejects it, one that is down, a missing function, and
errors whose messages quote the key.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from dashboard.audit.models import AuditEvent
from dashboard.core.store import get_store, reset_store
from dashboard.demo import dataset
from dashboard.demo.convex_dev import ConvexDevServer
from storeclient.convex import ConvexStore
from storeclient.errors import (
    AuthError,
    BackendUnavailable,
    ConflictError,
    InvalidRequest,
    LimitError,
    NotDeployedError,
    StorageError,
)
from tests.dashboard.conftest import DEMO_NOW

from .sweep import all_pages, sample_values

pytestmark = [pytest.mark.convex, pytest.mark.slow]

#: Shaped like a real key ("<deployment>|<secret>"), unique to this run.
SENTINEL = f"prod:sentinel-otter-481|convex-SENTINEL-{secrets.token_hex(16)}"
SECRET_HALF = SENTINEL.partition("|")[2]

RAISE: list[BaseException] = []


def raising_view(request: HttpRequest) -> HttpResponse:
    raise RAISE[0]


urlpatterns = [path("__raise__/", raising_view)]


@pytest.fixture(scope="module")
def sentinel_server() -> Iterator[ConvexDevServer]:
    with ConvexDevServer(admin_key=SENTINEL) as server:
        yield server


@pytest.fixture(scope="module")
def other_key_server() -> Iterator[ConvexDevServer]:
    """A deployment whose key is not the one the dashboard holds: it answers 401 BadAdminKey."""
    with ConvexDevServer() as server:
        yield server


@pytest.fixture(scope="module")
def seeded(sentinel_server: ConvexDevServer) -> tuple[dataset.DemoData, str, str]:
    sentinel_server.reset()
    store = ConvexStore(sentinel_server.url, SENTINEL)
    try:
        data = dataset.write_small(store, seed=11, now=DEMO_NOW)
        values = sample_values(data, store)
    finally:
        store.close()
    return data, values["scorer_id"], values["score_id"]


@pytest.fixture
def convex_settings(settings, sentinel_server):
    """The dashboard configured as a deploy would be: CONVEX_URL and the (sentinel) key."""
    settings.STORE_BACKEND = "convex"
    settings.CONVEX_URL = sentinel_server.url
    settings.CONVEX_ADMIN_KEY = SENTINEL
    reset_store()
    yield settings
    reset_store()


@pytest.fixture
def all_logs(caplog) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in (
        "httpx",
        "httpcore",
        "django",
        "django.request",
        "django.db.backends",
        "storeclient",
        "dashboard",
    ):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def assert_no_sentinel_in(response: HttpResponse, where: str) -> None:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    cookies = response.cookies.output()
    for secret in (SENTINEL, SECRET_HALF):
        assert secret not in text, f"{where}: the admin key is in the body"
        assert secret not in headers + cookies, f"{where}: the admin key is in a header"


def assert_no_sentinel_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records, "nothing was logged: the capture is not working"
    for record in caplog.records:
        parts = [record.getMessage(), record.exc_text or "", repr(record.args), repr(record.__dict__)]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        blob = "\n".join(parts)
        for secret in (SENTINEL, SECRET_HALF):
            assert secret not in blob, f"log record {record.name}: {record.getMessage()[:200]}"


def test_no_page_or_fragment_shows_the_admin_key(convex_settings, seeded, ada, all_logs):
    data, scorer_id, score_id = seeded
    client = Client()
    client.force_login(ada)
    assert isinstance(get_store(), ConvexStore)
    values = sample_values(data, get_store())
    values |= {
        "object_id": str(ada.pk),
        "id": str(ada.pk),
        "content_type_id": str(ContentType.objects.get_for_model(User).pk),
    }
    rendered = 0
    for name, url in all_pages(values):
        if name in ("accounts:logout", "admin:logout"):
            continue
        for headers in ({}, {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, f"{name} {url}: {response.status_code}"
            assert_no_sentinel_in(response, f"{name} {url}")
            rendered += response.status_code == 200
    assert rendered > 30
    # Readiness talks to the deployment with the key, and says nothing about it.
    ready = client.get("/healthz?ready=1")
    assert ready.json() == {"status": "ready"}
    assert_no_sentinel_in(ready, "readiness")
    assert any(r.name.startswith("httpx") or r.name.startswith("httpcore") for r in all_logs.records)
    assert_no_sentinel_in_logs(all_logs)


def test_a_conflicting_save_shows_no_key(convex_settings, seeded, eddie, all_logs):
    data, *_ = seeded
    client = Client()
    client.force_login(eddie)
    resource = next(r for r in data.resources if r.working_memory)
    url = reverse("memory:resource", args=[resource.id])
    from tests.dashboard.memory_records import form_fields

    page = client.get(url)
    fields = form_fields(page)
    first = client.post(url, fields | {"action": "save", "draft": "# Changed by someone else first\n"})
    assert first.status_code == 303
    stale = client.post(url, fields | {"action": "save", "draft": "# My stale edit\n"})
    assert stale.status_code == 409
    assert_no_sentinel_in(stale, "conflict")
    assert_no_sentinel_in_logs(all_logs)
    # The audit trail of both saves holds no trace of the key either.
    events = list(AuditEvent.objects.values())
    assert len(events) == 2
    for secret in (SENTINEL, SECRET_HALF):
        assert secret not in repr(events)


@pytest.fixture
def raising_urls(settings):
    from dashboard import urls

    urlpatterns[1:] = urls.urlpatterns
    settings.ROOT_URLCONF = __name__
    yield
    del urlpatterns[1:]
    RAISE.clear()


@pytest.mark.parametrize(
    "configure",
    ["rejected-key", "backend-down", "missing-function"],
)
def test_real_store_failures_show_no_key(
    configure, convex_settings, seeded, other_key_server, vera, all_logs
):
    settings = convex_settings
    if configure == "rejected-key":
        settings.CONVEX_URL = other_key_server.url
    elif configure == "backend-down":
        settings.CONVEX_URL = "http://127.0.0.1:9"
        settings.CONVEX_TIMEOUT = 1.0
    else:
        settings.CONVEX_STORAGE_FUNCTION = "mastra/not_deployed:handle"
    reset_store()
    client = Client(raise_request_exception=False)
    client.force_login(vera)
    statuses = set()
    for url in ("/", "/threads/", "/resources/", "/workflows/", "/scores/", "/healthz?ready=1"):
        for headers in ({}, {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}):
            response = client.get(url, headers=headers)
            statuses.add(response.status_code)
            assert_no_sentinel_in(response, f"{configure} {url}")
    assert statuses & {502, 503}, f"{configure}: no error page was shown ({statuses})"
    assert_no_sentinel_in_logs(all_logs)


QUOTING_ERRORS = [
    AuthError(f"The deployment refused the admin key {SENTINEL}", detail=f"Authorization: Convex {SENTINEL}"),
    BackendUnavailable(f"Could not connect (key {SECRET_HALF})"),
    NotDeployedError(f"not deployed for {SENTINEL}", function_path="mastra/storage:handle"),
    LimitError(f"Too many reads with {SENTINEL}"),
    StorageError(f"Mastra reported: {SENTINEL}", code="MASTRA_STORAGE_ERROR", detail=SECRET_HALF),
    ConflictError(f"Changed meanwhile ({SENTINEL})", current=None),
    InvalidRequest(f"Bad cursor {SECRET_HALF}"),
    RuntimeError(f"unexpected failure holding {SENTINEL}"),
]


@pytest.mark.parametrize("error", QUOTING_ERRORS, ids=[type(e).__name__ for e in QUOTING_ERRORS])
def test_errors_that_quote_the_key_are_redacted_on_every_error_page(
    error, convex_settings, raising_urls, vera, all_logs
):
    client = Client(raise_request_exception=False)
    client.force_login(vera)
    RAISE[:] = [error]
    for headers in ({}, {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}):
        response = client.get("/__raise__/", headers=headers)
        assert response.status_code >= 400
        assert_no_sentinel_in(response, type(error).__name__)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_no_sentinel_in(missing, "404")
    if isinstance(error, RuntimeError):
        # An unexpected exception is logged with its traceback by Django: the one place the message
        # is kept verbatim, for the operator. The page shows nothing of it.
        return
    assert_no_sentinel_in_logs(all_logs)


def test_the_debug_error_page_masks_the_key_setting(convex_settings, raising_urls, vera):
    # Only ever on a developer's machine, but it lists every setting: CONVEX_ADMIN_KEY is masked
    # by Django's SafeExceptionReporterFilter (its name holds KEY).
    convex_settings.DEBUG = True
    client = Client(raise_request_exception=False)
    client.force_login(vera)
    RAISE[:] = [RuntimeError("a bug")]
    response = client.get("/__raise__/")
    assert response.status_code == 500
    assert "CONVEX_ADMIN_KEY" in response.content.decode()
    assert_no_sentinel_in(response, "technical 500")


def test_no_static_file_holds_the_key(convex_settings, vera, all_logs):
    client = Client()
    client.force_login(vera)
    served = 0
    for finder in finders.get_finders():
        for relative, _storage in finder.list([]):
            response = client.get(f"/static/{Path(relative).as_posix()}")
            assert response.status_code == 200, relative
            assert_no_sentinel_in(response, relative)
            served += 1
    assert served > 50
