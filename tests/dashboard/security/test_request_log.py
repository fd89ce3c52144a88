"""The production log gets one line per refused request (status, path, user, reason) and no
traceback for the expected ones: a permission refusal, a missing page, a failed CSRF check, a rate
limit, a Host the site does not serve. A server error keeps its traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from tests.dashboard.conftest import PASSWORD

from .test_headers import RAISE, with_raising_route  # noqa: F401 (a fixture)


@pytest.fixture
def production_log() -> Iterator[io.StringIO]:
    """What the console handler of settings LOGGING writes (the container's log)."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    (console,) = [h for h in handlers if any(type(f).__name__ == "RefusalsOnOneLine" for f in h.filters)]
    stream = io.StringIO()
    previous = console.setStream(stream)
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    try:
        yield stream
    finally:
        console.setStream(previous)
        logging.getLogger().setLevel(level)


def lines(log: io.StringIO) -> list[str]:
    return [line.split(": ", 1)[1] for line in log.getvalue().splitlines() if line.strip()]


def test_a_permission_refusal_is_one_line_without_a_traceback(vera_client, production_log):
    assert vera_client.get("/audit/").status_code == 403
    assert lines(production_log) == [
        "authz_fail status=403 user=vera method=GET path=/audit/ ip=127.0.0.1 "
        'reason="The audit log needs the admin role."'
    ]
    assert "Traceback" not in production_log.getvalue()


def test_a_missing_page_is_one_line(vera_client, production_log):
    assert vera_client.get("/no-such-page/").status_code == 404
    assert lines(production_log) == [
        'refused status=404 method=GET path=/no-such-page/ user=vera ip=127.0.0.1 reason="Not Found"'
    ]


def test_a_failed_csrf_check_is_one_line(vera, production_log):
    client = Client(enforce_csrf_checks=True)
    client.force_login(vera)
    production_log.truncate(0)
    production_log.seek(0)
    assert client.post("/accounts/logout/").status_code == 403
    (line,) = lines(production_log)
    assert line.startswith("refused status=403 method=POST path=/accounts/logout/ user=vera ")
    assert 'reason="CSRF cookie not set."' in line
    assert "Traceback" not in production_log.getvalue()


def test_a_bad_host_is_one_line(client, production_log, db):
    assert client.get("/accounts/login/", headers={"Host": "evil.example\nforged"}).status_code == 400
    (line,) = lines(production_log)
    assert line.startswith(
        'refused status=400 method=GET path=/accounts/login/ user=- ip=127.0.0.1 reason="Invalid'
    )
    assert "Traceback" not in production_log.getvalue()


def test_a_rate_limited_sign_in_is_one_line(client, vera, settings, production_log):
    settings.LOGIN_FAILURES_PER_USER_IP = 1
    client.post("/accounts/login/", {"username": "vera", "password": "guess"})
    production_log.truncate(0)
    production_log.seek(0)
    assert client.post("/accounts/login/", {"username": "vera", "password": PASSWORD}).status_code == 429
    (line,) = lines(production_log)
    assert line.startswith("authn_login_refused status=429 user='vera' ip=127.0.0.1 limit=account")


def test_a_server_error_keeps_its_traceback(vera, with_raising_route, production_log):  # noqa: F811
    client = Client(raise_request_exception=False)
    client.force_login(vera)
    RAISE[:] = [RuntimeError("something broke")]
    assert client.get("/__raise__/").status_code == 500
    assert "Traceback" in production_log.getvalue()
    assert "RuntimeError: something broke" in production_log.getvalue()
