"""What a stored working memory is, and how it is shown and edited.

Mastra keeps working memory as text in one of two shapes: Markdown (template mode) or the JSON text
of an object (schema mode). A stored value that parses as a JSON object or array is JSON; anything
else is Markdown; nothing (or only whitespace) is empty, which an editor fills in as Markdown, the
shape of Mastra's default template.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.safestring import SafeString

from dashboard.core.rendering import render_untrusted_markdown
from storeclient.codec import dumps_compact, loads, without_lone_surrogates

Kind = Literal["markdown", "json", "empty"]
#: The mode an editor works in: an empty memory is edited as Markdown.
Mode = Literal["markdown", "json"]


def json_value(text: str | None) -> dict[str, Any] | list[Any] | None:
    """The decoded object of schema-mode working memory, or ``None`` for any other text (Mastra
    never stores other JSON as working memory)."""
    # A cheap look at the first character spares a parse of every Markdown memory in a list.
    if not text or text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        # codec.loads: half an emoji (a lone surrogate escape) reads as U+FFFD, which a page can show.
        value = loads(text)
    except (ValueError, RecursionError):
        # An agent-written value nested past Python's recursion limit is shown as text, not a 500.
        return None
    return value if isinstance(value, dict | list) else None


def working_memory_kind(text: str | None) -> Kind:
    """ "json", "markdown" or "empty", without rendering anything (for lists)."""
    if text is None or not text.strip():
        return "empty"
    return "json" if json_value(text) is not None else "markdown"


def detect_mode(text: str | None) -> Mode:
    """The mode to edit ``text`` in."""
    return "json" if json_value(text) is not None else "markdown"


@dataclass(frozen=True)
class WorkingMemoryView:
    """How to show a working memory: ``kind`` is "json" (schema mode: ``value`` is the decoded
    object), "markdown" (template mode: ``html`` is the sanitised rendering) or "empty"."""

    kind: Kind
    text: str
    value: Any = None
    html: SafeString = SafeString("")


def working_memory_view(text: str | None) -> WorkingMemoryView:
    kind = working_memory_kind(text)
    if kind == "json":
        return WorkingMemoryView(kind, text or "", value=json_value(text))
    if kind == "markdown":
        return WorkingMemoryView(kind, text or "", html=render_untrusted_markdown(text))
    return WorkingMemoryView(kind, text or "")


# --- text as it is edited and stored ----------------------------------------------------------------


def normalise_line_endings(text: str) -> str:
    """Browsers submit textarea lines with CRLF; Mastra writes LF, and a diff should not show every line."""
    return text.replace("\r\n", "\n")


def pretty_json(text: str) -> str:
    """JSON text as the editor shows it (2-space indent, non-ASCII kept); other text unchanged."""
    try:
        return json.dumps(loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return text


# --- JSON the editor accepts -----------------------------------------------------------------------

#: The deepest nesting of objects and arrays the editor accepts: far beyond any agent's schema, and
#: well inside what Python's parser (recursion limit 1000) and the page's structure view can walk.
MAX_JSON_DEPTH = 500
#: The longest integer Python turns into a number (``sys.get_int_max_str_digits``); JavaScript would
#: round it to a float anyway, so a value that long belongs in a string.
MAX_JSON_INT_DIGITS = 4300

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# Strings are matched whole, so brackets, NaN or digits inside them are never mistaken for tokens.
_JSON_TOKENS = re.compile(
    r'"(?:[^"\\]|\\.)*"|(?P<open>[\[{])|(?P<close>[\]}])|(?P<constant>-?(?:Infinity|NaN))'
    r"|(?P<number>-?\d+(?P<fraction>(?:\.\d+)?(?:[eE][+-]?\d+)?))"
)


class JsonRefused(ValueError):
    """JSON text the editor will not store: ``message`` names the line, the column and what to change."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class _Unstorable(Exception):
    """Raised by the parser's hooks; ``load_json`` then finds where in the text it is."""


def _refuse_constant(name: str) -> Any:
    raise _Unstorable(name)


def _checked_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_JSON_INT_DIGITS:
        raise _Unstorable(digits)
    return int(digits)


