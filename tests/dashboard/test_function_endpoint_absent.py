"""A Convex-compatible backend that answers 404 on ``/api/function`` (a proxy allowing only the
documented ``/api/query`` and ``/api/mutation``): pages load through Mastra's standard handler and
the overview says which path it takes; when the module probe itself fails, the overview and the
readiness check do not claim the store is healthy. (``httpx.MockTransport`` plays the proxy.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.core.store import use_store
from storeclient import ConvexStore
from tests.storeclient.test_convex_function_endpoint import handler_only, make_store


@pytest.fixture
def proxied() -> Iterator[ConvexStore]:
    with use_store(make_store(handler_only(404))) as store:
        yield store


@pytest.fixture
def probe_failing() -> Iterator[ConvexStore]:
    with use_store(make_store(handler_only(502, "<html>Bad Gateway</html>"))) as store:
        yield store


def test_the_thread_list_loads_through_the_standard_handler(vera_client, proxied):
    response = vera_client.get("/threads/")
    assert response.status_code == 200
    assert "Refund for damaged blender" in response.content.decode()


def test_the_overview_says_healthy_in_standard_handler_mode(ada_client, proxied):
    html = ada_client.get("/").content.decode()
    assert '<span class="badge badge-success">healthy</span>' in html
    assert "<dt>Mode</dt><dd>standard handler</dd>" in html


def test_a_failing_module_probe_is_not_reported_healthy(ada_client, probe_failing):
    # The lists need the probe's answer, so the overview shows the store's error, not "healthy",
    # and the readiness check takes the instance out of rotation.
    response = ada_client.get("/")
    assert response.status_code == 503
    assert "healthy</span>" not in response.content.decode()
    assert "502" in response.content.decode()
    assert ada_client.get("/healthz?ready=1").status_code == 503
