"""Messages: ``listMessages`` paging, order, ranges and ``include``; every stored content format."""

from __future__ import annotations

import dataclasses

import pytest

from storeclient import InvalidRequest
from storeclient.interface import Store

from .records import assistant_with_tools, at, conversation, thread, user_text


@pytest.fixture
def five_messages(store: Store) -> Store:
    store.memory.save_thread(thread(1))
    store.memory.save_thread(thread(2))
    store.memory.save_messages(conversation("thread-001", 5))
    store.memory.save_messages([user_text("thread-002", 0, "other thread")])
    return store


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.id.rsplit("-", 1)[-1] for m in result.messages]


def test_messages_round_trip_with_every_part(five_messages: Store) -> None:
    listed = five_messages.memory.list_messages("thread-001", per_page=False)
    assert listed.total == 5
    assert listed.messages[1] == assistant_with_tools("thread-001", 1)
    kinds = [p["type"] for p in listed.messages[1].parts]
    assert kinds == ["step-start", "reasoning", "tool-invocation", "text"]


def test_messages_are_oldest_first_by_default_and_page(five_messages: Store) -> None:
    pages = [five_messages.memory.list_messages("thread-001", page=p, per_page=2) for p in range(3)]
    assert [ids(p) for p in pages] == [["000", "001"], ["002", "003"], ["004"]]
    assert [p.has_more for p in pages] == [True, True, False]
    assert all(p.total == 5 for p in pages)


def test_messages_can_be_listed_newest_first(five_messages: Store) -> None:
    newest = five_messages.memory.list_messages("thread-001", per_page=2, direction="DESC")
    assert ids(newest) == ["004", "003"] and newest.has_more


def test_ordering_by_updated_at_is_oldest_first_whatever_the_direction(store: Store) -> None:
    # Messages have no updatedAt. Mastra sorts by it anyway and every comparison is a tie (NaN), so
    # its stable sort leaves the rows as read: oldest first, even for DESC. Saved out of order, so
    # the answer cannot be the insertion order by accident.
    store.memory.save_thread(thread(1))
    store.memory.save_messages([user_text("thread-001", n, f"note {n}") for n in (2, 0, 3, 1)])
    for direction in ("ASC", "DESC"):
        listed = store.memory.list_messages("thread-001", order_by="updatedAt", direction=direction)
        assert ids(listed) == ["000", "001", "002", "003"]
    first = store.memory.list_messages("thread-001", order_by="updatedAt", direction="DESC", per_page=2)
    assert ids(first) == ["000", "001"] and first.has_more and first.total == 4


def test_per_page_zero_is_empty_and_per_page_false_is_everything(five_messages: Store) -> None:
    assert five_messages.memory.list_messages("thread-001", per_page=0).total == 0
    everything = five_messages.memory.list_messages("thread-001", per_page=False)
    assert len(everything.messages) == 5 and everything.per_page is False


def test_date_ranges_are_inclusive_unless_exclusive(five_messages: Store) -> None:
    start, end = at(1001), at(1003)
    inclusive = five_messages.memory.list_messages("thread-001", date_from=start, date_to=end)
    assert ids(inclusive) == ["001", "002", "003"]
    exclusive = five_messages.memory.list_messages(
        "thread-001", date_from=start, date_to=end, start_exclusive=True, end_exclusive=True
    )
    assert ids(exclusive) == ["002"]


def test_include_adds_context_around_a_message_from_another_thread(five_messages: Store) -> None:
    result = five_messages.memory.list_messages(
        "thread-002",
        per_page=False,
        include=[{"id": "thread-001-msg-002", "withPreviousMessages": 1, "withNextMessages": 1}],
    )
    assert [m.id for m in result.messages] == [
        "thread-002-msg-000",
        "thread-001-msg-001",
        "thread-001-msg-002",
        "thread-001-msg-003",
    ] or sorted(m.id for m in result.messages) == sorted(
        ["thread-002-msg-000", "thread-001-msg-001", "thread-001-msg-002", "thread-001-msg-003"]
    )


def test_blank_thread_ids_are_refused(store: Store) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.list_messages("  ")
    with pytest.raises(InvalidRequest):
        store.memory.list_messages([])


