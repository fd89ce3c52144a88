"""Case-insensitive prefix filters ("``user_d82`` finds ``user_d82c07``") answered by index ranges.

Indexes order text by bytes, so ``user_d82`` and ``USER_D82`` sit in different places. A prefix is
expanded into its case variants, each one an index range ``[variant, next(variant))``: the
ranges are disjoint and sorted, so reading them one after another in order gives the matches in
index order, O(page) however large the table. To keep the number of ranges small, only the first
``MAX_VARIED_LETTERS`` ASCII letters are varied (at most 64 ranges); the rest of the prefix is
checked on each row the ranges return. Case-insensitivity is ASCII only (as SQLite's ``LIKE``):
other characters match exactly.

A prefix-filtered list comes in the order of that index, last value first (``user_d82c07`` before
``user_d82a``), newest first within one value.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from .errors import InvalidRequest

MAX_VARIED_LETTERS = 6
MAX_PREFIX_CHARS = 500

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SURROGATES = range(0xD800, 0xE000)


def ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def _after(text: str) -> str | None:
    """The smallest string greater than every string starting with ``text``; ``None`` if none."""
    point = ord(text[-1]) + 1
    if point in _SURROGATES:  # not encodable: the next code point is the first after them
        point = _SURROGATES.stop
    if point > 0x10FFFF:
        return None
    return text[:-1] + chr(point)


@dataclass(frozen=True)
class Prefix:
    text: str

    @staticmethod
    def of(value: str | None, *, what: str = "prefix") -> Prefix | None:
        """``None`` for no filter (``None`` or ``""``); ``InvalidRequest`` for a value no id has."""
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise InvalidRequest(f"The {what} must be text.")
        if len(value) > MAX_PREFIX_CHARS:
            raise InvalidRequest(f"The {what} is longer than {MAX_PREFIX_CHARS} characters.")
        if any(ord(c) in _SURROGATES for c in value):
            raise InvalidRequest(f"The {what} holds a lone surrogate, which no stored id can start with.")
        return Prefix(value)

    @property
    def varied_length(self) -> int:
        """How many leading characters the ranges cover (up to and including the last varied letter)."""
        letters = 0
        for i, c in enumerate(self.text):
            if c.isascii() and c.isalpha():
                letters += 1
                if letters == MAX_VARIED_LETTERS:
                    return i + 1
        return len(self.text)

    def ranges(self) -> list[tuple[str, str | None]]:
        """``[low, high)`` index ranges (``high`` ``None``: unbounded), ascending and disjoint."""
        head = self.text[: self.varied_length]
        choices = [(c.lower(), c.upper()) if c.isascii() and c.isalpha() else (c,) for c in head]
        variants = sorted({"".join(p) for p in product(*choices)})
        return [(v, _after(v)) for v in variants]

    def matches(self, value: object) -> bool:
        return isinstance(value, str) and ascii_lower(value[: len(self.text)]) == ascii_lower(self.text)

    def like_pattern(self) -> str:
        """For SQLite's ``LIKE ... ESCAPE '\\'``, which is case-insensitive for ASCII letters."""
        escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{escaped}%"
