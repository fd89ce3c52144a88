"""Small conversions shared by every store: timestamps, lenient JSON, record hygiene."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def to_iso(value: datetime) -> str:
    """Mastra's timestamp format: ``Date.toISOString()`` - UTC, milliseconds, ``Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value.year >= 1000:
        # The same text as below at well under half the cost (a seed writes a million): isoformat
        # truncates to milliseconds too, and ends in "+00:00" for UTC.
        return value.isoformat(timespec="milliseconds")[:-6] + "Z"
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_datetime(value: Any) -> datetime:
    """Parse a stored timestamp: an ISO string (``Z`` or offset), epoch milliseconds, or a datetime.

    Unparseable values become the Unix epoch rather than an exception: one bad row must not make a
    whole list unreadable, and 1970 stands out on a page.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return EPOCH
    if isinstance(value, str) and value:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return EPOCH
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return EPOCH


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ISO = "1970-01-01T00:00:00.000Z"


def sortable_iso(value: Any) -> str:
    """A stored timestamp as Mastra's canonical ISO string, which sorts and compares correctly as text.

    Nearly every stored value already is one (``2026-01-09T14:02:11.481Z``) and is returned as is,
    which keeps sorting thousands of rows cheap; anything else goes through ``parse_datetime``.
    """
    if isinstance(value, str) and len(value) == 24 and value[-1] == "Z" and value[10] == "T":
        return value
    return to_iso(parse_datetime(value))


def canonical_iso(value: Any) -> str:
    """``to_iso(parse_datetime(value))``, without building a datetime for a value already in that
    form: an export writes one per row, and nearly every stored value is one.

    Unlike ``sortable_iso`` the text is checked, so the result is the same for every value: the
    separators sit where ``to_iso`` writes them, the year has four digits that do not start with 0
    (``to_iso`` writes year 999 as ``999``), and ``fromisoformat`` accepts the rest as digits of a
    real date and time.
    """
    if (
        type(value) is str
        and len(value) == 24
        and value[23] == "Z"
        and value[10] == "T"
        and value[19] == "."
        and value[4] == value[7] == "-"
        and value[13] == value[16] == ":"
        and value[0] != "0"
        and value[20:23].isdigit()
    ):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return EPOCH_ISO
        return value
    return to_iso(parse_datetime(value))


def now() -> datetime:
    """The current time at Mastra's precision (milliseconds), so a write reads back equal."""
    t = datetime.now(UTC)
    return t.replace(microsecond=(t.microsecond // 1000) * 1000)


#: A JSON escape of a UTF-16 surrogate (``\\ud83d``): the only way JSON text can carry one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(raw: str | bytes | bytearray, *, strict: bool = True) -> Any:
    """``json.loads`` whose strings are always valid Unicode.

    JavaScript strings may hold half of a UTF-16 pair (an emoji cut in two by a length limit), and
    ``JSON.stringify`` writes it as an escape such as ``\\ud83d``. Python decodes that into a lone
    surrogate, which no page, JSON reply or CSV can encode: such halves become U+FFFD, the
    replacement character, as a browser shows them. Pairs are kept. Only text that holds such an
    escape pays for the extra pass.
    """
    value = json.loads(raw, strict=strict)
    pattern = _SURROGATE_ESCAPE_BYTES if isinstance(raw, bytes | bytearray) else _SURROGATE_ESCAPE
    if pattern.search(raw):  # type: ignore[arg-type]
        return without_lone_surrogates(value)
    return value


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds UTF-16 surrogate code points (halves of a pair, or a lone one)."""
    return _LONE_SURROGATE.search(text) is not None


def repair_text(text: str) -> str:
    """``text`` with each lone UTF-16 surrogate replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def without_lone_surrogates(value: Any) -> Any:
    """A decoded JSON value with every string (keys too) repaired; iterative, so depth is no limit."""
    if isinstance(value, str):
        return repair_text(value)
    if not isinstance(value, dict | list):
        return value
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = repair_text(item)
        elif isinstance(item, list):
            stack.extend((item, i) for i in range(len(item)))
        elif isinstance(item, dict):
            for name in list(item):
                fixed = repair_text(name) if isinstance(name, str) else name
                if fixed != name:
                    item[fixed] = item.pop(name)
                stack.append((item, fixed))
    return root[0]


def safely_parse_json(value: Any) -> Any:
    """Mastra's ``safelyParseJSON``: objects pass through, ``None`` becomes ``{}``, a string is parsed
    when it is valid JSON and returned unchanged otherwise (legacy rows hold malformed strings, and
    an agent can write JSON nested deeper than Python's decoder goes)."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            return loads(value)
        except (ValueError, RecursionError):
            return value
    return value


#: The reason ``parse_json_lenient`` gives for JSON too deep to decode.
NESTED_TOO_DEEPLY = "JSON nested too deeply to decode"


def parse_json_lenient(value: Any) -> tuple[Any, str | None]:
    """Parse a value that may be JSON text; return ``(value, error)``.

    Used where a malformed payload must still be shown: the raw text comes back with the reason.
    """
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str):
        try:
            return loads(value), None
        except ValueError as exc:
            return value, f"not valid JSON: {exc}"
        except RecursionError:
            # JavaScript writes JSON nested thousands of levels deep; Python's decoder stops near
            # its recursion limit. The text is kept, as for malformed JSON.
            return value, NESTED_TOO_DEEPLY
    return value, None


def without_none(record: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values: Convex's ``v.optional`` accepts a missing field but not ``null``."""
    return {k: v for k, v in record.items() if v is not None}


def strip_system_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Remove Convex's ``_id`` and ``_creationTime``, which Mastra's own readers leak."""
    return {k: v for k, v in doc.items() if k not in ("_id", "_creationTime")}


def dumps_compact(value: Any) -> str:
    """``JSON.stringify`` equivalent: compact separators, non-ASCII kept as is."""
    return escape_lone_surrogates(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def escape_lone_surrogates(json_text: str) -> str:
    """JSON text with each lone UTF-16 surrogate written as its ``\\uXXXX`` escape, as
    ``JSON.stringify`` writes it: the text can then be encoded as UTF-8 (SQLite, HTTP) and Mastra's
    ``JSON.parse`` reads back exactly the string it stored. Surrogates only occur inside strings,
    where an escape means the same character."""
    if not _LONE_SURROGATE.search(json_text):
        return json_text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