def test_saving_an_existing_id_updates_it_without_a_duplicate(five_messages: Store) -> None:
    edited = dataclasses.replace(user_text("thread-001", 0, "edited text"), created_at=at(1000))
    five_messages.memory.save_messages([edited])
    listed = five_messages.memory.list_messages("thread-001", per_page=False)
    assert listed.total == 5
    assert listed.messages[0].parts[0]["text"] == "edited text"


def test_saving_an_existing_id_to_another_thread_moves_it(five_messages: Store) -> None:
    moved = dataclasses.replace(user_text("thread-001", 0, "moved"), thread_id="thread-002")
    five_messages.memory.save_messages([moved])
    assert five_messages.memory.list_messages("thread-001", per_page=False).total == 4
    assert "thread-001-msg-000" in [
        m.id for m in five_messages.memory.list_messages("thread-002", per_page=False).messages
    ]


def test_a_message_without_a_resource_is_refused_and_nothing_is_saved(store: Store) -> None:
    store.memory.save_thread(thread(1))
    good = user_text("thread-001", 0, "fine")
    bad = dataclasses.replace(user_text("thread-001", 1, "no owner"), resource_id=None)
    with pytest.raises(InvalidRequest):
        store.memory.save_messages([good, bad])
    assert store.memory.list_messages("thread-001").total == 0


def test_messages_by_id_come_back_oldest_first_and_skip_unknown_ids(five_messages: Store) -> None:
    found = five_messages.memory.list_messages_by_id(["thread-001-msg-003", "nope", "thread-001-msg-001"])
    assert [m.id for m in found] == ["thread-001-msg-001", "thread-001-msg-003"]


def test_unicode_and_a_900_kb_message_survive(store: Store) -> None:
    store.memory.save_thread(thread(1))
    big = "Здравствуйте 👋 — " + ("x" * 900_000)
    store.memory.save_messages([user_text("thread-001", 0, big)])
    (loaded,) = store.memory.list_messages("thread-001").messages
    assert loaded.parts[0]["text"] == big


def test_v1_string_content_renders_as_text(store: Store, write_raw) -> None:  # type: ignore[no-untyped-def]
    store.memory.save_thread(thread(1))
    write_raw(
        "mastra_messages",
        {
            "id": "legacy-1",
            "thread_id": "thread-001",
            "resourceId": "user_8f2c1a",
            "role": "user",
            "type": "text",
            "createdAt": "2024-03-01T10:00:00.000Z",
            "content": "Where is my order?",  # not JSON at all: a very old row
        },
    )
    (msg,) = store.memory.list_messages("thread-001").messages
    assert msg.type == "text"
    assert msg.parts == ({"type": "text", "text": "Where is my order?"},)


def test_v1_tool_call_arrays_pair_calls_with_results(store: Store, write_raw) -> None:  # type: ignore[no-untyped-def]
    store.memory.save_thread(thread(1))
    write_raw(
        "mastra_messages",
        {
            "id": "legacy-2",
            "thread_id": "thread-001",
            "resourceId": "user_8f2c1a",
            "role": "assistant",
            "type": "tool-call",
            "createdAt": "2024-03-01T10:00:01.000Z",
            "content": '[{"type":"tool-call","toolCallId":"c1","toolName":"lookupOrder","args":{"orderId":"A-1"}},'
            '{"type":"tool-result","toolCallId":"c1","toolName":"lookupOrder","result":{"status":"shipped"}}]',
        },
    )
    (msg,) = store.memory.list_messages("thread-001").messages
    assert msg.content_format == "v1-parts"
    (part,) = msg.parts
    assert part["toolInvocation"]["state"] == "result"
    assert part["toolInvocation"]["args"] == {"orderId": "A-1"}
    assert part["toolInvocation"]["result"] == {"status": "shipped"}


def test_message_feed_pages_newest_first_by_cursor(five_messages: Store) -> None:
    first = five_messages.memory.message_feed("thread-001", limit=2)
    assert [m.id[-3:] for m in first.items] == ["004", "003"]
    second = five_messages.memory.message_feed("thread-001", cursor=first.next_cursor, limit=2)
    assert [m.id[-3:] for m in second.items] == ["002", "001"]
    third = five_messages.memory.message_feed("thread-001", cursor=second.next_cursor, limit=2)
    assert [m.id[-3:] for m in third.items] == ["000"] and third.next_cursor is None
