"""Highlighted excerpts of stored text, built safely.

Stored text is agent-written and untrusted: every character of it is escaped, and the only markup
in a snippet is our own ``<mark>`` around the words the query matched. The engine's own snippet
functions are not used (FTS5's snippet() returns the stored text unescaped).
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Characters shown per snippet, and how many before the first match.
SNIPPET_CHARS = 240
LEAD_CHARS = 60
_SPACE = re.compile(r"\s+")


def snippet(text: str, pattern: re.Pattern[str] | None, *, width: int = SNIPPET_CHARS) -> SafeString:
    """An escaped excerpt of ``text`` around its first match of ``pattern``, matches in ``<mark>``."""
    if not text:
        return mark_safe("")
    first = pattern.search(text) if pattern is not None else None
    start = max(0, first.start() - LEAD_CHARS) if first else 0
    if start:
        # Start at a word, not inside one.
        space = text.find(" ", start, first.start() if first else start + LEAD_CHARS)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    window = _SPACE.sub(" ", text[start:end]).strip()
    pieces = ["…"] if start else []
    position = 0
    if pattern is not None:
        for match in pattern.finditer(window):
            pieces.append(escape(window[position : match.start()]))
            pieces.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    pieces.append(escape(window[position:]))
    if end < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))
