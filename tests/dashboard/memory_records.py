"""Working-memory records for the editor tests, shaped like what Mastra's memory writes.

``seed_memory(store)`` writes them through the store interface (either store) and returns them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from django.http import HttpResponse
from django.test import Client

from storeclient.interface import Store
from storeclient.models import Resource, Thread
from tests.support.counting_store import CountingStore  # noqa: F401  (re-exported for the editor tests)

T0 = datetime(2026, 1, 9, 14, 2, 11, 481000, tzinfo=UTC)

#: Template mode, as Mastra's default template fills in over a conversation.
DANA_MEMORY = (
    "# User Information\n"
    "- **First Name**: Dana\n"
    "- **Last Name**: Whitfield\n"
    "- **Location**: Portland, OR\n"
    "- **Occupation**: Pastry chef\n"
    "- **Interests**: Sourdough, trail running\n"
    "- **Goals**: Replace the cracked blender before Saturday's catering job\n"
    "- **Events**: Order A-10492 delivered 2026-01-07, arrived damaged\n"
    "- **Facts**: Prefers email over SMS; Pro plan since 2024\n"
    "- **Projects**: \n"
)

#: Schema mode: the JSON text of an object, written compact like JSON.stringify.
ARJUN_MEMORY = json.dumps(
    {
        "name": "Arjun Mehta",
        "preferredContact": "email",
        "timezone": "Asia/Kolkata",
        "openOrders": ["A-10492", "A-10517"],
        "preferences": {"language": "en", "tone": "concise"},
    },
    separators=(",", ":"),
)

#: Thread-scoped memory lives in thread.metadata.workingMemory.
THREAD_MEMORY = (
    "# Conversation notes\n"
    "- **Topic**: Late delivery of order A-10517\n"
    "- **Promised**: Refund of the express shipping fee\n"
)


@dataclass(frozen=True)
class MemoryRecords:
    dana: Resource
    arjun: Resource
    blank: Resource
    thread: Thread


def seed_memory(store: Store) -> MemoryRecords:
    dana = store.memory.save_resource(
        Resource("user_8f2c1a", T0, T0, DANA_MEMORY, {"plan": "pro", "crmId": "0035e00001XyZ9"})
    )
    arjun = store.memory.save_resource(Resource("user_51d0e7", T0, T0, ARJUN_MEMORY, {"plan": "business"}))
    blank = store.memory.save_resource(Resource("user_0c44aa", T0, T0, None, {"plan": "free"}))
    thread = store.memory.save_thread(
        Thread(
            "c0a3f6e2-5d1b-4f8e-9a7c-2b6d4e8f1a35",
            "user_51d0e7",
            "Where is order A-10517?",
            T0,
            T0,
            {"agentId": "supportAgent", "channel": "web", "workingMemory": THREAD_MEMORY},
        )
    )
    # Read back, so versions carry the stored updatedAt exactly as the store reports it.
    return MemoryRecords(
        dana=store.memory.get_resource_by_id(dana.id),  # type: ignore[arg-type]
        arjun=store.memory.get_resource_by_id(arjun.id),  # type: ignore[arg-type]
        blank=store.memory.get_resource_by_id(blank.id),  # type: ignore[arg-type]
        thread=store.memory.get_thread_by_id(thread.id),  # type: ignore[arg-type]
    )


# --- driving the editor with Django's test client ------------------------------------------------


class _FormFields(HTMLParser):
    """The fields a browser would submit from one form (by id): hidden inputs and textareas."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = attr.get("id") == self.form_id
        elif self.inside and tag == "input" and attr.get("type") == "hidden" and "name" in attr:
            self.fields[attr["name"]] = attr.get("value", "")
        elif self.inside and tag == "textarea" and "name" in attr:
            self._textarea = attr["name"]
            self.fields[attr["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            value = self.fields[self._textarea]
            self.fields[self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data


def form_fields(response: HttpResponse, form_id: str = "memory-form") -> dict[str, str]:
    """What submitting that form on the rendered page would send (without the button)."""
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    fields = dict(parser.fields)
    fields.pop("csrfmiddlewaretoken", None)
    if not fields:
        raise AssertionError(f"No form #{form_id} on the page")
    return fields


def submit(
    client: Client, url: str, page: HttpResponse, draft: str | None = None, **extra: str
) -> HttpResponse:
    """Press Save on ``page`` (a GET response of the editor) after typing ``draft``."""
    fields = form_fields(page)
    if draft is not None:
        fields["draft"] = draft
    return client.post(url, {**fields, "action": "save", **extra})


class _FailingMemory:
    def __init__(self, memory: Any, error: Exception) -> None:
        self._memory = memory
        self._error = error

    def __getattr__(self, name: str) -> Any:
        return getattr(self._memory, name)

    def save_resource_working_memory(self, *args: Any, **kwargs: Any) -> Any:
        raise self._error

    def save_thread_working_memory(self, *args: Any, **kwargs: Any) -> Any:
        raise self._error


class SavesFail:
    """``store`` with every working-memory save raising ``error`` (reads still work)."""

    def __init__(self, store: Store, error: Exception) -> None:
        self._store = store
        self.memory = _FailingMemory(store.memory, error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)
