"""Fixtures shared by the whole suite.

The Convex dev server (Node) is started once per session, only when a test asks for it.
"""

from __future__ import annotations

from tests.support.convex_fixtures import (  # noqa: F401
    convex_backend,
    convex_handler_only_backend,
    convex_handler_only_server,
    convex_server,
)
