"""Which time zone a request's times are shown in."""

from __future__ import annotations

import functools
import zoneinfo

from django.http import HttpRequest

#: Set by static/js/app.js to the browser's zone (Intl), so "the browser's time zone" works
#: server-side without a round trip.
BROWSER_ZONE_COOKIE = "dashboard_tz"


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def zone_choices() -> tuple[tuple[str, str], ...]:
    return tuple((name, name.replace("_", " ")) for name in sorted(known_zones()))


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone, or ``None`` for anything that is not a known IANA name (a cookie is user input)."""
    if not name or name not in known_zones():
        return None
    return zoneinfo.ZoneInfo(name)


def browser_zone(request: HttpRequest) -> str:
    """The browser's zone name as its cookie reports it, or ``""`` when absent or not a known zone."""
    name = request.COOKIES.get(BROWSER_ZONE_COOKIE, "")
    return name if zone_named(name) else ""
