"""The four places where Mastra's own storage conformance cases, ported to Python, found the stores
answering differently from Mastra (issue #18). Each was reproduced on Mastra's TypeScript stores
(``@mastra/libsql`` 1.23.1, ``@mastra/convex`` 1.5.2); each test pins Mastra's answer."""

from __future__ import annotations

import pytest

from storeclient import InvalidRequest
from storeclient.interface import Store
from storeclient.models import Resource

from .records import BASE, conversation, thread, user_text


def test_a_resource_saved_without_metadata_reads_back_without_metadata(store: Store, store_kind: str) -> None:
    store.memory.save_resource(
        Resource(id="user_no_meta", working_memory="# Notes", metadata=None, created_at=BASE, updated_at=BASE)
    )
    loaded = store.memory.get_resource_by_id("user_no_meta")
    assert loaded is not None and loaded.working_memory == "# Notes"
    assert not loaded.metadata
    if store_kind == "sqlite":
        # @mastra/libsql reads the NULL cell back as null, not {}.
        assert loaded.metadata is None


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.memory.list_threads(per_page=-1),
        lambda s: s.memory.list_messages("thread-001", per_page=-1),
        lambda s: s.scores.list_scores_by_run_id("run-a", per_page=-1),
        lambda s: s.scores.list_scores_by_scorer_id("helpfulness", per_page=-1),
    ],
    ids=["list_threads", "list_messages", "list_scores_by_run_id", "list_scores_by_scorer_id"],
)
def test_a_negative_per_page_is_refused_in_mastras_words(store: Store, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRequest, match="perPage must be >= 0"):
        call(store)


def test_message_date_bounds_may_be_iso_strings_as_mastra_accepts(store: Store) -> None:
    store.memory.save_thread(thread(1))
    store.memory.save_messages(conversation("thread-001", 5))
    # conversation() stamps message n at BASE + 1000 + n seconds: 14:18:51.481 + n.
    listed = store.memory.list_messages(
        "thread-001", date_from="2026-01-09T14:18:52.481Z", date_to="2026-01-09T14:18:54.481Z"
    )
    assert [m.id[-3:] for m in listed.messages] == ["001", "002", "003"]
    everything = store.memory.list_messages("thread-001", date_from="2024-01-01T00:00:00.000Z")
    assert everything.total == 5


def test_a_date_bound_that_is_not_a_date_is_refused_clearly(store: Store) -> None:
    store.memory.save_thread(thread(1))
    with pytest.raises(InvalidRequest, match="Not a date"):
        store.memory.list_messages("thread-001", date_from="last tuesday")


def test_an_include_naming_the_wrong_thread_uses_the_messages_own_thread(store: Store) -> None:
    store.memory.save_thread(thread(1))
    store.memory.save_thread(thread(2))
    store.memory.save_messages(conversation("thread-001", 5))
    store.memory.save_messages([user_text("thread-002", 0, "other thread")])
    result = store.memory.list_messages(
        "thread-002",
        per_page=False,
        include=[{"id": "thread-001-msg-002", "threadId": "thread-002", "withPreviousMessages": 1}],
    )
    assert sorted(m.id for m in result.messages) == [
        "thread-001-msg-001",
        "thread-001-msg-002",
        "thread-002-msg-000",
    ]
