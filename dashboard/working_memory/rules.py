"""What a stored working memory is, and how it is shown and edited.

Mastra keeps working memory as text in one of two shapes: Markdown (template mode) or the JSON text
of an object (schema mode). A stored value that parses as a JSON object or array is JSON; anything
else is Markdown; nothing (or only whitespace) is empty, which an editor fills in as Markdown, the
shape of Mastra's default template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.safestring import SafeString

from dashboard.core.rendering import render_untrusted_markdown

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
        value = json.loads(text)
    except (ValueError, RecursionError):
        # Too deep for Python's decoder (an agent's JavaScript writes deeper): shown as text.
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
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def compact_json(value: Any) -> str:
    """What Mastra's ``JSON.stringify(object)`` writes: no spaces, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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
