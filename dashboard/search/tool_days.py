"""Stored daily tool-call counts (``ToolCallDay``, ``ToolErrorDay``), kept exact as the indexer
writes and deletes ``ToolCall`` rows, so /tools/ reads O(days × tools × agents) rows however many
calls there are (bench/tools.py).

The indexer calls three functions where it changes tool calls, inside the same transaction:
``add_calls`` after inserting, ``delete_calls`` instead of deleting, ``update_calls`` instead of
updating (a thread whose agent changed moves its calls to the new agent's counts). Each reads the
affected calls once (O(calls changed)), never the table. A day is a calendar day in the site's zone
(``DJANGO_TIME_ZONE``); failures are counted the way ``ToolCall.is_error`` says, and grouped by
``error_key`` (ids, numbers, uuids, hex and quoted values replaced) so "Order A-18896 not found"
and "Order A-20001 not found" are one row.

Resource-prefix filters are not pre-counted (a prefix of any length is a different set): /tools/
aggregates ``ToolCall`` for those, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Max, QuerySet
from django.utils import timezone

from .models import ToolCall, ToolCallDay, ToolErrorDay

#: Longest error message kept as a group key (and label).
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


def error_key(text: str) -> str:
    """An error message with what varies between occurrences (ids, numbers, quoted values) replaced,
    so "Order A-18896 not found" and "Order A-20001 not found" are one group."""
    text = _SPACES.sub(" ", text).strip()
    text = _UUID.sub("<uuid>", text)
    text = _QUOTED.sub(r"\1…\1", text)
    text = _ID.sub("<id>", text)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("<n>", text)
    return text[:ERROR_CHARS] or NO_ERROR_TEXT


def day_of(moment: datetime) -> date:
    """The calendar day a call counts in: the site's zone, whatever zone a reader has chosen."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)


#: (day, tool, agent, every_agent): a call counts under its agent and under every agent.
type DayKey = tuple[date, str, str, bool]
#: A call's (thread, call id): a result stored in another part of the thread answers the call.
type CallPair = tuple[str, str]

#: States in which a call has been made but nothing came back yet.
WAITING_STATES = ("call", "partial-call")
_FIELDS = (
    "id",
    "created_at",
    "tool_name",
    "agent",
    "is_error",
    "error_text",
    "thread_id",
    "call_id",
    "state",
)
type _Row = tuple[int, datetime, str, str, bool, str, str, str, str]


@dataclass
class _Tally:
    """What a set of calls contributes to the stored counts."""

    #: -> [calls, failures, waiting]
    days: dict[DayKey, list[int]] = field(default_factory=dict)
    last: dict[DayKey, datetime] = field(default_factory=dict)
    #: (*DayKey, error key) -> failures, and one exact text of each
    errors: dict[tuple[date, str, str, bool, str], int] = field(default_factory=dict)
    examples: dict[tuple[date, str, str, bool, str], str] = field(default_factory=dict)


def _rows(calls: QuerySet[ToolCall]) -> list[_Row]:
    return list(calls.values_list(*_FIELDS).iterator(chunk_size=2_000))  # type: ignore[arg-type]


def _may_wait(row: _Row) -> bool:
    """A call in a waiting state with nothing to show for it (waiting unless answered elsewhere)."""
    _, _, _, _, is_error, _, _, call_id, state = row
    return state in WAITING_STATES and not is_error and bool(call_id)


def _answers(row: _Row) -> bool:
    return bool(row[7]) and row[8] not in WAITING_STATES


def _answered(pairs: set[CallPair], *, besides: Iterable[int] = ()) -> set[CallPair]:
    """Which of ``pairs`` have a result among the stored calls (other than the calls ``besides``)."""
    if not pairs:
        return set()
    found = (
        ToolCall.objects.filter(thread_id__in={t for t, _ in pairs}, call_id__in={c for _, c in pairs})
        .exclude(state__in=WAITING_STATES)
        .exclude(id__in=list(besides))
        .values_list("thread_id", "call_id")
    )
    return {pair for pair in found if pair in pairs}


