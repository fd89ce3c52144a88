"""What the index keeps of a message: its searchable text and the facts the filters ask about.

The parts come from ``Message.parts`` (storeclient already normalised every stored format to
format-2 parts) and tool calls are read the way the thread page reads them
(``dashboard.threads.presenters.tool_view``), so search and the page agree on what a call's name,
state and error are. Stored content is agent-written: JSON is walked iteratively with a budget, so
a deeply nested or enormous tool result costs a bounded amount and never raises.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dashboard.threads.presenters import tool_view
from storeclient.models import Message, Resource, Thread

#: The searchable text of one message is cut here (a 5 MB tool result stays findable by its start;
#: PostgreSQL's tsvector also caps at 1 MB).
BODY_MAX_CHARS = 100_000
#: Tool arguments kept as JSON text per call (for tool statistics).
ARGS_MAX_CHARS = 10_000
#: Working-memory writes keep their whole argument (the memory itself, at most a Convex document):
#: the memory timeline replays them.
WORKING_MEMORY_ARGS_MAX_CHARS = 1024 * 1024
WORKING_MEMORY_TOOL = "updateWorkingMemory"
#: The kinds a search can filter on, in the order the filter lists them.
KINDS = ("text", "tool", "reasoning", "file", "source")
#: Part types that are structure, not content.
_SILENT_PARTS = frozenset({"step-start"})


@dataclass(frozen=True)
class ToolCallDocument:
    tool_name: str
    call_id: str
    state: str
    is_error: bool
    error_text: str
    args_json: str


@dataclass(frozen=True)
class MessageDocument:
    body: str
    kinds: tuple[str, ...]
    tool_calls: tuple[ToolCallDocument, ...] = ()
    has_error: bool = False
    content_hash: str = ""

    @property
    def tool_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(call.tool_name for call in self.tool_calls))


@dataclass
class _Text:
    """Pieces of text under one budget."""

    budget: int
    pieces: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if self.budget <= 0 or not text:
            return
        text = text[: self.budget]
        self.pieces.append(text)
        self.budget -= len(text) + 1

    def value(self) -> str:
        return "\n".join(self.pieces)


def message_document(message: Message, *, agent: str = "") -> MessageDocument:
    text = _Text(BODY_MAX_CHARS)
    kinds: set[str] = set()
    calls: list[ToolCallDocument] = []
    for part in message.parts:
        kind = part.get("type")
        if kind == "text":
            kinds.add("text")
            text.add(_string(part.get("text")))
        elif kind == "reasoning":
            kinds.add("reasoning")
            text.add(_string(part.get("reasoning")))
            for detail in part.get("details") or ():
                if isinstance(detail, dict):
                    text.add(_string(detail.get("text")))
        elif kind == "tool-invocation" and isinstance(part.get("toolInvocation"), dict):
            kinds.add("tool")
            card = tool_view(part["toolInvocation"])
            calls.append(
                ToolCallDocument(
                    tool_name=storable(card.name),
                    call_id=storable(card.call_id or ""),
                    state=storable(card.state)[:40],
                    is_error=card.is_error,
                    error_text=storable(card.error_text or ""),
                    args_json=storable(_bounded_json(card.args, _args_limit(card.name)))
                    if card.has_args
                    else "",
                )
            )
            text.add(card.name)
            for value in (card.args, card.result):
                for piece in flatten(value, budget=max(text.budget, 0)):
                    text.add(piece)
            text.add(card.error_text or "")
        elif kind == "file":
            kinds.add("file")
            text.add(_string(part.get("filename") or part.get("name")))
            data = part.get("data", part.get("url"))
            if isinstance(data, str) and data.startswith(("http://", "https://")):
                text.add(data[:2_000])
        elif kind == "source" and isinstance(part.get("source"), dict):
            kinds.add("source")
            text.add(_string(part["source"].get("title")))
            text.add(_string(part["source"].get("url")))
        elif kind not in _SILENT_PARTS:
            # A part we do not know (kept by storeclient, shown as raw JSON): its strings still count.
            for piece in flatten(part, budget=max(text.budget, 0)):
                text.add(piece)
    body = storable(text.value())
    ordered_kinds = tuple(k for k in KINDS if k in kinds)
    has_error = any(call.is_error for call in calls)
    digest = hashlib.sha256(
        "\x00".join(
            [
                body,
                message.role,
                message.thread_id,
                message.resource_id or "",
                agent,
                message.created_at.isoformat(),
                " ".join(ordered_kinds),
                *(
                    f"{c.tool_name}\x01{c.state}\x01{c.is_error}\x01{c.error_text}\x01{c.args_json}"
                    for c in calls
                ),
            ]
        ).encode("utf-8", "surrogatepass")
    ).hexdigest()[:32]
    return MessageDocument(body, ordered_kinds, tuple(calls), has_error, digest)


def flatten(value: Any, *, budget: int) -> Iterator[str]:
    """The keys and scalar values of a JSON value, depth-first, until ``budget`` characters are
    out. Iterative: agent-written JSON may nest deeper than Python recurses."""
    stack: list[Any] = [value]
    spent = 0
    while stack and spent < budget:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                stack.append(child)
                stack.append(str(key))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif item is None:
            continue
        else:
            piece = item if isinstance(item, str) else str(item)
            spent += len(piece) + 1
            yield piece


def agent_of(thread: Thread) -> str:
    """The agent that owns a thread (``metadata.agentId``), "" when the metadata does not say."""
    if isinstance(thread.metadata, dict):
        agent = thread.metadata.get("agentId")
        if isinstance(agent, str):
            return agent
    return ""


def working_memory_text(resource: Resource) -> str:
    return (resource.working_memory or "")[:BODY_MAX_CHARS]


def storable(text: str) -> str:
    """``text`` as every database takes it: lone surrogates (JSON allows them, UTF-8 does not)
    become U+FFFD and NUL characters (PostgreSQL refuses them in text) are dropped."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _args_limit(tool_name: str) -> int:
    return WORKING_MEMORY_ARGS_MAX_CHARS if tool_name == WORKING_MEMORY_TOOL else ARGS_MAX_CHARS


def _bounded_json(value: Any, limit: int = ARGS_MAX_CHARS) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError, TypeError):
        return ""
    return text if len(text) <= limit else ""
