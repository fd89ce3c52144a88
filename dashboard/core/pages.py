"""Pages every area answers the same way: "not found" and links to records by id."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from .htmx import SWAP_ERROR_HEADER, is_partial_request, vary_on_htmx


def not_found(request: HttpRequest, title: str, message: str, back_url: str, back_label: str) -> HttpResponse:
    """A 404 that says what is missing and where to go instead. An htmx request gets only the
    panel, swapped into its target, so a missing record reads the same wherever it was asked for."""
    context = {
        "not_found_title": title,
        "not_found_message": message,
        "back_url": back_url,
        "back_label": back_label,
    }
    if is_partial_request(request):
        response = render(request, "404.html#not-found-panel", context, status=404)
        response[SWAP_ERROR_HEADER] = "true"
    else:
        response = render(request, "404.html", context, status=404)
    return vary_on_htmx(response)


def url_or_empty(name: str, *args: Any) -> str:
    """The page of a stored record, or ``""`` for an id its URL pattern cannot carry (one with a
    "/": ids are whatever the agent chose), so a list shows such a record unlinked."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
