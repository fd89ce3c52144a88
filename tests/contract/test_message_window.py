"""``message_window``: a thread opened at one message, however deep, with a cursor that continues
``message_feed`` below it and stays right however many messages arrive later."""

from __future__ import annotations

import dataclasses

import pytest

from storeclient import InvalidRequest
from storeclient.interface import Store
from storeclient.models import Message

from .records import at, thread, user_text


def newest_first(store: Store, thread_id: str, cursor: str | None = None) -> list[str]:
    """The whole thread through ``message_feed``, newest first: the order a window must match."""
    seen: list[str] = []
    while True:
        page = store.memory.message_feed(thread_id, cursor=cursor, limit=7)
        seen.extend(m.id for m in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return seen


def a_long_thread(store: Store, count: int = 60) -> list[Message]:
    store.memory.save_thread(thread(1))
    messages = [user_text("thread-001", n, f"Message {n} about order A-10492") for n in range(count)]
    # Two messages share a timestamp (one batch), so the order needs its tie-break.
    if count > 31:
        messages[30] = dataclasses.replace(messages[30], created_at=messages[31].created_at)
    store.memory.save_messages(messages)
    return messages


def check_window(store: Store, message_id: str, before: int, after: int) -> None:
    full = newest_first(store, "thread-001")
    i = full.index(message_id)
    window = store.memory.message_window("thread-001", message_id, before=before, after=after)
    assert window.found
    assert [m.id for m in window.items] == full[max(0, i - after) : i + before + 1]
    assert window.newer == (i - after > 0)
    rest = full[i + before + 1 :]
    if rest:
        assert window.older_cursor is not None
        assert newest_first(store, "thread-001", window.older_cursor) == rest
    else:
        assert window.older_cursor is None


@pytest.mark.parametrize("position", [0, 10, 30, 31, 59], ids=["oldest", "deep", "tie-a", "tie-b", "newest"])
def test_a_window_is_the_slice_of_the_thread_around_the_message(store: Store, position: int) -> None:
    messages = a_long_thread(store)
    check_window(store, messages[position].id, before=5, after=3)


def test_a_window_with_nothing_around_it_is_the_message_alone(store: Store) -> None:
    messages = a_long_thread(store, 12)
    window = store.memory.message_window("thread-001", messages[6].id, before=0, after=0)
    assert [m.id for m in window.items] == [messages[6].id]
    assert window.newer and window.older_cursor is not None
    assert window.items[0].parts[0]["text"] == "Message 6 about order A-10492"


def test_the_link_stays_right_after_fifty_newer_messages(store: Store) -> None:
    messages = a_long_thread(store, 40)
    target = messages[12].id
    before = store.memory.message_window("thread-001", target, before=4, after=4)
    store.memory.save_messages(
        [
            dataclasses.replace(user_text("thread-001", 100 + n, f"later {n}"), created_at=at(5000 + n))
            for n in range(50)
        ]
    )
    after = store.memory.message_window("thread-001", target, before=4, after=4)
    assert [m.id for m in after.items] == [m.id for m in before.items]
    assert before.older_cursor is not None
    # A cursor handed out before the new messages still continues right below the window.
    assert newest_first(store, "thread-001", before.older_cursor) == [m.id for m in reversed(messages[:8])]
    check_window(store, target, before=4, after=4)


def test_a_message_of_another_thread_or_an_unknown_one_is_not_found(store: Store) -> None:
    messages = a_long_thread(store, 5)
    store.memory.save_thread(thread(2))
    for thread_id, message_id in (("thread-002", messages[2].id), ("thread-001", "no-such-message")):
        window = store.memory.message_window(thread_id, message_id)
        assert not window.found and list(window.items) == [] and window.older_cursor is None


def test_window_sizes_out_of_range_are_refused(store: Store) -> None:
    for before, after in ((-1, 3), (3, 501)):
        with pytest.raises(InvalidRequest):
            store.memory.message_window("thread-001", "m", before=before, after=after)
