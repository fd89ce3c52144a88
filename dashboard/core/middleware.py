from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from storeclient.errors import StoreError

from .htmx import BadQuery, render_bad_query
from .store_errors import render_store_error


class StoreErrorMiddleware:
    """Show a ``StoreError`` that escaped a view as the store error panel instead of a 500 page, and
    a ``BadQuery`` (a link whose filters or page cursor cannot be shown) as the 400 panel."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, StoreError):
            return render_store_error(request, exception)
        if isinstance(exception, BadQuery):
            return render_bad_query(request, exception)
        return None


class HealthCheckMiddleware:
    """``/healthz`` answered before anything else looks at the request.

    Container and Kubernetes probes connect by IP address over plain http: ahead of host validation
    (ALLOWED_HOSTS) and the https redirect, they get the real answer instead of a 400 or a 301.
    The view is public and fixed JSON, so an unchecked Host header cannot do harm here. The
    security headers the later middleware would add are set here.
    """

    HEADERS = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            from .views import healthz

            response = healthz(request)
            for name, value in self.HEADERS.items():
                response.setdefault(name, value)
            return response
        return self.get_response(request)