def _waiting_rows(pairs: set[CallPair], *, besides: Iterable[int] = ()) -> list[_Row]:
    """The stored calls of ``pairs`` still in a waiting state (other than the calls ``besides``)."""
    if not pairs:
        return []
    rows = _rows(
        ToolCall.objects.filter(
            thread_id__in={t for t, _ in pairs}, call_id__in={c for _, c in pairs}, state__in=WAITING_STATES
        ).exclude(id__in=list(besides))
    )
    return [row for row in rows if (row[6], row[7]) in pairs and _may_wait(row)]


def _tally(rows: Iterable[_Row], *, answered: set[CallPair], waiting_only: bool = False) -> _Tally:
    """``rows`` counted: calls and failures (unless ``waiting_only``), and as waiting those that may
    wait and whose pair is not ``answered``."""
    tally = _Tally()
    for row in rows:
        _, created_at, tool_name, agent, is_error, error_text, thread_id, call_id, _ = row
        waiting = _may_wait(row) and (thread_id, call_id) not in answered
        if waiting_only and not waiting:
            continue
        day = day_of(created_at)
        for key in ((day, tool_name, agent, False), (day, tool_name, "", True)):
            counts = tally.days.setdefault(key, [0, 0, 0])
            counts[2] += waiting
            if key not in tally.last or created_at > tally.last[key]:
                tally.last[key] = created_at
            if waiting_only:
                continue
            counts[0] += 1
            if is_error:
                counts[1] += 1
                group = (*key, error_key(error_text or ""))
                tally.errors[group] = tally.errors.get(group, 0) + 1
                tally.examples.setdefault(group, (error_text or "")[:ERROR_CHARS])
    return tally


def _pairs(rows: Iterable[_Row], which: Any) -> set[CallPair]:
    return {(row[6], row[7]) for row in rows if which(row)}


