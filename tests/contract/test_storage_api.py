"""The rest of Mastra's storage API, on every store kind: ``update_messages``, ``delete_messages``,
``list_messages_by_resource_id`` and ``list_scores_by_span`` (with the organization / project
filters), with the semantics of ``@mastra/libsql`` and ``@mastra/convex``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storeclient import InvalidRequest
from storeclient.interface import Store

from .records import BASE, assistant_with_tools, conversation, score_payload, thread, user_text


@pytest.fixture
def two_threads(store: Store) -> Store:
    store.memory.save_thread(thread(1))
    store.memory.save_thread(thread(2))
    store.memory.save_thread(thread(3, resource="user_other"))
    store.memory.save_messages(conversation("thread-001", 4))
    store.memory.save_messages([user_text("thread-002", 0, "second thread")])
    store.memory.save_messages([user_text("thread-003", 0, "someone else", resource="user_other")])
    return store


def _thread_updated_at(store: Store, thread_id: str):  # type: ignore[no-untyped-def]
    found = store.memory.get_thread_by_id(thread_id)
    assert found is not None
    return found.updated_at


# --- update_messages ---------------------------------------------------------------------------------


def test_updating_content_merges_it_and_its_metadata_into_the_stored_message(two_threads: Store) -> None:
    target = "thread-001-msg-001"  # assistant_with_tools: content.metadata {pendingToolApprovals: {}}
    [updated] = two_threads.memory.update_messages(
        [{"id": target, "content": {"content": "Edited text.", "metadata": {"reviewed": True}}}]
    )
    original = assistant_with_tools("thread-001", 1).content
    assert updated.content == {
        **original,
        "content": "Edited text.",
        "metadata": {"pendingToolApprovals": {}, "reviewed": True},
    }
    [stored] = two_threads.memory.list_messages_by_id([target])
    assert stored.content == updated.content and stored.role == "assistant"
    assert [p["type"] for p in stored.parts] == ["step-start", "reasoning", "tool-invocation", "text"]


def test_updating_the_thread_moves_the_message_and_bumps_both_threads(two_threads: Store) -> None:
    before = _thread_updated_at(two_threads, "thread-002")
    two_threads.memory.update_messages([{"id": "thread-001-msg-000", "threadId": "thread-002"}])
    in_second = two_threads.memory.list_messages("thread-002", per_page=False)
    assert "thread-001-msg-000" in [m.id for m in in_second.messages]
    assert "thread-001-msg-000" not in [m.id for m in two_threads.memory.list_messages("thread-001").messages]
    assert _thread_updated_at(two_threads, "thread-002") > before
    assert _thread_updated_at(two_threads, "thread-001") > thread(1).updated_at


def test_an_update_of_an_unknown_message_changes_nothing(two_threads: Store) -> None:
    assert two_threads.memory.update_messages([{"id": "no-such-message", "role": "user"}]) == []


def test_an_update_that_sets_an_unknown_field_is_refused_before_writing(two_threads: Store) -> None:
    with pytest.raises(InvalidRequest, match="cannot set"):
        two_threads.memory.update_messages(
            [{"id": "thread-001-msg-000", "role": "system"}, {"id": "thread-001-msg-001", "colour": "red"}]
        )
    [first] = two_threads.memory.list_messages_by_id(["thread-001-msg-000"])
    assert first.role == "user"


# --- delete_messages ---------------------------------------------------------------------------------


def test_deleting_messages_removes_only_them_and_bumps_their_thread(two_threads: Store) -> None:
    two_threads.memory.delete_messages(["thread-001-msg-001", "thread-001-msg-002", "not-there"])
    left = two_threads.memory.list_messages("thread-001", per_page=False)
    assert [m.id for m in left.messages] == ["thread-001-msg-000", "thread-001-msg-003"]
    assert two_threads.memory.list_messages("thread-002").total == 1
    assert _thread_updated_at(two_threads, "thread-001") > thread(1).updated_at


def test_deleting_nothing_is_fine(two_threads: Store) -> None:
    two_threads.memory.delete_messages([])
    assert two_threads.memory.list_messages("thread-001").total == 4


# --- list_messages_by_resource_id ---------------------------------------------------------------------


def test_a_resources_messages_come_from_all_its_threads_oldest_first(two_threads: Store) -> None:
    listed = two_threads.memory.list_messages_by_resource_id("user_8f2c1a", per_page=False)
    assert [m.id for m in listed.messages] == [
        "thread-001-msg-000",
        "thread-002-msg-000",
        "thread-001-msg-001",
        "thread-001-msg-002",
        "thread-001-msg-003",
    ]  # createdAt ties (the first messages of both threads) go by id
    assert listed.total == 5
    assert "thread-003-msg-000" not in [m.id for m in listed.messages]


def test_a_resources_messages_page_and_filter_by_date(two_threads: Store) -> None:
    first = two_threads.memory.list_messages_by_resource_id("user_8f2c1a", per_page=2, direction="DESC")
    assert len(first.messages) == 2 and first.has_more and first.total == 5
    assert first.messages[0].created_at >= first.messages[1].created_at
    since = BASE + timedelta(seconds=1002)  # conversation() stamps message n at BASE + 1000 + n s
    recent = two_threads.memory.list_messages_by_resource_id("user_8f2c1a", date_from=since, per_page=False)
    assert [m.id for m in recent.messages] == ["thread-001-msg-002", "thread-001-msg-003"]


def test_a_blank_resource_id_is_refused(store: Store) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.list_messages_by_resource_id("  ")


# --- list_scores_by_span ---------------------------------------------------------------------------------


def test_scores_of_a_span_newest_first_and_by_organization_and_project(store: Store) -> None:
    span = {"traceId": "trace-9f1", "spanId": "span-42"}
    first = store.scores.save_score(
        {**score_payload(score=0.4), **span, "organizationId": "org-acme", "projectId": "proj-support"},
        created_at=BASE,
    )
    second = store.scores.save_score(
        {**score_payload(score=0.9), **span, "organizationId": "org-acme", "projectId": "proj-sales"},
        created_at=BASE + timedelta(minutes=1),
    )
    store.scores.save_score({**score_payload(), "traceId": "trace-9f1", "spanId": "span-other"})
    listed = store.scores.list_scores_by_span("trace-9f1", "span-42")
    assert [s.id for s in listed.scores] == [second.id, first.id] and listed.total == 2
    only_support = store.scores.list_scores_by_span("trace-9f1", "span-42", project_id="proj-support")
    assert [s.id for s in only_support.scores] == [first.id]
    assert store.scores.list_scores_by_span("trace-9f1", "span-42", organization_id="org-other").total == 0
