"""Tool-call statistics from the dashboard's index (never the Mastra store).

Without a resource filter every figure but "waiting" is read from the stored daily counts
(``dashboard.search.tool_days``: per day, tool, agent and normalised error), so a page reads
O(days × tools × agents) rows however many calls were indexed. A resource prefix cannot be
pre-counted: with one, the figures are ``GROUP BY``s over the matching ``ToolCall`` rows.

A call counts as failed exactly as the thread page shows it failed (``threads.presenters.tool_view``
``is_error``: an ``output-error`` state, an error text, or a result with ``isError: true``); the
indexer stores that verdict in ``ToolCall.is_error``. A call is waiting while its part is still in
the ``call``/``partial-call`` state and no other part of its thread carries the same call id with a
result (the thread page folds such a later part into the card); such calls are few, and counted
through an index of their own.

Everything that is not a ``GROUP BY`` is bounded: only the most frequent error groups are read, and
argument values are counted over the newest calls only.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Func, Max, Model, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from dashboard.search import tool_days
from dashboard.search.models import ToolCall, ToolCallDay, ToolErrorDay

#: States in which a call has been made but nothing came back yet.
WAITING_STATES = tool_days.WAITING_STATES
#: Error groups (exact texts, or normalised ones when counted) read per page (the rest are rarer).
ERROR_TEXTS_READ = 500
#: Newest calls whose arguments are read for a tool's page.
ARGUMENT_SAMPLE = 500
#: Most common values shown per argument key, and keys shown per tool.
VALUES_PER_KEY = 5
KEYS_SHOWN = 20
#: A value longer than this is shown (and counted) by its start.
VALUE_CHARS = 80
#: Longest error message kept as a group label; the group of failures that stored no text; how a
#: message becomes its group (the stored counts group by the same key).
ERROR_CHARS = tool_days.ERROR_CHARS
NO_ERROR_TEXT = tool_days.NO_ERROR_TEXT
normalise_error = tool_days.error_key


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

    @property
    def counted(self) -> bool:
        """The stored daily counts answer these filters (they have no resource dimension)."""
        return not self.resource

    def apply_days[M: Model](self, rows: QuerySet[M]) -> QuerySet[M]:
        """The same filters over stored daily counts: whole days, the ones the range's dates name."""
        rows = (
            rows.filter(every_agent=False, agent=self.agent) if self.agent else rows.filter(every_agent=True)
        )
        if self.tool:
            rows = rows.filter(tool_name=self.tool)
        if self.since:
            rows = rows.filter(day__gte=timezone.localtime(self.since).date())
        if self.until:
            rows = rows.filter(day__lt=timezone.localtime(self.until).date())
        return rows


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
    if filters.counted:
        rows = (
            filters.apply_days(ToolCallDay.objects.all())
            .values("tool_name")
            .annotate(
                calls=Sum("calls"),
                failures=Sum("failures"),
                waiting=Sum("waiting"),
                last_call_at=Max("last_call_at"),
            )
            .order_by("-calls", "tool_name")[:limit]
        )
        return [
            ToolSummary(row["tool_name"], row["calls"], row["failures"], row["waiting"], row["last_call_at"])
            for row in rows
        ]
    else:
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
    if filters.counted:
        counted = (
            filters.apply_days(ToolCallDay.objects.all())
            .values("day")
            .annotate(calls=Sum("calls"), failures=Sum("failures"))
            .order_by("day")
        )
        return [Day(row["day"], row["calls"], row["failures"]) for row in counted]
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
    if filters.counted:
        # Already grouped by their normalised text when counted: (key, example) per tool.
        rows = [
            (row["tool_name"], row["error_key"], row["example"], row["n"])
            for row in filters.apply_days(ToolErrorDay.objects.all())
            .values("tool_name", "error_key")
            .annotate(n=Sum("failures"), example=Max("example"))
            .order_by("-n")[:ERROR_TEXTS_READ]
        ]
    else:
        rows = [
            (row["tool_name"], normalise_error(row["error_text"] or ""), row["error_text"] or "", row["n"])
            for row in filters.apply(ToolCall.objects.filter(is_error=True))
            .values("tool_name", "error_text")
            .annotate(n=Count("id"))
            .order_by("-n")[:ERROR_TEXTS_READ]
        ]
    groups: dict[str, ErrorGroup] = {}
    for tool_name, key, example, n in rows:
        group = groups.setdefault(key, ErrorGroup(key, 0, example=example[:ERROR_CHARS]))
        group.count += n
        group.tools[tool_name] += n
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
        ToolCallDay.objects.filter(every_agent=False)
        .exclude(agent="")
        .values_list("agent", flat=True)
        .distinct()
        .order_by("agent")[:limit]
    )
