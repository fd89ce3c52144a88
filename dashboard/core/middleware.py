from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from storeclient.errors import StoreError

from .store_errors import render_store_error


class StoreErrorMiddleware:
    """Show a ``StoreError`` that escaped a view as the store error panel instead of a 500 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, StoreError):
            return render_store_error(request, exception)
        return None
