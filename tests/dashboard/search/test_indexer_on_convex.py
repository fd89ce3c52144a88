"""The indexer against the local Convex dev server (the real @mastra/convex handler), with the
dashboard module and with Mastra's handler alone."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from dashboard.search import indexer as indexer_module
from dashboard.search.indexer import Indexer, status
from dashboard.search.models import IndexedMessage, IndexerState, ToolCall
from storeclient.convex import ConvexStore

from .records import at, text, write_conversations
from .test_indexer import search_ids

pytestmark = [pytest.mark.convex, pytest.mark.django_db]


@pytest.fixture(params=["module", "handler-only"])
def convex_store(request) -> Iterator[ConvexStore]:
    fixture = "convex_backend" if request.param == "module" else "convex_handler_only_backend"
    server = request.getfixturevalue(fixture)
    store = ConvexStore(server.url, server.admin_key, change_settle_seconds=0)
    write_conversations(store)
    yield store
    store.close()


def test_every_message_becomes_findable(convex_store):
    result = Indexer(convex_store).poll()
    assert result.worked and result.drained and not result.error
    assert IndexedMessage.objects.count() == status().messages_indexed == 8
    assert search_ids("cracked") == {"m-refund-1", "m-refund-3"}
    assert search_ids("issueRefund") == {"m-refund-2"}
    assert ToolCall.objects.get(tool_name="issueRefund").is_error


def test_a_restart_mid_way_resumes_with_no_gap_and_no_duplicate(convex_store, monkeypatch):
    monkeypatch.setattr(indexer_module, "MESSAGE_PAGE", 3)
    Indexer(convex_store).poll(budget=0)
    assert 0 < IndexedMessage.objects.count() < 8
    IndexerState.objects.update(lease_expires_at=at(0))
    assert Indexer(convex_store).poll().drained
    ids = list(IndexedMessage.objects.values_list("message_id", flat=True))
    assert len(ids) == len(set(ids)) == 8
    assert status().messages_indexed == 8


def test_two_workers_at_once_one_works(convex_store):
    first, second = Indexer(convex_store), Indexer(convex_store)
    assert first.acquire()
    assert not second.poll().worked
    assert IndexedMessage.objects.count() == 0


def test_a_deleted_thread_disappears(convex_store):
    indexer = Indexer(convex_store)
    indexer.poll()
    convex_store.memory.delete_thread("thr-order")
    indexer.poll(sweep=True)
    assert search_ids("parcel") == set()
    assert status().messages_indexed == 5


def test_an_edited_message_is_found_by_its_new_text_not_its_old(convex_store):
    indexer = Indexer(convex_store)
    indexer.poll()
    [original] = convex_store.memory.list_messages_by_id(["m-recipe-2"])
    convex_store.memory.save_messages(
        [dataclasses.replace(original, content=text("Use cold butter and a rolling pin."))]
    )
    indexer.poll()
    assert search_ids("rolling") == {"m-recipe-2"}
    assert search_ids("chilling") == set()
