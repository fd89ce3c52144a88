"""The bad-request corpus through every parameter of /tools/ and a tool's page, and hostile tool
names in the path: a page a person can act on (2xx or 4xx), never a 5xx."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from dashboard.search.indexer import Indexer
from tests.dashboard.security.test_bad_requests import HOSTILE_VALUES

pytestmark = pytest.mark.django_db

PARAMS = ["agent", "resource", "since", "until"]


@pytest.mark.parametrize("path", ["/tools/", "/tools/lookupOrder/"])
def test_no_hostile_parameter_gives_a_server_error(vera_client, support_store, path):
    Indexer(support_store).poll()
    for param in PARAMS:
        for value in HOSTILE_VALUES:
            # Encoded as a browser would send it (a lone surrogate becomes invalid UTF-8).
            response = vera_client.get(f"{path}?{param}={quote(value, safe='', errors='surrogatepass')}")
            assert response.status_code < 500, (param, value[:20], response.status_code)


def test_no_hostile_tool_name_gives_a_server_error(vera_client, support_store):
    Indexer(support_store).poll()
    for value in [*HOSTILE_VALUES, "a/b", "../..", "%2F", " "]:
        if not value:
            continue
        response = vera_client.get(f"/tools/{quote(value, safe='', errors='surrogatepass')}/")
        assert response.status_code in (200, 400, 404), (value[:20], response.status_code)
