"""The indexer against SQLite stores: findable, resumable, one worker, edits and deletions."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.search import indexer as indexer_module
from dashboard.search.indexer import Indexer, status
from dashboard.search.models import IndexedMessage, IndexedResource, IndexedThread, IndexerState, ToolCall
from storeclient.models import Message
from storeclient.sqlite import SQLiteStore
from tests.storeclient.sqlite.nodetools import needs_node, run_node

from ..test_deep_nesting_pages import thread_with_message, tool_message
from ..thread_records import every_format_thread, write
from .records import at, text

pytestmark = pytest.mark.django_db


def search_ids(query: str) -> set[str]:
    from dashboard.search.backends import MessageFilters, search_messages
    from dashboard.search.query import parse

    page = search_messages(parse(query), MessageFilters(), order="newest", cursor="", limit=100)
    return set(IndexedMessage.objects.filter(pk__in=page.ids).values_list("message_id", flat=True))


def test_every_message_becomes_findable(support_store):
    result = Indexer(support_store).poll()
    assert result.worked and result.drained
    assert IndexedMessage.objects.count() == 8
    assert status().messages_indexed == 8
    assert search_ids("cracked") == {"m-refund-1", "m-refund-3"}
    assert search_ids("laminate") == {"m-recipe-1"}
    assert search_ids("croissant") == {"m-recipe-1"}  # a file name
    assert search_ids('"carrier status page"') == {"m-order-2"}  # a source title
    assert search_ids("issueRefund") == {"m-refund-2"}  # a tool name
    assert search_ids("exceeds") == {"m-refund-2"}  # a tool error
    assert search_ids("delivered") == {"m-refund-2"}  # a tool result
    assert search_ids("promising") == {"m-refund-2"}  # reasoning


def test_tool_calls_are_kept_for_statistics(support_store):
    Indexer(support_store).poll()
    refund = ToolCall.objects.get(tool_name="issueRefund")
    assert (refund.message_id, refund.is_error, refund.error_text) == (
        "m-refund-2",
        True,
        "Amount exceeds order total",
    )
    assert '"amount": 2450' in refund.args_json
    assert ToolCall.objects.get(tool_name="trackParcel").is_error  # a result with isError: true
    assert not ToolCall.objects.get(tool_name="lookupOrder").is_error
    assert IndexedMessage.objects.get(message_id="m-order-2").has_error


def test_messages_carry_their_thread_agent_and_lowercase_ids(support_store):
    Indexer(support_store).poll()
    row = IndexedMessage.objects.get(message_id="m-refund-1")
    assert (row.agent, row.resource_id, row.resource_id_lower) == (
        "supportAgent",
        "user_d82C07",
        "user_d82c07",
    )
    assert IndexedThread.objects.get(thread_id="thr-refund").title == "Cracked mug refund"


def test_a_second_poll_changes_nothing(support_store):
    indexer = Indexer(support_store)
    indexer.poll()
    before = list(IndexedMessage.objects.order_by("pk").values_list("pk", "content_hash"))
    again = indexer.poll(sweep=True)
    assert again.messages == 0
    assert list(IndexedMessage.objects.order_by("pk").values_list("pk", "content_hash")) == before
    assert status().messages_indexed == 8


def test_a_restart_mid_way_resumes_with_no_gap_and_no_duplicate(support_store, monkeypatch):
    monkeypatch.setattr(indexer_module, "MESSAGE_PAGE", 3)
    first = Indexer(support_store)
    # The worker dies after its first page (a budget of 0 s stops after one page of each feed).
    first.poll(budget=0)
    assert IndexedMessage.objects.count() == 3
    # A new process: another holder, once the dead worker's lease has run out.
    IndexerState.objects.update(lease_expires_at=at(0))
    second = Indexer(support_store)
    result = second.poll()
    assert result.worked and result.drained
    ids = list(IndexedMessage.objects.values_list("message_id", flat=True))
    assert len(ids) == len(set(ids)) == 8
    assert status().messages_indexed == 8


def test_two_workers_at_once_one_works(support_store):
    first, second = Indexer(support_store), Indexer(support_store)
    assert first.acquire()
    assert not second.poll().worked
    assert IndexedMessage.objects.count() == 0
    assert first.poll().worked
    first.release()
    assert second.poll().worked


def test_a_deleted_thread_disappears(support_store):
    indexer = Indexer(support_store)
    indexer.poll()
    support_store.memory.delete_thread("thr-order")
    indexer.poll(sweep=True)
    assert search_ids("parcel") == set()
    assert not ToolCall.objects.filter(thread_id="thr-order").exists()
    assert not IndexedThread.objects.filter(thread_id="thr-order").exists()
    assert status().messages_indexed == 5


def test_an_edited_message_is_found_by_its_new_text_not_its_old(support_store):
    indexer = Indexer(support_store)
    indexer.poll()
    [original] = support_store.memory.list_messages_by_id(["m-recipe-2"])
    support_store.memory.save_messages(
        [dataclasses.replace(original, content=text("Use cold butter and a rolling pin."))]
    )
    indexer.poll()
    assert search_ids("rolling") == {"m-recipe-2"}
    assert search_ids("chilling") == set()
    assert status().messages_indexed == 8


@needs_node
def test_what_mastras_own_libsql_store_writes_becomes_findable(tmp_path):
    path = tmp_path / "mastra.db"
    written = run_node("libsql_client.mjs", "write", str(path), stdin="{}")
    store = SQLiteStore(path, change_settle_seconds=0)
    try:
        result = Indexer(store).poll()
        assert result.worked and result.drained
        expected = {m["id"] for messages in written["read"]["messages"].values() for m in messages}
        assert set(IndexedMessage.objects.values_list("message_id", flat=True)) == expected
        assert search_ids("cloudy") and search_ids("weatherTool") and search_ids("Lisbon")
        assert ToolCall.objects.filter(tool_name="weatherTool").exists()
        assert IndexedThread.objects.get(thread_id=written["ids"]["threads"][0]).title == "Weather in Paris"
        assert "Alice" in IndexedResource.objects.get(resource_id="user-alice").working_memory
    finally:
        store.close()


def test_every_stored_format_and_hostile_shapes_are_indexed(tmp_path):
    store = SQLiteStore(tmp_path / "formats.db", change_settle_seconds=0)
    records = write(store, every_format_thread())
    odd = [
        Message(
            "m-surrogate",
            "thread-every-format",
            "user",
            at(90),
            text("lone \ud800 surrogate and \x00 nul, findable"),
            "user_8f2c1a",
        ),
        Message(
            "m-" + "x" * 2_000,
            "thread-every-format",
            "user",
            at(92),
            text("an id too long to key on"),
            "user_8f2c1a",
        ),
    ]
    store.memory.save_messages(odd)
    # A tool result 20,000 levels deep, as an agent's JavaScript can store it (Python's encoder cannot).
    thread_with_message(store, "m-deep", tool_message(20_000))
    try:
        result = Indexer(store).poll()
        assert result.worked and result.drained and not result.error
        indexed = set(IndexedMessage.objects.values_list("message_id", flat=True))
        assert indexed == {m.id for m in records.messages} | {"m-surrogate", "m-deep"}
        # Its tool is findable; the leaf lies beyond the 100,000 characters one message may index.
        assert search_ids("lookupOrder") >= {"m-deep"}
        assert status().records_skipped == 1
        assert search_ids("findable") == {"m-surrogate"}
    finally:
        store.close()
