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

A cursor list also lets the reader choose how many rows a page holds (``per_page``, one of
``PAGE_SIZES``): ``CursorForm`` reads it, the view passes ``form.cleaned_data["per_page"]`` as the
feed's ``limit``, and the pager keeps it in every link and offers the other sizes.
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
#: Rows per page a list offers. Bounded: a feed's cost is O(page), and so is the page's rendering.
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


class PageSizeField(forms.TypedChoiceField):
    """``per_page``: one of ``PAGE_SIZES`` (anything else is refused with the list's 400 panel)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=[(size, str(size)) for size in PAGE_SIZES],
            coerce=int,
            required=False,
            empty_value=DEFAULT_PAGE_SIZE,
            label="Rows per page",
            **kwargs,
        )


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
    per_page = PageSizeField()


@dataclass(frozen=True)
class Pager:
    next_url: str | None
    previous_url: str | None
    first_url: str | None
    #: Where this page is ("Page 2 of 5"), for lists that know their length.
    summary: str = ""
    #: Rows on a page, and the first page of the same list at each offered size (none: no choice).
    page_size: int = 0
    size_urls: tuple[tuple[int, str], ...] = ()

    @property
    def has_pages(self) -> bool:
        return bool(self.next_url or self.previous_url)

    @property
    def offers_sizes(self) -> bool:
        """Whether to show the size choice: when there is more than a page, or a size was chosen."""
        return bool(self.size_urls) and (self.has_pages or self.page_size != DEFAULT_PAGE_SIZE)

    @staticmethod
    def for_cursor(
        path: str, filters: Mapping[str, Any], state: Mapping[str, Any], next_cursor: str | None
    ) -> Pager:
        """URLs for the pages around the current one. ``filters`` are the other query parameters
        (empty values are left out); ``state`` holds the current ``cursor`` and ``back``."""
        cursor = state.get("cursor") or ""
        back: list[str] = list(state.get("back") or [])
        # Lists whose state carries no page size (their form is not a CursorForm) offer no choice.
        sized = "per_page" in state
        size = int(state.get("per_page") or DEFAULT_PAGE_SIZE)

        def url(page_cursor: str, page_back: list[str], page_size: int = size) -> str:
            query = QueryDict(mutable=True)
            for key, value in filters.items():
                if value not in (None, "") and key != "per_page":
                    query[key] = str(value)
            if page_size != DEFAULT_PAGE_SIZE:
                query["per_page"] = str(page_size)
            if page_cursor:
                query["cursor"] = page_cursor
            if page_back:
                query.setlist("back", page_back[-MAX_BACK:])
            encoded = query.urlencode()
            return f"{path}?{encoded}" if encoded else path

        next_url = url(next_cursor, [*back, cursor]) if next_cursor else None
        previous_url = url(back[-1], back[:-1]) if back else None
        first_url = url("", []) if cursor else None
        sizes = tuple((n, url("", [], n)) for n in PAGE_SIZES) if sized else ()
        return Pager(next_url, previous_url, first_url, page_size=size if sized else 0, size_urls=sizes)

    @staticmethod
    def for_page(page: Page[Any], url: Callable[[int], str], summary: str = "") -> Pager:
        """Links around a numbered page; ``url(n)`` is the address of page ``n``."""
        return Pager(
            next_url=url(page.next_page_number()) if page.has_next() else None,
            previous_url=url(page.previous_page_number()) if page.has_previous() else None,
            first_url=None,
            summary=summary,
        )
