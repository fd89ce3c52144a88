"""Line diffs of two texts as data the template renders (and so escapes): no HTML is built here.

``difflib.HtmlDiff`` would do the layout, but it emits ids, anchors and ``nowrap`` attributes and
escapes by hand; a list of rows keeps escaping in the template and the markup ours.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Literal

#: Diff rows rendered at most; a larger diff says how much is not shown.
MAX_DIFF_ROWS = 2_000

RowKind = Literal["context", "added", "removed", "hunk"]


@dataclass(frozen=True)
class DiffRow:
    kind: RowKind
    text: str
    old_line: int | None = None
    new_line: int | None = None

    @property
    def sign(self) -> str:
        return {"added": "+", "removed": "−", "context": " ", "hunk": ""}[self.kind]


@dataclass(frozen=True)
class Diff:
    old_label: str
    new_label: str
    rows: list[DiffRow] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    #: Rows left out because the diff is longer than ``MAX_DIFF_ROWS``.
    hidden: int = 0
    #: The texts differ even when no line does (only line endings or a final newline changed).
    texts_differ: bool = False

    @property
    def unchanged(self) -> bool:
        return not self.added and not self.removed

    @property
    def whitespace_only(self) -> bool:
        return self.unchanged and self.texts_differ


def line_diff(old: str, new: str, *, old_label: str, new_label: str, context: int = 3) -> Diff:
    """A unified diff of ``old`` -> ``new`` by line, with line numbers on both sides."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    rows: list[DiffRow] = []
    added = removed = 0
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(
            DiffRow(
                "hunk",
                f"@@ −{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@",
            )
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(
                    DiffRow("context", old_lines[i], i + 1, j + 1)
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
                continue
            if tag in ("replace", "delete"):
                rows.extend(DiffRow("removed", old_lines[i], old_line=i + 1) for i in range(i1, i2))
                removed += i2 - i1
            if tag in ("replace", "insert"):
                rows.extend(DiffRow("added", new_lines[j], new_line=j + 1) for j in range(j1, j2))
                added += j2 - j1
    hidden = max(0, len(rows) - MAX_DIFF_ROWS)
    return Diff(old_label, new_label, rows[:MAX_DIFF_ROWS], added, removed, hidden, old != new)
