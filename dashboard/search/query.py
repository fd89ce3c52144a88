"""What a user types into the search box, read into a query no engine can choke on.

Supported (and documented on the page and in the README):

* words: every word must appear (``refund cracked``), in any case, accents ignored on SQLite;
* ``"two words"``: the words next to each other, in that order (a phrase);
* ``refu*``: a word starting with ``refu`` (at least two letters before the ``*``);
* ``-word`` or ``-"two words"``: messages without it;
* ``refund OR return``: either (``OR`` in capitals, between two words or phrases).

Everything else is text: ``NEAR``, ``AND``, ``NOT``, parentheses, colons, ``^``, ``+`` and a
quote without its partner are read as the words around them, never as engine syntax. The engine
only ever sees words made of letters and digits, each quoted by us, so no input can make it fail.
Punctuation inside a word splits it into a phrase, as the index does: ``A-18896`` finds "A-18896"
and "a 18896" but not "a ... 18896".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words taken from one query; the rest is ignored (a pasted page must not build a huge query).
MAX_TERMS = 24
#: Shortest stem a prefix search accepts ("a*" would match half the index).
MIN_PREFIX = 2

_WORD = re.compile(r"[^\W_]+")
#: Characters that separate words rather than join them into a phrase (``(refund mug)`` is two words).
_SEPARATORS = re.compile(r"[()\[\]{}^+,;!?<>=|&~]")
_CHUNK = re.compile(r'-?"[^"]*"\*?|\S+')


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of words that must be adjacent; ``prefix`` applies to the last word."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    #: Every group must match; a group matches when any of its terms does (OR).
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def positive_terms(self) -> tuple[Term, ...]:
        return tuple(term for group in self.groups for term in group)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: each term a quoted string (our words never hold a quote)."""
        positive = " AND ".join(
            "(" + " OR ".join(_fts5_term(t) for t in group) + ")" if len(group) > 1 else _fts5_term(group[0])
            for group in self.groups
        )
        if not self.excluded:
            return positive
        return f"({positive}) NOT ({' OR '.join(_fts5_term(t) for t in self.excluded)})"

    def tsquery(self) -> str:
        """A PostgreSQL ``to_tsquery('simple', ...)`` expression of quoted lexemes."""
        parts = [
            "(" + " | ".join(_ts_term(t) for t in group) + ")" if len(group) > 1 else _ts_term(group[0])
            for group in self.groups
        ]
        parts += [f"!{_ts_term(t)}" for t in self.excluded]
        return " & ".join(parts)

    def highlighter(self) -> re.Pattern[str] | None:
        """A pattern for the words to mark in a snippet (whole words; a prefix term's stem)."""
        alternatives = sorted(
            {
                re.escape(word) + (r"[^\W_]*" if term.prefix and i == len(term.words) - 1 else "")
                for term in self.positive_terms
                for i, word in enumerate(term.words)
            },
            key=len,
            reverse=True,
        )
        if not alternatives:
            return None
        return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])", re.IGNORECASE)


def parse(text: str) -> SearchQuery:
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    budget = MAX_TERMS
    for chunk in _CHUNK.findall(_SEPARATORS.sub(" ", text)):
        if budget <= 0:
            break
        if chunk == "OR":
            # Only between two positive terms; a dangling OR is ignored rather than searched for.
            join_next = bool(groups)
            continue
        negative = chunk.startswith("-") and len(chunk) > 1
        body = chunk[1:] if negative else chunk
        term = _term(body)
        if term is None:
            join_next = False
            continue
        budget -= len(term.words)
        if negative:
            excluded.append(term)
            join_next = False
        elif join_next:
            groups[-1].append(term)
            join_next = False
        else:
            groups.append([term])
    return SearchQuery(tuple(tuple(group) for group in groups), tuple(excluded))


def words_of(text: str) -> list[str]:
    """The lowercase words of ``text``, split the way the index splits."""
    return [word.lower() for word in _WORD.findall(text)]


def _term(chunk: str) -> Term | None:
    quoted = len(chunk) >= 2 and chunk.startswith('"') and chunk.rstrip("*").endswith('"')
    prefix = chunk.endswith("*")
    words = tuple(words_of(chunk))
    if not words:
        return None
    if prefix and len(words[-1]) < MIN_PREFIX:
        prefix = False
    if quoted and not chunk.endswith('"*'):
        prefix = False
    return Term(words[:MAX_TERMS], prefix)


def _fts5_term(term: Term) -> str:
    return '"' + " ".join(term.words) + '"' + (" *" if term.prefix else "")


def _ts_term(term: Term) -> str:
    lexemes = [f"'{word}'" for word in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"
