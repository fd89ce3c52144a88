"""Mastra's list semantics, shared by the stores that filter and page in Python.

These mirror core's ``normalizePerPage``/``calculatePagination`` and the store-side validation, so
every store answers the same question with the same page.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .codec import EPOCH, loads, parse_datetime, to_iso
from .errors import InvalidRequest
from .models import PerPage

_METADATA_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FORBIDDEN_KEYS = frozenset({"__proto__", "prototype", "constructor"})


def check_page(page: int, per_page: PerPage, *, what: str = "list") -> None:
    if isinstance(page, bool) or not isinstance(page, int) or page < 0:
        raise InvalidRequest(f"Invalid page {page!r} for {what}: page must be a whole number >= 0.")
    if per_page is False:
        if page != 0:
            raise InvalidRequest(
                f"Invalid page {page} for {what}: with per_page=False (all rows) page must be 0."
            )
        return
    check_per_page(per_page, what=what)


def check_per_page(per_page: PerPage, *, what: str | None = None) -> None:
    """``normalizePerPage``'s check: ``False`` or a whole number >= 0, refused in Mastra's words
    ("perPage must be >= 0") so every store, TypeScript or Python, says the same thing."""
    if per_page is False:
        return
    if isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 0:
        where = f" ({what})" if what else ""
        raise InvalidRequest(f"perPage must be >= 0 (or False for all rows), not {per_page!r}{where}.")


def date_bound(value: datetime | str) -> str:
    """A date filter bound as Mastra compares it: the ISO string ``Date.toISOString()`` gives.
    Mastra accepts a ``Date`` or an ISO string (``new Date(value)``), so both are taken here."""
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed != EPOCH or value.strip().startswith("1970-01-01"):
            return to_iso(parsed)
    raise InvalidRequest(f"Not a date: {value!r} (use an ISO 8601 timestamp).")


def check_buckets(bucket_seconds: int, origin: datetime | None) -> tuple[int, int]:
    """``score_buckets``' arguments as ``(bucket_seconds, origin in whole Unix seconds)``."""
    if isinstance(bucket_seconds, bool) or not isinstance(bucket_seconds, int) or bucket_seconds < 1:
        raise InvalidRequest(f"bucket_seconds must be a whole number >= 1, not {bucket_seconds!r}.")
    if origin is None:
        return bucket_seconds, 0
    if origin.tzinfo is None:
        origin = origin.replace(tzinfo=UTC)
    return bucket_seconds, math.floor(origin.timestamp())


def paginate[T](items: Sequence[T], page: int, per_page: PerPage) -> tuple[list[T], int, bool]:
    """Slice one page out of a fully sorted list: ``(rows, total, has_more)``."""
    total = len(items)
    if per_page is False:
        return list(items), total, False
    offset = page * per_page
    rows = list(items[offset : offset + per_page])
    return rows, total, offset + per_page < total


def check_metadata_filter(metadata: Mapping[str, Any] | None) -> None:
    """Reject filter keys Mastra rejects, before any I/O (they would become JSON paths in SQL)."""
    for key in metadata or {}:
        if (
            not isinstance(key, str)
            or len(key) > 128
            or key in _FORBIDDEN_KEYS
            or not _METADATA_KEY.fullmatch(key)
        ):
            raise InvalidRequest(
                f"Invalid metadata filter key {key!r}: keys must match [A-Za-z_][A-Za-z0-9_]* "
                "and be at most 128 characters."
            )


def metadata_matches(metadata: Any, wanted: Mapping[str, Any] | None) -> bool:
    """Top-level strict equality, all keys; string (malformed) metadata never matches a filter."""
    if not wanted:
        return True
    if not isinstance(metadata, dict):
        return False
    return all(key in metadata and metadata[key] == value for key, value in wanted.items())


def check_thread_ids(thread_id: str | Sequence[str]) -> list[str]:
    ids = [thread_id] if isinstance(thread_id, str) else list(thread_id)
    if not ids or any(not isinstance(t, str) or not t.strip() for t in ids):
        raise InvalidRequest("threadId must be a non-empty string or array of non-empty strings")
    return ids


# --- opaque cursors ------------------------------------------------------------------------------


def encode_cursor(state: Mapping[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any]:
    """An empty dict for "start"; ``InvalidRequest`` for a cursor we did not make."""
    if not cursor:
        return {}
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidRequest("That page link is not valid (bad cursor); start from the first page.") from exc
    if not isinstance(state, dict):
        raise InvalidRequest("That page link is not valid (bad cursor); start from the first page.")
    return state


def offset_of(state: Mapping[str, Any]) -> int:
    """The offset of a decoded ``{"o": offset}`` cursor (0 for "start")."""
    offset = state.get("o", 0)
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise InvalidRequest("That page link is not valid (bad cursor); start from the first page.")
    return max(0, offset)


def page_at[T](items: Sequence[T], offset: int, limit: int) -> tuple[list[T], str | None]:
    """Cursor paging over a list already sorted in memory (backends without server cursors)."""
    rows = list(items[offset : offset + limit])
    more = offset + limit < len(items)
    return rows, encode_cursor({"o": offset + limit}) if more else None
