"""pytest fixtures for the local Convex dev server. Import them into a conftest.py:

    from tests.support.convex_fixtures import convex_backend, convex_server  # noqa: F401

``convex_server`` starts one dev server per test session (about a second) with the project's
Convex modules plus the ``devserver_test:*`` test functions; ``convex_backend`` hands the same
server to a test after emptying its data, so every test starts from a fresh deployment.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.convex_dev import ConvexDevServer


@pytest.fixture(scope="session")
def convex_server() -> Iterator[ConvexDevServer]:
    with ConvexDevServer(with_test_module=True) as server:
        yield server


@pytest.fixture
def convex_backend(convex_server: ConvexDevServer) -> ConvexDevServer:
    convex_server.reset()
    return convex_server
