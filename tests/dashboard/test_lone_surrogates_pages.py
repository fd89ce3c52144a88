"""A message, its metadata and a thread's working memory holding half an emoji (a lone UTF-16
surrogate, as JavaScript strings can) show on every page with U+FFFD in its place, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime

from storeclient.models import Message, Thread

HALF = "\ud83d"


def _cut_thread(store) -> None:  # type: ignore[no-untyped-def]
    created = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    store.memory.save_thread(
        Thread(
            id="thread-cut",
            resource_id="user_cut",
            title="Refund for order A-18896",
            created_at=created,
            updated_at=created,
            metadata={"note": f"cut {HALF}", "workingMemory": f"# Notes\n- likes {HALF}"},
        )
    )
    store.memory.save_messages(
        [
            Message(
                id="msg-cut",
                thread_id="thread-cut",
                resource_id="user_cut",
                role="assistant",
                created_at=created,
                content={"format": 2, "parts": [{"type": "text", "text": f"cut emoji {HALF} here"}]},
            )
        ]
    )


def test_thread_page_shows_the_replacement_character(vera_client, empty_store):
    _cut_thread(empty_store)
    response = vera_client.get("/threads/thread-cut/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cut emoji \ufffd here" in page
    assert "likes \ufffd" in page


def test_raw_message_json_and_the_memory_editor_answer(eddie_client, empty_store):
    _cut_thread(empty_store)
    raw = eddie_client.get("/threads/thread-cut/messages/msg-cut/raw/")
    assert raw.status_code == 200
    assert "cut emoji \ufffd here" in raw.json()["content"]["parts"][0]["text"]
    editor = eddie_client.get("/threads/thread-cut/memory/")
    assert editor.status_code == 200
    assert "likes \ufffd" in editor.content.decode()
