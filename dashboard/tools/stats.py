"""Tool-call statistics, aggregated in SQL over the index's ``ToolCall`` rows (never the Mastra store).

A call counts as failed exactly as the thread page shows it failed (``threads.presenters.tool_view``
``is_error``: an ``output-error`` state, an error text, or a result with ``isError: true``); the
indexer stores that verdict in ``ToolCall.is_error``. A call is waiting while its part is still in
the ``call``/``partial-call`` state and no other part of its thread carries the same call id with a
result (the thread page folds such a later part into the card).

Everything that is not a ``GROUP BY`` is bounded: error messages are grouped in SQL by their exact
text first and only the most frequent distinct texts are normalised in Python; argument values are
counted over the newest calls only.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Func, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Substr, TruncDate

from dashboard.search.models import ToolCall

#: States in which a call has been made but nothing came back yet.
WAITING_STATES = ("call", "partial-call")
#: Distinct exact error texts read per page before normalising (the rest are rarer than these).
ERROR_TEXTS_READ = 500
#: Newest calls whose arguments are read for a tool's page.
ARGUMENT_SAMPLE = 500
#: Most common values shown per argument key, and keys shown per tool.
VALUES_PER_KEY = 5
KEYS_SHOWN = 20
#: A value longer than this is shown (and counted) by its start.
VALUE_CHARS = 80
#: Longest error message kept as a group label.
ERROR_CHARS = 300

#: The group of failures that stored no text (a result with ``isError: true`` and no message).
NO_ERROR_TEXT = "(no error text)"

# Order matters: uuids and long hex before plain numbers, so a uuid is one placeholder, not five.
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}\b")
_ID = re.compile(r"\b[A-Za-z]+[-_][A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_QUOTED = re.compile(r"([\"'`])[^\"'`\n]{1,200}\1")
_SPACES = re.compile(r"\s+")


def normalise_error(text: str) -> str:
    """An error message with what varies between occurrences (ids, numbers, quoted values) replaced,
    so "Order A-18896 not found" and "Order A-20001 not found" are one group."""
    text = _SPACES.sub(" ", text).strip()
    text = _UUID.sub("<uuid>", text)
    text = _QUOTED.sub(r"\1…\1", text)
    text = _ID.sub("<id>", text)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("<n>", text)
    return text[:ERROR_CHARS] or NO_ERROR_TEXT


@dataclass(frozen=True)
class ToolFilters:
    agent: str = ""
    #: Resource id prefix, any case (as search's "Resource starts with").
    resource: str = ""
    since: datetime | None = None
    #: Exclusive end.
    until: datetime | None = None
    tool: str = ""

    def apply(self, calls: QuerySet[ToolCall]) -> QuerySet[ToolCall]:
        if self.tool:
            calls = calls.filter(tool_name=self.tool)
        if self.agent:
            calls = calls.filter(agent=self.agent)
        if self.resource:
            calls = calls.filter(resource_id__istartswith=self.resource)
        if self.since:
            calls = calls.filter(created_at__gte=self.since)
        if self.until:
            calls = calls.filter(created_at__lt=self.until)
        return calls


def _answered() -> Exists:
    """Another part of the same thread carries this call's result (the thread page merges them)."""
    return Exists(
        ToolCall.objects.filter(thread_id=OuterRef("thread_id"), call_id=OuterRef("call_id")).exclude(
            state__in=WAITING_STATES
        )
    )


def _waiting_filter() -> Q:
    return Q(state__in=WAITING_STATES, is_error=False) & ~Q(call_id="")


@dataclass
class ToolSummary:
    tool_name: str
    calls: int
    failures: int
    waiting: int
    last_call_at: datetime | None

    @property
    def failure_rate(self) -> float:
        return self.failures / self.calls if self.calls else 0.0


def tool_summaries(filters: ToolFilters, *, limit: int = 200) -> list[ToolSummary]:
    rows = (
        filters.apply(ToolCall.objects.all())
        .values("tool_name")
        .annotate(
            calls=Count("id"),
            failures=Count("id", filter=Q(is_error=True)),
            last_call_at=Max("created_at"),
        )
        .order_by("-calls", "tool_name")[:limit]
    )
    summaries = {
        row["tool_name"]: ToolSummary(row["tool_name"], row["calls"], row["failures"], 0, row["last_call_at"])
        for row in rows
    }
    for name, waiting in waiting_counts(filters, list(summaries)).items():
        summaries[name].waiting = waiting
    return list(summaries.values())


