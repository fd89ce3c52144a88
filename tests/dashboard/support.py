"""Helpers shared by the dashboard tests (fixtures live in conftest.py)."""

from __future__ import annotations

import httpx

from storeclient.convex import ConvexStore

#: Headers of an htmx partial request made from the overview page.
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}

#: Shaped like a Convex admin key ("<deployment>|<secret>"); must never appear in any output.
SENTINEL_KEY = "prod:happy-otter-123|convex-SENTINEL-7f3a9c1e5b"


def convex_store(handler: httpx.MockTransport | None = None, *, key: str = SENTINEL_KEY) -> ConvexStore:
    """A ConvexStore whose HTTP goes to ``handler`` (default: a closed port on 127.0.0.1)."""
    if handler is None:
        return ConvexStore("http://127.0.0.1:9", key, timeout=2, read_attempts=1)
    return ConvexStore(
        "https://happy-otter-123.convex.cloud",
        key,
        http_client=httpx.Client(transport=handler),
        read_attempts=1,
    )
