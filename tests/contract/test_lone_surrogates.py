"""Half an emoji: JavaScript strings may hold a lone UTF-16 surrogate (a text cut by a length limit),
and ``JSON.stringify`` stores it as an escape such as ``\\ud83d``. Every store reads such records back
as valid Unicode (the half becomes U+FFFD, as a browser shows it) and can write one, so no page,
JSON reply or export fails to encode it."""

from __future__ import annotations

import json

from storeclient.interface import Store

from .records import at, thread, user_text

# What Mastra writes for a message whose text ends in half of "😀", next to a whole "😀".
CUT_TEXT_CONTENT = '{"format":2,"parts":[{"type":"text","text":"cut emoji \\ud83d, whole \\ud83d\\ude00"}]}'


def test_a_stored_lone_surrogate_is_read_as_the_replacement_character(store: Store, write_raw) -> None:  # type: ignore[no-untyped-def]
    store.memory.save_thread(thread(1))
    write_raw(
        "mastra_messages",
        {
            "id": "msg-cut",
            "thread_id": "thread-001",
            "resourceId": "user_8f2c1a",
            "role": "assistant",
            "type": "v2",
            "content": CUT_TEXT_CONTENT,
            "createdAt": at(1000).isoformat().replace("+00:00", "Z"),
        },
    )
    [message] = store.memory.list_messages("thread-001", per_page=False).messages
    assert message.parts[0]["text"] == "cut emoji \ufffd, whole 😀"
    json.dumps(message.to_record(), ensure_ascii=False).encode("utf-8")  # a page can encode it


def test_a_lone_surrogate_written_by_the_store_reads_back_and_round_trips(store: Store) -> None:
    # As JSON.stringify does, the half is written as its escape, so the record is valid UTF-8.
    store.memory.save_thread(thread(1))
    store.memory.save_messages([user_text("thread-001", 0, "trailing half \udc00")])
    [message] = store.memory.list_messages("thread-001", per_page=False).messages
    assert message.parts[0]["text"] == "trailing half \ufffd"
