from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import Preferences, Theme
from .zones import browser_zone, zone_named


def preferences_of(request: HttpRequest) -> Preferences | None:
    """The signed-in user's preferences (unsaved defaults when they never set any), read once per
    request; ``None`` for an anonymous request."""
    cached: Preferences | None = getattr(request, "_preferences", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    found = Preferences.objects.filter(user=user).first() or Preferences(user=user, theme=Theme.SYSTEM)
    request._preferences = found  # type: ignore[attr-defined]
    return found


class TimeZoneMiddleware:
    """Every timestamp of a request in the user's zone: the one they chose, else their browser's,
    else the site's (``DJANGO_TIME_ZONE``). Must follow the authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        preferences = preferences_of(request)
        chosen = preferences.time_zone if preferences is not None else ""
        zone = zone_named(chosen) or zone_named(browser_zone(request))
        if zone is None:
            timezone.deactivate()
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