def waiting_counts(filters: ToolFilters, names: list[str]) -> dict[str, int]:
    """Calls still waiting for a result, per tool: few rows (calls in a waiting state), so the
    correlated check for a later result costs little."""
    if not names:
        return {}
    waiting = (
        filters.apply(ToolCall.objects.filter(tool_name__in=names))
        .filter(_waiting_filter())
        .exclude(_answered())
        .values("tool_name")
        .annotate(n=Count("id"))
    )
    return {row["tool_name"]: row["n"] for row in waiting}


@dataclass
class Day:
    day: date
    calls: int
    failures: int


def _day_of_call() -> Func:
    """The calendar day of ``created_at``. On SQLite Django's ``TruncDate`` calls back into Python
    for every row (1.7 s of a 100k-call page, bench/tools.py); when days are UTC days the stored
    text's first ten characters are the day, computed by SQLite itself."""
    if connection.vendor == "sqlite" and settings.TIME_ZONE == "UTC":
        return Substr("created_at", 1, 10)
    return TruncDate("created_at")


def per_day(filters: ToolFilters) -> list[Day]:
    rows = (
        filters.apply(ToolCall.objects.all())
        .annotate(day=_day_of_call())
        .values("day")
        .annotate(calls=Count("id"), failures=Count("id", filter=Q(is_error=True)))
        .order_by("day")
    )
    return [Day(_as_date(row["day"]), row["calls"], row["failures"]) for row in rows if row["day"]]


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


@dataclass
class ErrorGroup:
    message: str
    count: int
    tools: Counter[str] = field(default_factory=Counter)
    #: One exact text of the group, as stored (for the drill-down search).
    example: str = ""


def top_errors(filters: ToolFilters, *, limit: int = 10) -> list[ErrorGroup]:
    rows = (
        filters.apply(ToolCall.objects.filter(is_error=True))
        .values("tool_name", "error_text")
        .annotate(n=Count("id"))
        .order_by("-n")[:ERROR_TEXTS_READ]
    )
    groups: dict[str, ErrorGroup] = {}
    for row in rows:
        key = normalise_error(row["error_text"] or "")
        group = groups.setdefault(key, ErrorGroup(key, 0, example=(row["error_text"] or "")[:ERROR_CHARS]))
        group.count += row["n"]
        group.tools[row["tool_name"]] += row["n"]
    return sorted(groups.values(), key=lambda g: (-g.count, g.message))[:limit]


@dataclass
class ArgumentKey:
    key: str
    calls: int
    values: list[tuple[str, int]]


def argument_keys(filters: ToolFilters) -> tuple[list[ArgumentKey], int]:
    """The argument keys of a tool's newest calls and their most common values, and how many calls
    were read."""
    sample = list(
        filters.apply(ToolCall.objects.exclude(args_json=""))
        .order_by("-created_at", "-id")
        .values_list("args_json", flat=True)[:ARGUMENT_SAMPLE]
    )
    keys: Counter[str] = Counter()
    values: dict[str, Counter[str]] = {}
    for text in sample:
        try:
            args = json.loads(text)
        except ValueError:
            continue
        if not isinstance(args, dict):
            continue
        for key, value in list(args.items())[:100]:
            key = str(key)[:VALUE_CHARS]
            keys[key] += 1
            values.setdefault(key, Counter())[_value_label(value)] += 1
    return [
        ArgumentKey(key, n, values[key].most_common(VALUES_PER_KEY))
        for key, n in keys.most_common(KEYS_SHOWN)
    ], len(sample)


def _value_label(value: Any) -> str:
    if isinstance(value, str):
        label = value
    else:
        try:
            label = json.dumps(value, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError):
            label = str(value)
    return label if len(label) <= VALUE_CHARS else label[: VALUE_CHARS - 1] + "…"


def failing_calls(filters: ToolFilters, *, limit: int = 20) -> list[ToolCall]:
    return list(filters.apply(ToolCall.objects.filter(is_error=True)).order_by("-created_at", "-id")[:limit])


def agents(*, limit: int = 200) -> list[str]:
    """The agents that made calls, for the filter's choices."""
    return list(
        ToolCall.objects.exclude(agent="")
        .values_list("agent", flat=True)
        .distinct()
        .order_by("agent")[:limit]
    )
