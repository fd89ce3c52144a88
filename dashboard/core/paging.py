"""Cursor paging for newest-first feeds, with the state in the query string.

A store feed only knows how to go forward (``next_cursor``). To offer "newer" as well without
relying on browser history, the page URL carries the cursors of the pages before it (``back``,
repeated), so a shared link to page 5 can still step back. The stack keeps the last
``MAX_BACK`` entries; deeper than that, "newer" stops there and "newest" always works.

    form = read_query(request, ThreadListForm)    # a CursorForm subclass (dashboard.core.htmx)
    pager = Pager.for_cursor(request.path, filters, form.cleaned_data, feed.next_cursor)
    pager.next_url / pager.previous_url / pager.first_url   (None when there is no such page)

Lists paged by number (a Django ``Paginator``) get the same object from ``Pager.for_page``, so one
template (``core/pager.html#pager``) draws every pager.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Page
from django.http import QueryDict

#: Pages remembered for "newer" links.
MAX_BACK = 20
#: Longest cursor accepted from a URL (store cursors are base64 JSON of a key; ~100 characters).
MAX_CURSOR = 1_000


class CursorStackField(forms.Field):
    """The repeated ``back`` parameter: earlier pages' cursors, oldest first (``""`` = first page)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        cursors = [str(v) for v in value]
        if any(len(c) > MAX_CURSOR for c in cursors):
            raise forms.ValidationError("That page link is not valid; start from the first page.")
        return cursors[-MAX_BACK:]


class CursorForm(forms.Form):
    """Base form for a paged list: ``cursor`` (this page) and ``back`` (pages before it)."""

    cursor = forms.CharField(required=False, max_length=MAX_CURSOR)
    back = CursorStackField(required=False)


@dataclass(frozen=True)
class Pager:
    next_url: str | None
    previous_url: str | None
    first_url: str | None
    #: Where this page is ("Page 2 of 5"), for lists that know their length.
    summary: str = ""

    @property
    def has_pages(self) -> bool:
        return bool(self.next_url or self.previous_url)

    @staticmethod
    def for_cursor(
        path: str, filters: Mapping[str, Any], state: Mapping[str, Any], next_cursor: str | None
    ) -> Pager:
        """URLs for the pages around the current one. ``filters`` are the other query parameters
        (empty values are left out); ``state`` holds the current ``cursor`` and ``back``."""
        cursor = state.get("cursor") or ""
        back: list[str] = list(state.get("back") or [])

        def url(page_cursor: str, page_back: list[str]) -> str:
            query = QueryDict(mutable=True)
            for key, value in filters.items():
                if value not in (None, ""):
                    query[key] = str(value)
            if page_cursor:
                query["cursor"] = page_cursor
            if page_back:
                query.setlist("back", page_back[-MAX_BACK:])
            encoded = query.urlencode()
            return f"{path}?{encoded}" if encoded else path

        next_url = url(next_cursor, [*back, cursor]) if next_cursor else None
        previous_url = url(back[-1], back[:-1]) if back else None
        first_url = url("", []) if cursor else None
        return Pager(next_url, previous_url, first_url)

    @staticmethod
    def for_page(page: Page[Any], url: Callable[[int], str], summary: str = "") -> Pager:
        """Links around a numbered page; ``url(n)`` is the address of page ``n``."""
        return Pager(
            next_url=url(page.next_page_number()) if page.has_next() else None,
            previous_url=url(page.previous_page_number()) if page.has_previous() else None,
            first_url=None,
            summary=summary,
        )
