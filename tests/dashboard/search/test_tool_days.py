"""The stored daily tool-call counts (dashboard/search/tool_days.py) stay equal to counting the
indexed calls afresh, through new messages, edits, deleted threads and a thread's agent changing;
the migration counts calls indexed before it."""

from __future__ import annotations

import dataclasses
import importlib
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.apps import apps

from dashboard.search import tool_days
from dashboard.search.indexer import Indexer
from dashboard.search.models import ToolCall, ToolCallDay, ToolErrorDay
from storeclient.models import Message

from .records import ORDER, REFUND, parts, tool

pytestmark = pytest.mark.django_db


def stored() -> tuple[
    Counter[tuple[object, ...]], Counter[tuple[object, ...]], dict[tuple[object, ...], object]
]:
    calls: Counter[tuple[object, ...]] = Counter()
    last: dict[tuple[object, ...], object] = {}
    for row in ToolCallDay.objects.all():
        key = (row.day, row.tool_name, row.agent, row.every_agent)
        calls[(*key, "calls")] = row.calls
        calls[(*key, "failures")] = row.failures
        calls[(*key, "waiting")] = row.waiting
        last[key] = row.last_call_at
    errors = Counter(
        {
            (r.day, r.tool_name, r.agent, r.every_agent, r.error_key): r.failures
            for r in ToolErrorDay.objects.all()
        }
    )
    return calls, errors, last


def afresh() -> tuple[
    Counter[tuple[object, ...]], Counter[tuple[object, ...]], dict[tuple[object, ...], object]
]:
    """The same figures counted from every indexed call, with no help from tool_days' bookkeeping."""
    calls: Counter[tuple[object, ...]] = Counter()
    errors: Counter[tuple[object, ...]] = Counter()
    last: dict[tuple[object, ...], object] = {}
    everything = list(ToolCall.objects.all())
    answered = {
        (c.thread_id, c.call_id) for c in everything if c.call_id and c.state not in ("call", "partial-call")
    }
    for call in everything:
        waiting = (
            call.state in ("call", "partial-call")
            and not call.is_error
            and call.call_id
            and (call.thread_id, call.call_id) not in answered
        )
        day = call.created_at.astimezone(UTC).date()  # the site's zone is UTC
        for key in ((day, call.tool_name, call.agent, False), (day, call.tool_name, "", True)):
            calls[(*key, "calls")] += 1
            calls[(*key, "failures")] += call.is_error
            calls[(*key, "waiting")] += bool(waiting)
            if call.is_error:
                errors[(*key, tool_days.error_key(call.error_text))] += 1
            last[key] = max(last.get(key, call.created_at), call.created_at)
    return +calls, +errors, last


def assert_exact() -> None:
    assert stored() == afresh()


def call_message(
    message_id: str, thread=ORDER, *, error: str | None = None, state: str = "", call_id: str = ""
) -> Message:
    invocation = tool(
        "lookupOrder",
        {"orderId": message_id},
        state=state or ("output-error" if error else "result"),
        error=error,
        result=None if state == "call" else {"status": "delivered"},
    )
    if call_id:
        invocation["toolInvocation"]["toolCallId"] = call_id
    return Message(
        message_id, thread.id, "assistant", datetime.now(UTC), parts(invocation), thread.resource_id
    )


def waiting(tool_name: str = "lookupOrder") -> int:
    return sum(
        ToolCallDay.objects.filter(tool_name=tool_name, every_agent=True).values_list("waiting", flat=True)
    )


def test_indexing_counts_every_call_once(support_store):
    indexer = Indexer(support_store)
    indexer.poll()
    assert ToolCallDay.objects.exists()
    assert_exact()
    indexer.poll(sweep=True)  # a poll with nothing new changes nothing
    assert_exact()


def test_new_calls_and_failures_are_added_as_they_are_indexed(support_store):
    indexer = Indexer(support_store)
    indexer.poll()
    lookups = ToolCallDay.objects.filter(tool_name="lookupOrder", every_agent=True)
    before = sum(lookups.values_list("calls", flat=True))
    support_store.memory.save_messages(
        [call_message("m-call-1"), call_message("m-call-2", error="Order A-18896 not found")]
    )
    support_store.memory.save_messages([call_message("m-call-3", error="Order A-20001 not found")])
    indexer.poll()
    assert sum(lookups.values_list("calls", flat=True)) == before + 3
    group = ToolErrorDay.objects.get(
        tool_name="lookupOrder", error_key="Order <id> not found", every_agent=True
    )
    assert group.failures == 2
    assert_exact()


def test_an_edited_call_moves_from_success_to_failure(support_store):
    indexer = Indexer(support_store)
    support_store.memory.save_messages([call_message("m-call-1")])
    indexer.poll()
    [original] = support_store.memory.list_messages_by_id(["m-call-1"])
    failed = call_message("m-call-1", error="timeout after 3000 ms")
    support_store.memory.save_messages([dataclasses.replace(original, content=failed.content)])
    indexer.poll()
    indexer.poll()  # the thread's reconciliation re-reads the edited message
    assert ToolCall.objects.get(message_id="m-call-1").is_error
    assert ToolErrorDay.objects.get(error_key="timeout after <n> ms", every_agent=True).failures == 1
    assert_exact()


def test_a_deleted_thread_leaves_the_counts_and_empty_days_go(support_store):
    indexer = Indexer(support_store)
    indexer.poll()
    assert ToolCallDay.objects.filter(tool_name="trackParcel").exists()
    support_store.memory.delete_thread(ORDER.id)
    indexer.poll(sweep=True)
    assert not ToolCallDay.objects.filter(tool_name="trackParcel").exists()  # only ORDER called it
    assert not ToolErrorDay.objects.filter(tool_name="trackParcel").exists()
    assert_exact()


def test_a_thread_whose_agent_changes_moves_its_calls_to_that_agent(support_store):
    indexer = Indexer(support_store)
    indexer.poll()
    thread = support_store.memory.get_thread_by_id(REFUND.id)
    support_store.memory.update_thread(thread.id, title=thread.title, metadata={"agentId": "refundAgent"})
    indexer.poll()
    agents = set(
        ToolCallDay.objects.filter(tool_name="issueRefund", every_agent=False).values_list("agent", flat=True)
    )
    assert agents == {"refundAgent"}
    assert_exact()


def test_the_migration_counts_calls_indexed_before_it(support_store):
    Indexer(support_store).poll()
    expected = stored()
    tool_days.clear()
    migration = importlib.import_module("dashboard.search.migrations.0003_tool_call_days")
    migration.count_indexed_calls(apps, None)
    assert stored() == expected


def test_a_call_waits_until_a_later_message_answers_it_and_again_when_that_goes(support_store):
    indexer = Indexer(support_store)
    indexer.poll()
    support_store.memory.save_messages([call_message("m-ask", state="call", call_id="call_slow")])
    indexer.poll()
    assert waiting() == 1
    assert_exact()
    support_store.memory.save_messages([call_message("m-answer", call_id="call_slow")])
    indexer.poll()
    assert waiting() == 0  # the thread page folds the result into the call's card
    assert_exact()
    [answer] = support_store.memory.list_messages_by_id(["m-answer"])
    support_store.memory.save_messages([dataclasses.replace(answer, content=parts())])  # result edited away
    indexer.poll()
    indexer.poll()
    assert waiting() == 1
    assert_exact()
