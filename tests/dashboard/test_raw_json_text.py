"""A message's "Raw JSON" shows the stored content as ``json.dumps(indent=2)`` writes it, whichever
encoder wrote it (orjson where its text is the same, dashboard/core/templatetags/ui.py), escaped."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest

from dashboard.core.templatetags.ui import bounded_json
from storeclient.models import Message, Thread

from .html_query import find_all

TRICKY = [
    {"format": 2, "parts": [{"type": "text", "text": "Order A-10492 </pre><script>alert(1)</script> ü 😀"}]},
    {"score": 0.1, "tiny": 1e-05, "huge": 1e16, "neg": -0.0, "whole": 2.0, "tenth": 1e-4},
    {"nan": math.nan, "inf": math.inf, "minus_inf": -math.inf},
    {"big": 2**70, "negative_big": -(2**64), "u64": 2**64 - 1},
    {1: "int key", None: "null key", 2.5: "float key"},
    {"control": "".join(chr(i) for i in range(32)) + '"\\\x7f\u2028'},
    {"at": datetime(2026, 1, 9, 14, 2, 11, tzinfo=UTC), "empty": {}, "none": [], "nested": [[[]]]},
    [1, "two", None, True, False, {"a": [{"b": {"c": []}}]}],
]


@pytest.mark.parametrize("value", TRICKY)
def test_raw_json_text_is_json_dumps_text(value):
    assert bounded_json(value) == json.dumps(value, indent=2, ensure_ascii=False, default=str)


def test_a_thread_page_shows_each_message_raw_json_escaped(vera_client, empty_store):
    created = datetime(2026, 1, 9, 14, 2, 11, tzinfo=UTC)
    content = {
        "format": 2,
        "parts": [{"type": "text", "text": "see </pre><script>alert(1)</script>"}],
        "metadata": {"confidence": 1e-05, "tokens": 2**70},
    }
    empty_store.memory.save_thread(
        Thread(id="thread-raw", resource_id="user_raw", title="Raw", created_at=created, updated_at=created)
    )
    empty_store.memory.save_messages(
        [Message("msg-raw", "thread-raw", "assistant", created, content, "user_raw")]
    )
    response = vera_client.get("/threads/thread-raw/")
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    raw = [pre.text for pre in find_all(response.content, "pre") if '"format": 2' in pre.text]
    assert len(raw) == 1
    stored = empty_store.memory.list_messages_by_id(["msg-raw"])[0].content
    assert raw[0] == json.dumps(stored, indent=2, ensure_ascii=False)
    assert '"confidence": 1e-05' in raw[0]
