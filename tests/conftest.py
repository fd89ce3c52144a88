"""Fixtures shared by the whole suite.

The Convex dev server (Node) is started once per session, only when a test asks for it.
"""

from __future__ import annotations

from tests.support.convex_fixtures import convex_backend, convex_server  # noqa: F401
