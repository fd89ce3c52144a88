"""pytest fixtures for the local Convex dev server. Import them into a conftest.py:

    from tests.support.convex_fixtures import convex_backend, convex_server  # noqa: F401

``convex_server`` starts one dev server per test session (about a second) with the project's
Convex modules plus the ``devserver_test:*`` test functions; ``convex_backend`` hands the same
server to a test after emptying its data, so every test starts from a fresh deployment.

``convex_handler_only_server`` / ``convex_handler_only_backend`` are the same for a second server
started with ``--exclude-module mastra/dashboard``: a deployment that has only Mastra's handler, as
most Mastra users have, so the store's fallback paths are tested against the real handler too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.demo.convex_dev import ConvexDevServer


@pytest.fixture(scope="session")
def convex_server() -> Iterator[ConvexDevServer]:
    with ConvexDevServer(with_test_module=True) as server:
        yield server


@pytest.fixture
def convex_backend(convex_server: ConvexDevServer) -> ConvexDevServer:
    convex_server.reset()
    return convex_server


#: The dashboard's own Convex module (convex/mastra/dashboard.ts).
DASHBOARD_MODULE = "mastra/dashboard"


@pytest.fixture(scope="session")
def convex_handler_only_server() -> Iterator[ConvexDevServer]:
    with ConvexDevServer(exclude_modules=[DASHBOARD_MODULE], with_test_module=True) as server:
        yield server


@pytest.fixture
def convex_handler_only_backend(convex_handler_only_server: ConvexDevServer) -> ConvexDevServer:
    convex_handler_only_server.reset()
    return convex_handler_only_server