def _checked_float(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise _Unstorable(digits)
    return value


def load_json(text: str) -> Any:
    """``text`` parsed as JSON that Mastra's ``JSON.parse`` reads back as the same value and this
    page can show. Python's parser alone takes NaN and Infinity (which ``JSON.stringify`` cannot
    write back), turns ``1e400`` into Infinity, and fails with a bare error on integers longer than
    4,300 digits or nesting past its recursion limit; each of those is a ``JsonRefused`` here, as
    is any syntax error."""
    # No parse can get deeper than the number of brackets; counting them is cheap.
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH:
        _refuse_first(text, _too_deep(text))
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_checked_int, parse_float=_checked_float
        )
        # Half an emoji typed as an escape is stored as U+FFFD, as every store reads it back.
        return without_lone_surrogates(value) if _SURROGATE_ESCAPE.search(text) else value
    except json.JSONDecodeError as exc:
        raise JsonRefused(
            f"Line {exc.lineno}, column {exc.colno}: {exc.msg}.", exc.lineno, exc.colno
        ) from exc
    except _Unstorable as exc:
        _refuse_first(text, _unstorable_numbers(text))
        raise JsonRefused(f"{exc} cannot be stored as a JSON number. Store it as a string.") from exc
    except RecursionError as exc:
        # The bracket count above keeps real input from getting here; kept so no input is a 500.
        raise JsonRefused(f"This JSON is nested deeper than {MAX_JSON_DEPTH} levels.") from exc


def _refuse_first(text: str, problems: Iterator[tuple[int, str]]) -> None:
    for position, message in problems:
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        raise JsonRefused(f"Line {line}, column {column}: {message}", line, column)


def _too_deep(text: str) -> Iterator[tuple[int, str]]:
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        if token["open"]:
            depth += 1
            if depth > MAX_JSON_DEPTH:
                yield (
                    token.start(),
                    (
                        f"nested deeper than {MAX_JSON_DEPTH} levels of objects and arrays, the most "
                        "the editor accepts. Flatten the structure (or store the deep part as a string)."
                    ),
                )
        elif token["close"]:
            depth -= 1


def _unstorable_numbers(text: str) -> Iterator[tuple[int, str]]:
    for token in _JSON_TOKENS.finditer(text):
        if token["constant"]:
            yield (
                token.start(),
                (
                    f"{token['constant']} is not a JSON number (JSON has no NaN or Infinity, and Mastra's "
                    "JSON.parse cannot read it back). Use null, a number, or a string."
                ),
            )
        elif token["number"] and not token["fraction"]:
            digits = len(token["number"].lstrip("-"))
            if digits > MAX_JSON_INT_DIGITS:
                yield (
                    token.start(),
                    (
                        f"an integer of {digits:,} digits; the most the editor accepts is "
                        f"{MAX_JSON_INT_DIGITS:,} (JavaScript would round it anyway). Store it as a string."
                    ),
                )
        elif token["number"] and not math.isfinite(float(token["number"])):
            yield (
                token.start(),
                (
                    f"{token['number'][:20]}{'…' if len(token['number']) > 20 else ''} is too large "
                    "for a JSON number (it would be stored as Infinity). Store it as a string."
                ),
            )


def compact_json(value: Any) -> str:
    """What Mastra's ``JSON.stringify(object)`` writes: no spaces, non-ASCII kept, a lone surrogate
    as its escape (so the text can be encoded for the store and the audit log)."""
    return dumps_compact(value)


def editable_text(stored: str | None, mode: Mode) -> str:
    """The stored value as it appears in the textarea (and on either side of a diff)."""
    if not stored:
        return ""
    return pretty_json(stored) if mode == "json" else stored


# --- sizes ----------------------------------------------------------------------------------------


def byte_size(text: str) -> int:
    """UTF-8 bytes, what Convex counts against its document limit."""
    # surrogatepass: a lone surrogate (possible in a pasted JSON escape) still has a size to report.
    return len(text.encode("utf-8", "surrogatepass"))


def format_size(n: int) -> str:
    """Binary units, as Convex states its limits: "812 bytes", "12.3 KiB", "1.02 MiB"."""
    if n < 1024:
        return f"{n:,} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.2f} MiB"
