"""Three-way merges of working memory: what the editor started from, what is stored now (theirs)
and the draft (mine). Nothing here writes; the editor shows the result before anyone saves it.

Markdown merges by line; JSON (schema mode) merges by key, so two people setting different keys
of one object never collide, and the result is always valid JSON. A merge that cannot decide on
its own (both sides changed the same lines, or the same key to different values) says where, and
leaves the choice to the person.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from .rules import Mode, compact_json, json_value, pretty_json


@dataclass(frozen=True)
class Merge:
    """The result of a three-way merge: ``text`` (the editable text of both edits combined) when
    they do not overlap; otherwise ``None`` and ``overlaps``, where they do (for the person)."""

    text: str | None
    overlaps: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return self.text is not None


def merge_working_memory(base: str, theirs: str, mine: str, mode: Mode) -> Merge:
    """Both edits of ``base`` in one text, in the editable form of ``mode`` (pretty JSON in schema
    mode, as the textarea shows it)."""
    if mode == "json":
        values = [json_value(text) if text.strip() else None for text in (base, theirs, mine)]
        if values[1] is not None and values[2] is not None:
            merged = merge_values(values[0], values[1], values[2])
            if merged.overlaps:
                return Merge(None, merged.overlaps)
            return Merge(pretty_json(compact_json(merged.value)))
        # Not all JSON (a draft that no longer parses, say): the lines are all there is to go on.
    return merge_lines(base, theirs, mine)


# --- lines ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hunk:
    """Base lines ``start:end`` replaced by ``lines`` on one side (``start == end``: an insertion)."""

    start: int
    end: int
    lines: tuple[str, ...]
    side: int  # 0 theirs, 1 mine: on one insertion point, theirs comes first

    @property
    def key(self) -> tuple[int, int, tuple[str, ...]]:
        return (self.start, self.end, self.lines)


def _hunks(base: list[str], other: list[str], side: int) -> list[_Hunk]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [
        _Hunk(i1, i2, tuple(other[j1:j2]), side)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def merge_lines(base: str, theirs: str, mine: str) -> Merge:
    """A line merge. Changes to different lines combine; the same change made on both sides counts
    once; lines both sides added at the same place are both kept (theirs first, no line twice),
    because appending a note is how people and agents most often edit working memory at once."""
    base_lines = base.splitlines()
    ends_with_newline = any(text.endswith("\n") for text in (theirs, mine))
    hunks = sorted(
        _hunks(base_lines, theirs.splitlines(), 0) + _hunks(base_lines, mine.splitlines(), 1),
        key=lambda hunk: (hunk.start, hunk.end, hunk.side),
    )
    merged: list[str] = []
    overlaps: list[str] = []
    position = 0
    # The furthest base line each side has replaced so far: a hunk of the other side that starts
    # before it overlaps that change.
    reach = [0, 0]
    seen: set[tuple[int, int, tuple[str, ...]]] = set()
    previous: _Hunk | None = None
    for hunk in hunks:
        if hunk.key in seen:
            continue  # the same change on both sides
        seen.add(hunk.key)
        if hunk.start < reach[1 - hunk.side]:
            overlaps.append(_line_range(hunk.start, hunk.end))
            continue
        merged.extend(base_lines[position : hunk.start])
        if (
            previous is not None
            and hunk.start == hunk.end == previous.start == previous.end
            and previous.side != hunk.side
        ):
            # Both sides inserted at this one place: keep every line of either, once, in order.
            merged[len(merged) - len(previous.lines) :] = _union(previous.lines, hunk.lines)
        else:
            merged.extend(hunk.lines)
        position = max(position, hunk.end)
        reach[hunk.side] = max(reach[hunk.side], hunk.end)
        previous = hunk
    if overlaps:
        return Merge(None, tuple(dict.fromkeys(overlaps)))
    merged.extend(base_lines[position:])
    text = "\n".join(merged)
    return Merge(text + "\n" if merged and ends_with_newline else text)


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> list[str]:
    """The lines of both blocks in order, lines they share once (``first``'s before ``second``'s
    where they differ)."""
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    lines: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        lines.extend(first[i1:i2])
        if tag != "equal":
            lines.extend(second[j1:j2])
    return lines


def _line_range(start: int, end: int) -> str:
    if end - start <= 1:
        return f"line {start + 1}"
    return f"lines {start + 1}–{end}"


# --- JSON -----------------------------------------------------------------------------------------

_MISSING: Any = object()


@dataclass(frozen=True)
class ValueMerge:
    value: Any
    overlaps: tuple[str, ...] = ()


def merge_values(base: Any, theirs: Any, mine: Any) -> ValueMerge:
    """A key-by-key merge of JSON values: a key one side changed takes that side's value; a key
    both changed alike takes it; objects both changed merge recursively; anything else overlaps."""
    overlaps: list[str] = []
    value = _merge(base, theirs, mine, "", overlaps)
    return ValueMerge(value, tuple(overlaps))


def _merge(base: Any, theirs: Any, mine: Any, path: str, overlaps: list[str]) -> Any:
    if _same(theirs, mine) or _same(base, mine):
        return theirs
    if _same(base, theirs):
        return mine
    if all(isinstance(value, dict) for value in (theirs, mine)):
        base_object = base if isinstance(base, dict) else {}
        merged: dict[str, Any] = {}
        # Theirs' order first (it is what is stored), then keys only the draft has.
        for key in [*theirs, *(key for key in mine if key not in theirs)]:
            value = _merge(
                base_object.get(key, _MISSING),
                theirs.get(key, _MISSING),
                mine.get(key, _MISSING),
                f"{path}.{key}" if path else key,
                overlaps,
            )
            if value is not _MISSING:
                merged[key] = value
        return merged
    overlaps.append(path or "the whole value")
    return theirs


def _same(left: Any, right: Any) -> bool:
    # ``1 == True`` in Python but not in JSON: compare what would be stored.
    if left is _MISSING or right is _MISSING:
        return left is right
    return bool(compact_json(left) == compact_json(right))
