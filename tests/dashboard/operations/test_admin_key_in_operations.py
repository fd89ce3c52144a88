"""The Convex admin key stays out of what operations see: no metric label, no log line (JSON or
plain, tracebacks included) and no error report, even when an error quotes it."""

from __future__ import annotations

import io
import json
import logging
import secrets
from collections.abc import Iterator

import pytest
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from dashboard.core.store import reset_store
from dashboard.demo.convex_dev import ConvexDevServer
from dashboard.error_reports import start_error_reports
from dashboard.log_format import JsonFormatter, PlainFormatter

pytestmark = pytest.mark.convex

SENTINEL = f"prod:sentinel-heron-207|convex-OPS-SENTINEL-{secrets.token_hex(16)}"
SECRET_HALF = SENTINEL.partition("|")[2]


def quoting_view(request: HttpRequest) -> HttpResponse:
    admin_key = SENTINEL  # a frame's local variable, as in the store's constructor
    raise RuntimeError(f"unexpected failure while holding {admin_key}")


urlpatterns = [path("__quote_key__/", quoting_view)]


@pytest.fixture(scope="module")
def sentinel_server() -> Iterator[ConvexDevServer]:
    with ConvexDevServer(admin_key=SENTINEL) as server:
        yield server


@pytest.fixture
def convex_with_sentinel(settings, sentinel_server):
    from dashboard import urls

    settings.STORE_BACKEND = "convex"
    settings.CONVEX_URL = sentinel_server.url
    settings.CONVEX_ADMIN_KEY = SENTINEL
    urlpatterns[1:] = urls.urlpatterns
    settings.ROOT_URLCONF = __name__
    reset_store()
    yield settings
    reset_store()
    del urlpatterns[1:]


@pytest.fixture(params=[JsonFormatter, PlainFormatter], ids=["json", "plain"])
def log_stream(request) -> Iterator[tuple[io.StringIO, type[logging.Formatter]]]:
    """Every record at DEBUG, written through the formatter the settings install."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(request.param())
    root = logging.getLogger()
    levels = {
        name: logging.getLogger(name).level for name in ("", "httpx", "httpcore", "django", "storeclient")
    }
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield stream, request.param
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def assert_no_key(text: str, where: str) -> None:
    for secret in (SENTINEL, SECRET_HALF):
        assert secret not in text, f"the admin key is in {where}"


def test_no_log_line_nor_metric_holds_the_key(convex_with_sentinel, log_stream, ada):
    client = Client(raise_request_exception=False)
    client.force_login(ada)
    for url in ("/", "/threads/", "/resources/", "/workflows/", "/scores/", "/healthz?ready=1"):
        assert client.get(url).status_code in (200, 404)
    assert client.get("/__quote_key__/").status_code == 500
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert b'operation="memory.thread_feed"' in metrics.content  # the Convex store's calls were counted
    assert_no_key(metrics.content.decode(), "/metrics")

    stream, formatter = log_stream
    logged = stream.getvalue()
    assert "unexpected failure while holding [redacted]" in logged  # Django logged the 500
    assert_no_key(logged, "the log")
    if formatter is JsonFormatter:
        lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
        assert any(line.get("exception", "").startswith("Traceback") for line in lines)
        assert all(set(line) >= {"time", "level", "logger", "message"} for line in lines)


class CapturingTransport(Transport):
    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


@pytest.fixture
def error_reports() -> Iterator[CapturingTransport]:
    transport = CapturingTransport()
    start_error_reports("https://public@errors.invalid/1", environment="test", transport=transport)
    yield transport
    sentry_sdk.init()  # a client without a DSN: nothing more is reported


def test_an_error_report_carries_no_key(convex_with_sentinel, error_reports, vera):
    client = Client(raise_request_exception=False)
    client.force_login(vera)
    logging.getLogger("dashboard").warning("about to fail with %s", SENTINEL)  # a breadcrumb
    assert client.get("/__quote_key__/").status_code == 500
    sentry_sdk.flush()
    events = [
        item.payload.json for env in error_reports.envelopes for item in env.items if item.type == "event"
    ]
    assert events, "no error report was made"
    report = json.dumps(events)
    assert "RuntimeError" in report and "[redacted]" in report
    assert_no_key(report, "the error report")
