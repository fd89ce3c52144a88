"""Who is asking: the client's address as the dashboard may trust it (for limits and log lines)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``NUM_PROXIES`` trusted proxies the entry
    they appended to ``X-Forwarded-For`` (counted from the right: entries further left are whatever
    the client sent and cannot be trusted)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = getattr(settings, "NUM_PROXIES", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        # Not what the configured proxies send: fall back to the peer rather than trust a guess.
        return remote
    return forwarded[-proxies][:64]
