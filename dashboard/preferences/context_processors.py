from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from .middleware import preferences_of
from .models import Theme


def preferences(request: HttpRequest) -> dict[str, Any]:
    """``theme`` ("system", "light" or "dark": base.html sets data-theme on <html> unless system),
    the theme choices for the header's switch, and the zone times are shown in."""
    chosen = preferences_of(request)
    return {
        "theme": chosen.theme if chosen is not None else Theme.SYSTEM,
        "theme_choices": Theme.choices,
        "time_zone_name": timezone.get_current_timezone_name(),
    }
