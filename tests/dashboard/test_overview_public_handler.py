"""The overview warns admins when Mastra's storage handler is public on their Convex deployment
(anyone with the URL and no key can read and overwrite every record), and only then."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.core.store import use_store
from dashboard.demo.convex_dev import ConvexDevServer
from storeclient import ConvexStore
from tests.test_internal_storage_handler import InternalStorageDevServer

WARNING = "data-public-handler-warning"
README_SECTION = 'README: "Recommended: deploy Mastra\'s storage handler as an internal function"'


def overview_on(server: ConvexDevServer, client) -> str:
    with ConvexStore(server.url, server.admin_key) as store, use_store(store):
        return client.get("/").content.decode()


def test_an_admin_on_sqlite_is_not_warned(ada_client):
    assert WARNING not in ada_client.get("/").content.decode()


@pytest.mark.convex
def test_an_admin_is_told_the_shipped_handler_is_public_and_what_to_do(ada_client, convex_backend):
    content = overview_on(convex_backend, ada_client)
    assert WARNING in content
    assert "<strong>without any key</strong>" in content
    assert "read,\n    overwrite or delete every thread" in content
    assert "convex/variants/storage.internal.ts" in content
    assert README_SECTION in content


@pytest.mark.convex
def test_a_viewer_is_not_shown_the_warning(vera_client, convex_backend):
    assert WARNING not in overview_on(convex_backend, vera_client)


@pytest.fixture(scope="module")
def internal_server() -> Iterator[ConvexDevServer]:
    with InternalStorageDevServer(with_test_module=True) as server:
        yield server


@pytest.mark.convex
def test_an_admin_whose_handler_is_internal_is_not_warned(ada_client, internal_server):
    internal_server.reset()
    content = overview_on(internal_server, ada_client)
    assert '<span class="badge badge-success">healthy</span>' in content
    assert WARNING not in content
