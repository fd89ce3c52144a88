from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from dashboard.core.filter_dates import FilterDateField
from dashboard.core.paging import CursorForm

from .backends import MessageFilters, Order
from .documents import KINDS

ROLES = ("user", "assistant", "system", "tool")
KIND_LABELS = {
    "text": "text",
    "tool": "tool call",
    "reasoning": "reasoning",
    "file": "file",
    "source": "source",
}
#: A results page cursor: "n" + a row id (newest first) or "r" + an offset (most relevant).
_CURSOR = re.compile(r"[nr][0-9]{1,18}")


class SearchForm(CursorForm):
    q = forms.CharField(required=False, max_length=500, label="Search", strip=True)
    resource = forms.CharField(required=False, max_length=500, label="Resource starts with")
    thread = forms.CharField(required=False, max_length=500, label="Thread starts with")
    role = forms.ChoiceField(
        required=False, label="Role", choices=[("", "any role"), *((r, r) for r in ROLES)]
    )
    kind = forms.ChoiceField(
        required=False, label="Kind", choices=[("", "any kind"), *((k, KIND_LABELS[k]) for k in KINDS)]
    )
    tool = forms.CharField(required=False, max_length=200, label="Tool name")
    errors_only = forms.BooleanField(required=False, label="Errors only")
    since = FilterDateField(label="From")
    until = FilterDateField(label="To")
    order = forms.ChoiceField(
        required=False, label="Order", choices=[("newest", "newest first"), ("relevance", "most relevant")]
    )

    def clean_cursor(self) -> str:
        cursor: str = self.cleaned_data.get("cursor") or ""
        if cursor and not _CURSOR.fullmatch(cursor):
            raise forms.ValidationError("That page link is not valid; start from the first page.")
        return cursor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise forms.ValidationError("“To” is before “From”.")
        cursor = data.get("cursor") or ""
        if cursor and cursor[0] != ("r" if data.get("order") == "relevance" else "n"):
            self.add_error("cursor", "That page link is for another order; start from the first page.")
        return data

    @property
    def sort_order(self) -> Order:
        return "relevance" if self.cleaned_data.get("order") == "relevance" else "newest"

    def filters(self) -> dict[str, Any]:
        """Every value but the page position, as the query string carries it."""
        data = self.cleaned_data
        return {
            "q": data["q"],
            "resource": data["resource"],
            "thread": data["thread"],
            "role": data["role"],
            "kind": data["kind"],
            "tool": data["tool"],
            "errors_only": "1" if data["errors_only"] else "",
            "since": data["since"].isoformat() if data["since"] else "",
            "until": data["until"].isoformat() if data["until"] else "",
            "order": "relevance" if self.sort_order == "relevance" else "",
        }

    def message_filters(self) -> MessageFilters:
        data = self.cleaned_data
        return MessageFilters(
            resource=data["resource"].strip(),
            thread=data["thread"].strip(),
            role=data["role"],
            kind=data["kind"],
            tool=data["tool"].strip(),
            errors_only=data["errors_only"],
            since=_midnight(data["since"]),
            until=_midnight(data["until"], next_day=True),
        )

    @property
    def has_filters(self) -> bool:
        return any(value for key, value in self.filters().items() if key not in ("q", "order"))


def _midnight(day: Any, *, next_day: bool = False) -> datetime | None:
    """The start of ``day`` (or of the day after) in the dashboard's time zone."""
    if day is None:
        return None
    if next_day:
        day = day + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))
