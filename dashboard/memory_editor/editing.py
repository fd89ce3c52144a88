"""What a working-memory draft must satisfy before the editor sends it to the store.

The draft is checked in the mode of the version it edits (see ``dashboard.working_memory.rules``)
and against the size the store can take.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.working_memory.rules import (
    JsonRefused,
    Mode,
    byte_size,
    compact_json,
    format_size,
    load_json,
    normalise_line_endings,
)
from storeclient.codec import loads

#: Room kept for the other fields of the record (id, dates, metadata, a thread's other metadata):
#: working memory is one field of a document (a resource, or a thread's metadata).
DOCUMENT_HEADROOM = 64 * 1024
#: The largest working memory the editor sends to any store, in UTF-8 bytes: what fits in a Convex
#: document (1 MiB) beside the rest of the record. A store with no document limit of its own
#: (SQLite) is held to it too, so a memory edited on a local file still fits when the team moves
#: to Convex, and the text every agent prompt carries stays bounded.
MAX_WORKING_MEMORY_BYTES = 1024 * 1024 - DOCUMENT_HEADROOM


def max_working_memory_bytes(document_limit: int | None) -> int:
    """The editor's limit for a store whose records hold at most ``document_limit`` bytes
    (``Store.max_document_bytes``; ``None`` when the store sets none)."""
    if document_limit is None:
        return MAX_WORKING_MEMORY_BYTES
    return min(MAX_WORKING_MEMORY_BYTES, document_limit - DOCUMENT_HEADROOM)


@dataclass(frozen=True)
class DraftError:
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Draft:
    """A draft checked against its mode and the size limit.

    ``value`` is what would be stored (compact JSON in JSON mode); ``errors`` says why it may not be.
    """

    text: str
    mode: Mode
    value: str
    limit: int
    parsed: Any = None
    errors: tuple[DraftError, ...] = ()
    size: int = 0
    too_large: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def size_label(self) -> str:
        return format_size(self.size)

    @property
    def limit_label(self) -> str:
        return format_size(self.limit)

    @property
    def summary(self) -> str:
        """One line about a valid JSON draft: "object, 5 keys" / "array, 3 items"."""
        if isinstance(self.parsed, dict):
            return f"object, {len(self.parsed)} key{'' if len(self.parsed) == 1 else 's'}"
        if isinstance(self.parsed, list):
            return f"array, {len(self.parsed)} item{'' if len(self.parsed) == 1 else 's'}"
        return ""


def check_draft(text: str, mode: Mode, limit: int) -> Draft:
    """``text`` checked in ``mode`` against a limit of ``limit`` UTF-8 bytes."""
    text = normalise_line_endings(text)
    errors: list[DraftError] = []
    value, parsed = text, None
    if mode == "json":
        try:
            parsed = load_json(text)
        except JsonRefused as exc:
            errors.append(DraftError(exc.message, exc.line, exc.column))
        else:
            if isinstance(parsed, dict | list):
                value = compact_json(parsed)
            else:
                errors.append(
                    DraftError(
                        "Schema-mode working memory must be a JSON object (or array), "
                        f"not a {type(parsed).__name__ if parsed is not None else 'null'}."
                    )
                )
    size = byte_size(value)
    too_large = size > limit
    if too_large:
        errors.append(
            DraftError(
                f"This working memory is {format_size(size)}; the most this store can hold is "
                f"{format_size(limit)} (Convex documents are limited to 1 MiB, and "
                "the rest of the record needs room too). Nothing was sent."
            )
        )
    return Draft(text, mode, value, limit, parsed, tuple(errors), size, too_large)


def same_memory(stored: str | None, draft: Draft) -> bool:
    """Whether saving ``draft`` would change nothing a reader of the memory could tell apart."""
    if draft.mode == "json" and stored:
        try:
            return loads(stored) == draft.parsed
        except (ValueError, RecursionError):
            return False
    return (stored or "") == draft.value
