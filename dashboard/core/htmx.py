"""What every area's views share about htmx and the query string.

A view serves the full page and, for an htmx request, only ``template.html#<partial>`` (a partial is
named after the DOM id it replaces). Its state lives in the query string and is read through a
``Form``; a link whose values that form refuses, or whose page cursor the store refuses, is answered
with one 400 panel that says what was wrong and links to the same address without the bad values.

    form = read_query(request, ThreadListForm)          # raises BadQuery
    with page_link_checked(request):                      # a refused cursor becomes BadQuery too
        feed = store.memory.thread_feed(cursor=..., ...)
    return vary_on_htmx(render(request, template_for(request, "threads/list.html", "thread-table"), ctx))

``BadQuery`` escapes the view and ``StoreErrorMiddleware`` renders it (``render_bad_query``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails

from storeclient.errors import InvalidRequest

#: A response header that tells static/js/app.js to swap this error response into the htmx target
#: (htmx 2 does not swap 4xx/5xx responses by default, and shows our toast instead).
SWAP_ERROR_HEADER = "X-Dashboard-Swap-Error"

#: Where in a list a link points; a changed filter set makes any of them meaningless.
POSITION_PARAMS = ("cursor", "back", "page")


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (``request.htmx``), for type checking."""

    htmx: HtmxDetails


def is_partial_request(request: HttpRequest) -> bool:
    """True for an htmx request that swaps a fragment (not a boosted link or a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def partial_target(request: HttpRequest) -> str | None:
    """The id of the element an htmx partial request swaps (``""`` if it has none), else ``None``."""
    htmx = getattr(request, "htmx", None)
    if htmx is None or not is_partial_request(request):
        return None
    return htmx.target or ""


def template_for(request: HttpRequest, template: str, partial: str) -> str:
    """``template`` for a full page, ``template#partial`` for an htmx partial request."""
    return f"{template}#{partial}" if is_partial_request(request) else template


def vary_on_htmx(response: HttpResponse, *, target: bool = False) -> HttpResponse:
    """Mark a response that depends on ``HX-Request`` (and, for views that pick the partial by the
    swapped element, ``HX-Target``), so no cache serves a fragment for a page or the reverse."""
    patch_vary_headers(response, ("HX-Request", "HX-Target") if target else ("HX-Request",))
    return response


# --- the query string ---------------------------------------------------------------------------------


class BadQuery(Exception):
    """A link whose query string cannot be shown: what was wrong, and the address without it."""

    def __init__(self, title: str, problems: Iterable[str], reset_url: str) -> None:
        self.title = title
        self.problems = tuple(problems)
        self.reset_url = reset_url
        super().__init__(f"{title}: {'; '.join(self.problems)}")


@dataclass(frozen=True)
class BadQueryInfo:
    title: str
    problems: tuple[str, ...]
    reset_url: str
    reset_label: str


def read_query[F: forms.Form](request: HttpRequest, form_class: type[F], **kwargs: Any) -> F:
    """The view state of ``request.GET`` through ``form_class``; ``BadQuery`` when it is not valid."""
    form = form_class(request.GET, **kwargs)
    if form.is_valid():
        return form
    bad = {name for name in form.errors if name != NON_FIELD_ERRORS and name in form.fields}
    if NON_FIELD_ERRORS in form.errors or not bad:
        bad = set(form.fields)
    reset = _without(request, bad)
    # Dropping a value can leave the rest invalid (a custom range without its dates): then start over.
    if reset != request.path and not form_class(QueryDict(reset.partition("?")[2]), **kwargs).is_valid():
        reset = request.path
    only_position = bad <= set(POSITION_PARAMS)
    raise BadQuery(
        "That page link is not valid" if only_position else "These filters are not valid",
        [_problem(form, name, error) for name, errors in form.errors.items() for error in errors],
        reset,
    )


@contextmanager
def page_link_checked(request: HttpRequest) -> Iterator[None]:
    """Turn the store refusing the link's page cursor (expired, mangled, another list's) into
    ``BadQuery``. Without a cursor in the link an ``InvalidRequest`` is the view's bug and propagates."""
    try:
        yield
    except InvalidRequest as exc:
        if not request.GET.get("cursor"):
            raise
        raise BadQuery("That page link is not valid", [exc.message], _without(request, set())) from exc


def _problem(form: forms.Form, name: str, error: str) -> str:
    field = form.fields.get(name)
    if field is None or name in POSITION_PARAMS or not field.label:
        return error
    return f"{field.label}: {error}"


def _without(request: HttpRequest, names: set[str]) -> str:
    query = request.GET.copy()
    for name in {*names, *POSITION_PARAMS}:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def render_bad_query(request: HttpRequest, exc: BadQuery) -> HttpResponse:
    """The 400 panel: a page of its own, or for an htmx request only the panel, carrying the id of
    the element it replaces so the page's next swap still finds its target."""
    info = BadQueryInfo(
        exc.title,
        exc.problems,
        exc.reset_url,
        "Start from the first page" if exc.title.startswith("That page link") else "Reset the filters",
    )
    target = partial_target(request)
    template = "core/bad_query.html" if target is None else "core/bad_query.html#bad-query-panel"
    response = render(request, template, {"bad_query": info, "target_id": target or ""}, status=400)
    response[SWAP_ERROR_HEADER] = "true"
    return vary_on_htmx(response, target=True)
