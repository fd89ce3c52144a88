"""What the change feeds (``message_changes``, ``thread_changes``, ``resource_changes``) share
across stores: their cursors, their limits, and the settle rule for ``updatedAt`` feeds.

Cursors are opaque base64url JSON tagged with the backend and the feed (``"f"``), so a cursor
handed to the wrong feed or the wrong kind of store is refused with ``InvalidRequest`` instead of
silently starting somewhere else.

**Why ``updatedAt`` feeds settle instead of overlapping.** ``updatedAt`` is written by the writer's
clock *before* its write commits (Mastra computes ``new Date()`` and then runs its batches; a
SQLite writer may wait for the lock), so a row can become visible with a time older than rows
already handed out. Re-reading an overlap before the cursor finds such rows but hands the overlap
out again on every poll, so an idle poll is never empty and never O(1). Instead a feed only hands
out rows whose ``updatedAt`` is at least ``settle_seconds`` older than the reader's clock: a row
that commits late (or whose writer's clock is behind) by less than that is still ahead of the
cursor when it appears, every row comes exactly once, and an idle poll reads nothing. The cost is
that a change shows up ``settle_seconds`` later. A writer whose clock runs *ahead* only delays its
own rows; one that runs behind by more than ``settle_seconds`` can be missed until the thread
changes again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from .codec import now
from .errors import InvalidRequest
from .semantics import decode_cursor, encode_cursor

MAX_CHANGES_LIMIT = 1_000
#: At most this many ids per ``existing_thread_ids`` call (one index lookup each).
MAX_EXISTENCE_IDS = 1_000
#: How long an ``updatedAt`` must be in the past before ``thread_changes``/``resource_changes``
#: hand its row out (see the module docstring).
DEFAULT_SETTLE_SECONDS = 5.0

_FOREIGN = "That change-feed cursor belongs to another feed or store; start that feed again from None."
_BROKEN = "That change-feed cursor is not valid; start that feed again from None."


def foreign_cursor() -> InvalidRequest:
    return InvalidRequest(_FOREIGN)


def check_changes_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_CHANGES_LIMIT:
        raise InvalidRequest(f"limit must be a whole number from 1 to {MAX_CHANGES_LIMIT}, not {limit!r}.")
    return limit


def check_settle(settle_seconds: float) -> float:
    if (
        isinstance(settle_seconds, bool)
        or not isinstance(settle_seconds, int | float)
        or not (0 <= settle_seconds <= 3600)
    ):
        raise InvalidRequest(f"settle_seconds must be from 0 to 3600, not {settle_seconds!r}.")
    return float(settle_seconds)


def check_existence_ids(thread_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(thread_ids))
    if len(ids) > MAX_EXISTENCE_IDS:
        raise InvalidRequest(
            f"existing_thread_ids takes at most {MAX_EXISTENCE_IDS} ids per call, not {len(ids)}."
        )
    if not all(isinstance(i, str) for i in ids):
        raise InvalidRequest("Thread ids must be strings.")
    return [i for i in ids if i]


#: Largest ``before``/``after`` of ``message_window``.
MAX_WINDOW_SIDE = 500


def check_window_sides(before: int, after: int) -> tuple[int, int]:
    for name, value in (("before", before), ("after", after)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WINDOW_SIDE:
            raise InvalidRequest(f"{name} must be a whole number from 0 to {MAX_WINDOW_SIDE}, not {value!r}.")
    return before, after


def change_cursor_feed(cursor: str | None) -> str | None:
    """Which feed made a cursor (``None`` for no cursor), for stores that serve one feed two ways."""
    if cursor is None:
        return None
    if not isinstance(cursor, str) or not cursor:
        raise InvalidRequest(_BROKEN)
    try:
        feed = decode_cursor(cursor).get("f")
    except InvalidRequest:
        raise InvalidRequest(_BROKEN) from None
    if not isinstance(feed, str):
        raise InvalidRequest(_BROKEN)
    return feed


def encode_change_cursor(feed: str, position: Sequence[Any]) -> str:
    return encode_cursor({"f": feed, "p": list(position)})


def decode_change_cursor(feed: str, cursor: str | None, *, size: int) -> list[Any] | None:
    """The position stored in a cursor of ``feed`` (``None``: from the start)."""
    if cursor is None:
        return None
    if not isinstance(cursor, str) or not cursor:
        raise InvalidRequest(_BROKEN)
    try:
        state = decode_cursor(cursor)
    except InvalidRequest:
        raise InvalidRequest(_BROKEN) from None
    if state.get("f") != feed:
        raise InvalidRequest(_FOREIGN)
    position = state.get("p")
    if not isinstance(position, list) or len(position) != size:
        raise InvalidRequest(_BROKEN)
    return position


def settled_before(settle_seconds: float) -> datetime:
    """The newest ``updatedAt`` an ``updatedAt`` feed may hand out now."""
    return now() - timedelta(seconds=settle_seconds)