def _executemany(sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    rows = list(rows)
    if rows:
        with connection.cursor() as db:
            db.executemany(sql, rows)


_DAY_KEY = "every_agent, agent, day, tool_name"


def _add(tally: _Tally) -> None:
    adapt_day = connection.ops.adapt_datefield_value
    adapt_time = connection.ops.adapt_datetimefield_value
    days = ToolCallDay._meta.db_table
    # Both engines take ON CONFLICT ... DO UPDATE; the CASE is MAX() on SQLite and GREATEST() on
    # PostgreSQL, spelled once.
    _executemany(
        f"INSERT INTO {days} ({_DAY_KEY}, calls, failures, waiting, last_call_at) "
        f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT ({_DAY_KEY}) DO UPDATE SET "
        f"calls = {days}.calls + excluded.calls, failures = {days}.failures + excluded.failures, "
        f"waiting = {days}.waiting + excluded.waiting, "
        f"last_call_at = CASE WHEN {days}.last_call_at IS NULL OR excluded.last_call_at > "
        f"{days}.last_call_at THEN excluded.last_call_at ELSE {days}.last_call_at END",
        (
            (
                every,
                agent,
                adapt_day(d),
                tool,
                calls,
                failures,
                waiting,
                adapt_time(tally.last[(d, tool, agent, every)]),
            )
            for (d, tool, agent, every), (calls, failures, waiting) in tally.days.items()
        ),
    )
    errors = ToolErrorDay._meta.db_table
    _executemany(
        f"INSERT INTO {errors} ({_DAY_KEY}, error_key, example, failures) "
        f"VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT ({_DAY_KEY}, error_key) DO UPDATE SET "
        f"failures = {errors}.failures + excluded.failures",
        (
            (every, agent, adapt_day(d), tool, key, tally.examples[(d, tool, agent, every, key)], n)
            for (d, tool, agent, every, key), n in tally.errors.items()
        ),
    )


def _subtract(tally: _Tally, *, last_moved: bool = True) -> None:
    """Take calls that are gone out of the counts (run after the ``ToolCall`` rows are deleted, so
    each touched day's last call is read again from the calls that remain, unless ``last_moved``
    is False: only waiting counts changed)."""
    adapt_day = connection.ops.adapt_datefield_value
    days = ToolCallDay._meta.db_table
    where = "every_agent = %s AND agent = %s AND day = %s AND tool_name = %s"
    _executemany(
        f"UPDATE {days} SET calls = calls - %s, failures = failures - %s, waiting = waiting - %s WHERE {where}",
        (
            (calls, failures, waiting, every, agent, adapt_day(d), tool)
            for (d, tool, agent, every), (calls, failures, waiting) in tally.days.items()
        ),
    )
    errors = ToolErrorDay._meta.db_table
    _executemany(
        f"UPDATE {errors} SET failures = failures - %s WHERE {where} AND error_key = %s",
        (
            (n, every, agent, adapt_day(d), tool, key)
            for (d, tool, agent, every, key), n in tally.errors.items()
        ),
    )
    _executemany(
        f"DELETE FROM {days} WHERE {where} AND calls <= 0",
        ((every, agent, adapt_day(d), tool) for d, tool, agent, every in tally.days),
    )
    _executemany(
        f"DELETE FROM {errors} WHERE {where} AND error_key = %s AND failures <= 0",
        ((every, agent, adapt_day(d), tool, key) for d, tool, agent, every, key in tally.errors),
    )
    for d, tool, agent, every in tally.days if last_moved else ():
        start, end = day_bounds(d)
        remaining = ToolCall.objects.filter(tool_name=tool, created_at__gte=start, created_at__lt=end)
        if not every:
            remaining = remaining.filter(agent=agent)
        last = remaining.aggregate(last=Max("created_at"))["last"]
        ToolCallDay.objects.filter(every_agent=every, agent=agent, day=d, tool_name=tool).update(
            last_call_at=last
        )


def add_calls(calls: QuerySet[ToolCall]) -> None:
    """Count calls the indexer just inserted. A result among them answers calls of its thread that
    were waiting until now: those stop counting as waiting."""
    rows = _rows(calls)
    ids = [row[0] for row in rows]
    _add(_tally(rows, answered=_answered(_pairs(rows, _may_wait))))
    answering = _pairs(rows, _answers)
    newly_answered = answering - _answered(answering, besides=ids)
    waiting = _waiting_rows(newly_answered, besides=ids)
    _subtract(_tally(waiting, answered=set(), waiting_only=True), last_moved=False)


def delete_calls(calls: QuerySet[ToolCall]) -> None:
    """Delete these calls and take them out of the counts. Calls their deleted results answered
    count as waiting again."""
    rows = _rows(calls)
    gone = _tally(rows, answered=_answered(_pairs(rows, _may_wait)))
    calls.delete()
    _subtract(gone)
    unanswering = _pairs(rows, _answers)
    waiting = _waiting_rows(unanswering - _answered(unanswering))
    _add(_tally(waiting, answered=set(), waiting_only=True))


def update_calls(calls: QuerySet[ToolCall], **fields: Any) -> None:
    """Update these calls (a thread's agent or resource changed) and move their counts along."""
    ids = list(calls.values_list("id", flat=True))
    if not ids:
        return
    rows = _rows(ToolCall.objects.filter(id__in=ids))
    answered = _answered(_pairs(rows, _may_wait))
    ToolCall.objects.filter(id__in=ids).update(**fields)
    _subtract(_tally(rows, answered=answered))
    _add(_tally(_rows(ToolCall.objects.filter(id__in=ids)), answered=answered))


def clear() -> None:
    """Every count gone, with every call (the index is being rebuilt)."""
    ToolErrorDay.objects.all().delete()
    ToolCallDay.objects.all().delete()


def rebuild() -> None:
    """Count every stored call again (after a migration, or to check the counts)."""
    clear()
    last_id = 0
    while True:
        batch = list(
            ToolCall.objects.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:20_000]
        )
        if not batch:
            return
        add_calls(ToolCall.objects.filter(id__gte=batch[0], id__lte=batch[-1]))
        last_id = batch[-1]
