"""Threads and messages for the thread/resource page tests, shaped like what Mastra stores.

* ``every_format_thread``: one thread whose messages cover every part type of format 2 and every
  legacy content format (v1 string, v1 arrays with tool-call / tool-result, AI SDK v4 and v5).
* ``hostile_thread``: the XSS corpus (tests/support/xss_payloads.py) in every place a message can
  carry text or a URL, and in the thread title.
* ``long_thread``: ``n`` plain messages, for paging.

``write`` saves records through the store interface, then restores the threads' ``updatedAt``
(``save_messages`` bumps it, as Mastra does).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from storeclient.interface import Store
from storeclient.models import Message, Resource, Thread
from tests.support.xss_payloads import PAYLOADS, URLS

T0 = datetime(2026, 1, 9, 14, 2, 11, 481000, tzinfo=UTC)
RESOURCE = "user_8f2c1a"

# A 1x1 PNG, as a pasted screenshot would be stored.
PNG_BASE64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF_BASE64 = base64.b64encode(b"%PDF-1.4\n" + b"0" * 3000 + b"\n%%EOF").decode()


@dataclass
class Records:
    threads: list[Thread] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)

    def add(self, other: Records) -> Records:
        self.threads += other.threads
        self.messages += other.messages
        self.resources += other.resources
        return self


def write(store: Store, records: Records) -> Records:
    for resource in records.resources:
        store.memory.save_resource(resource)
    for thread in records.threads:
        store.memory.save_thread(thread)
    for start in range(0, len(records.messages), 200):
        store.memory.save_messages(records.messages[start : start + 200])
    for thread in records.threads:
        store.memory.save_thread(thread)
    return records


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def tick(self, seconds: int = 20) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def _thread(thread_id: str, title: str, messages: Sequence[Message], **metadata: Any) -> Thread:
    return Thread(
        thread_id,
        RESOURCE,
        title,
        messages[0].created_at if messages else T0,
        messages[-1].created_at if messages else T0,
        {"agentId": "supportAgent", "channel": "web", **metadata},
    )


def every_format_thread(thread_id: str = "thread-every-format") -> Records:
    clock = _Clock(T0)

    def msg(n: int, role: str, content: Any, kind: str = "v2") -> Message:
        return Message(f"{thread_id}-m{n:02d}", thread_id, role, clock.tick(), content, RESOURCE, kind)

    lookup_args = {"orderId": "A-10492"}
    messages = [
        # v1: a plain string, and arrays of AI SDK v4 core parts with a separate "tool" row.
        msg(1, "user", "Is the ProBlend 900 blender in stock?", "text"),
        msg(
            2,
            "assistant",
            [
                {"type": "text", "text": "Let me check the warehouse."},
                {
                    "type": "tool-call",
                    "toolCallId": "call_v1stock",
                    "toolName": "checkStock",
                    "args": {"sku": "BLND-900"},
                },
            ],
            "tool-call",
        ),
        msg(
            3,
            "tool",
            [
                {
                    "type": "tool-result",
                    "toolCallId": "call_v1stock",
                    "toolName": "checkStock",
                    "result": {"sku": "BLND-900", "available": 14, "warehouse": "Leipzig"},
                }
            ],
            "tool-result",
        ),
        # AI SDK v4 UIMessage without parts: content, reasoning, toolInvocations, attachments.
        msg(
            4,
            "assistant",
            {
                "content": "It ships tomorrow from **Leipzig**.",
                "reasoning": "Stock is positive, so quote the dispatch date.",
                "toolInvocations": [
                    {
                        "state": "result",
                        "toolCallId": "call_v4eta",
                        "toolName": "shippingEta",
                        "args": {"warehouse": "Leipzig"},
                        "result": {"days": 1},
                    }
                ],
                "experimental_attachments": [
                    {
                        "name": "label.png",
                        "contentType": "image/png",
                        "url": f"data:image/png;base64,{PNG_BASE64}",
                    }
                ],
            },
        ),
        # Format 2: every part type Mastra writes.
        msg(
            5,
            "user",
            {
                "format": 2,
                "parts": [
                    {"type": "text", "text": "My blender from order A-10492 arrived cracked. Refund please?"},
                    {
                        "type": "file",
                        "mimeType": "image/jpeg",
                        "data": "https://cdn.acme-retail.example/uploads/a1/blnd-damage.jpg",
                    },
                    {
                        "type": "file",
                        "mimeType": "image/png",
                        "data": PNG_BASE64,
                        "filename": "screenshot.png",
                    },
                    {
                        "type": "file",
                        "mimeType": "application/pdf",
                        "data": PDF_BASE64,
                        "filename": "receipt.pdf",
                    },
                ],
                "content": "My blender from order A-10492 arrived cracked. Refund please?",
            },
        ),
        msg(
            6,
            "assistant",
            {
                "format": 2,
                "parts": [
                    {"type": "step-start"},
                    {
                        "type": "reasoning",
                        "reasoning": "",
                        "details": [
                            {"type": "text", "text": "Check the return window first."},
                            {"type": "redacted", "data": "b64-opaque"},
                        ],
                    },
                    {
                        "type": "tool-invocation",
                        "toolInvocation": {
                            "state": "result",
                            "toolCallId": "call_lookup",
                            "toolName": "lookupOrder",
                            "args": lookup_args,
                            "result": {"status": "delivered", "total": 84.5},
                        },
                    },
                    {
                        "type": "tool-invocation",
                        "toolInvocation": {
                            "state": "output-error",
                            "toolCallId": "call_track",
                            "toolName": "trackShipment",
                            "args": {"orderId": "A-10492", "carrier": "dhl"},
                            "errorText": "Carrier API timed out after 10000 ms",
                        },
                    },
                    {"type": "step-start"},
                    {
                        "type": "tool-invocation",
                        "toolInvocation": {
                            "state": "call",
                            "toolCallId": "call_refund",
                            "toolName": "issueRefund",
                            "args": {"orderId": "A-10492", "amount": 84.5},
                        },
                    },
                    {
                        "type": "data-tool-call-approval",
                        "data": {"toolCallId": "call_refund", "toolName": "issueRefund"},
                    },
                    {
                        "type": "source",
                        "source": {
                            "sourceType": "url",
                            "id": "src_1",
                            "url": "https://docs.acme-retail.example/refunds",
                            "title": "Refund policy",
                        },
                    },
                    {
                        "type": "file",
                        "mimeType": "application/pdf",
                        "data": "https://files.acme-retail.example/invoices/A-10492.pdf",
                        "filename": "A-10492.pdf",
                    },
                    {
                        "type": "text",
                        "text": "I've requested a **$84.50 refund**.\n\n```python\nrefund(order='A-10492')\n```\n\n| Step | Status |\n|---|---|\n| Approval | pending |",
                    },
                    {"type": "future-part", "payload": {"answer": 42}},
                ],
            },
        ),
        # The result of call_refund arriving in a later format-2 message: one card per call.
        msg(
            7,
            "assistant",
            {
                "format": 2,
                "parts": [
                    {
                        "type": "tool-invocation",
                        "toolInvocation": {
                            "state": "result",
                            "toolCallId": "call_refund",
                            "toolName": "issueRefund",
                            "args": {"orderId": "A-10492", "amount": 84.5},
                            "result": {"refundId": "re_77", "status": "approved"},
                        },
                    },
                    {"type": "text", "text": "The refund was approved."},
                ],
            },
        ),
        # AI SDK v5 parts stored as they are.
        msg(
            8,
            "assistant",
            {
                "parts": [
                    {"type": "step-start"},
                    {"type": "reasoning", "text": "Check the forecast for Porto.", "state": "done"},
                    {
                        "type": "tool-getWeather",
                        "toolCallId": "call_v5weather",
                        "state": "output-available",
                        "input": {"city": "Porto"},
                        "output": {"summary": "Light showers"},
                    },
                    {
                        "type": "tool-bookCourier",
                        "toolCallId": "call_v5courier",
                        "state": "output-error",
                        "input": {"slot": "08:00"},
                        "errorText": "No courier available",
                    },
                    {
                        "type": "source-url",
                        "sourceId": "src_v5",
                        "url": "https://weather.example/porto",
                        "title": "Porto forecast",
                    },
                    {
                        "type": "file",
                        "mediaType": "image/webp",
                        "url": "https://cdn.example/radar.webp",
                        "filename": "radar.webp",
                    },
                    {"type": "data-delivery-slots", "id": "slots-1", "data": {"slots": ["08:00", "10:00"]}},
                    {"type": "text", "text": "Light showers — bring the canopy.", "state": "done"},
                ],
                "metadata": {"model": "gpt-4o-mini"},
            },
        ),
    ]
    thread = _thread(thread_id, "Refund for damaged blender (order A-10492)", messages)
    return Records([thread], messages)


def newer_parts_thread(thread_id: str = "thread-newer-parts") -> Records:
    """What Mastra 1.71 writes beyond the classic parts, in its exact stored shapes (the rows
    core's ``MessageList`` / ``createSignal`` produced, saved by ``@mastra/libsql``): a failed tool
    with a ``data-*`` part, an ``isError`` result, a terminal ``error`` part, a v6
    ``source-document``, and three ``signal`` rows (``type`` column = the signal's tag)."""
    clock = _Clock(T0 + timedelta(hours=2))

    def msg(n: int, role: str, content: Any, kind: str = "v2") -> Message:
        return Message(f"{thread_id}-m{n:02d}", thread_id, role, clock.tick(), content, RESOURCE, kind)

    def signal(n: int, tag: str, signal_type: str, text: str, **attributes: Any) -> Message:
        meta: dict[str, Any] = {
            "id": f"sig-{n}",
            "type": signal_type,
            "tagName": tag,
            "createdAt": "2026-01-09T16:02:07.000Z",
        }
        if attributes:
            meta["attributes"] = attributes
        content = {"format": 2, "parts": [{"type": "text", "text": text}], "metadata": {"signal": meta}}
        return msg(n, "signal", content, tag)

    messages = [
        msg(1, "user", {"format": 2, "parts": [{"type": "text", "text": "Where is order A-10492?"}]}),
        msg(
            2,
            "assistant",
            {
                "format": 2,
                "parts": [
                    {"type": "step-start", "createdAt": 1767967322000},
                    {
                        "type": "tool-invocation",
                        "toolInvocation": {
                            "state": "output-error",
                            "toolCallId": "call_Qm3r8vT1",
                            "toolName": "lookupOrder",
                            "args": {"orderId": "A-10492"},
                            "errorText": "Order service timed out after 10000ms",
                        },
                    },
                    {
                        "type": "data-order-status",
                        "data": {"orderId": "A-10492", "stage": "lookup-failed", "retryInSeconds": 30},
                        "createdAt": 1767967323000,
                    },
                ],
                "metadata": {},
            },
        ),
        msg(
            3,
            "assistant",
            {
                "format": 2,
                "parts": [
                    {
                        "type": "tool-invocation",
                        "createdAt": 1767967326000,
                        "toolInvocation": {
                            "state": "result",
                            "toolCallId": "call_R3f",
                            "toolName": "issueRefund",
                            "args": {"orderId": "A-10492", "amount": 84.5},
                            "result": "Payment gateway rejected the refund",
                            "isError": True,
                        },
                    }
                ],
            },
        ),
        msg(
            4,
            "assistant",
            {
                "format": 2,
                "parts": [
                    {
                        "type": "error",
                        "error": {"name": "APICallError", "message": "Rate limit reached for gpt-4o-mini"},
                        "createdAt": 1767967324000,
                    }
                ],
            },
        ),
        msg(
            5,
            "assistant",
            {
                "format": 2,
                "parts": [
                    {"type": "step-start"},
                    {
                        "type": "source-document",
                        "sourceId": "doc-returns-policy",
                        "mediaType": "application/pdf",
                        "title": "Returns policy 2026",
                        "filename": "returns-2026.pdf",
                    },
                    {"type": "text", "text": "Per our returns policy you are covered for 30 days."},
                ],
                "content": "Per our returns policy you are covered for 30 days.",
            },
        ),
        signal(6, "system-reminder", "reactive", "The customer is on the Pro plan.", source="crm"),
        signal(
            7,
            "schedule",
            "notification",
            "Daily check-in: any open refunds?",
            scheduleId="agent_support__morning",
        ),
        signal(8, "user", "user", "Also, can you expedite?"),
    ]
    thread = _thread(thread_id, "Order A-10492: failures, sources and signals", messages)
    return Records([thread], messages)


def hostile_thread(thread_id: str = "thread-hostile") -> Records:
    """The corpus as text, reasoning, tool arguments and results, file names and URLs, source
    URLs and titles, data parts, and as the thread's title."""
    clock = _Clock(T0 + timedelta(hours=1))
    messages = []
    for n, payload in enumerate(PAYLOADS):
        url = URLS[n % len(URLS)]
        parts: list[dict[str, Any]] = [
            {"type": "text", "text": payload},
            {"type": "reasoning", "reasoning": payload, "details": [{"type": "text", "text": payload}]},
            {
                "type": "tool-invocation",
                "toolInvocation": {
                    "state": "output-error" if n % 2 else "result",
                    "toolCallId": f'call_{n}"><script>window.__xss=1</script>',
                    "toolName": payload,
                    "args": {"query": payload, payload: [payload]},
                    "result": {"html": payload, "url": url},
                    **({"errorText": payload} if n % 2 else {}),
                },
            },
            {"type": "file", "mimeType": "text/html", "data": url, "filename": payload},
            {"type": "file", "mimeType": "image/svg+xml", "data": url, "filename": payload},
            {"type": "file", "mimeType": "image/png", "data": url, "filename": payload},
            {"type": "source", "source": {"sourceType": "url", "id": payload, "url": url, "title": payload}},
            {"type": f"data-{n}", "data": {"html": payload}},
            {"type": f"data-{payload}", "id": payload, "data": {payload: payload}},
            {"type": "error", "error": {"name": payload, "message": payload}},
            {
                "type": "source-document",
                "sourceId": payload,
                "mediaType": payload,
                "title": payload,
                "filename": payload,
            },
            {
                "type": "tool-invocation",
                "toolInvocation": {
                    "state": "result",
                    "toolCallId": f"call_flagged_{n}",
                    "toolName": payload,
                    "args": {"q": payload},
                    "result": payload,
                    "isError": True,
                },
            },
        ]
        messages.append(
            Message(
                f"{thread_id}-{n:03d}",
                thread_id,
                "assistant" if n % 2 else "user",
                clock.tick(),
                {"format": 2, "parts": parts, "content": payload},
                RESOURCE,
            )
        )
    # Legacy shapes carry the payloads too.
    messages.append(
        Message(f"{thread_id}-v1", thread_id, "user", clock.tick(), PAYLOADS[0], RESOURCE, "text")
    )
    messages.append(
        Message(
            f"{thread_id}-v5",
            thread_id,
            "assistant",
            clock.tick(),
            {
                "parts": [
                    {"type": "source-url", "sourceId": "s", "url": URLS[0], "title": PAYLOADS[2]},
                    {"type": "file", "mediaType": "text/html", "url": URLS[6]},
                ]
            },
            RESOURCE,
        )
    )
    # Signal rows: the tag is the row's type column, the signal's type, tag and attributes are metadata.
    for n, payload in enumerate(PAYLOADS[:12]):
        signal = {"id": payload, "type": payload, "tagName": payload, "attributes": {payload: payload}}
        messages.append(
            Message(
                f"{thread_id}-signal-{n:02d}",
                thread_id,
                "signal",
                clock.tick(),
                {"format": 2, "parts": [{"type": "text", "text": payload}], "metadata": {"signal": signal}},
                RESOURCE,
                payload,
            )
        )
    title = "<img src=x onerror=window.__xss=1> <script>window.__xss=1</script> hostile thread"
    thread = _thread(
        thread_id, title, messages, note=PAYLOADS[3], workingMemory=PAYLOADS[5] + "\n\n" + PAYLOADS[62]
    )
    return Records([thread], messages)


def long_thread(n: int, thread_id: str = "thread-long", *, title: str = "Shared support inbox") -> Records:
    clock = _Clock(T0 - timedelta(days=3))
    messages = [
        Message(
            f"{thread_id}-{i:04d}",
            thread_id,
            "user" if i % 2 == 0 else "assistant",
            clock.tick(43),
            {
                "format": 2,
                "parts": [{"type": "text", "text": f"Message number {i}"}],
                "content": f"Message number {i}",
            },
            RESOURCE,
        )
        for i in range(n)
    ]
    return Records([_thread(thread_id, title, messages)], messages)


def many_threads(n: int, *, resource_id: str = RESOURCE, prefix: str = "thread") -> Records:
    """``n`` threads with one message each, updated one minute apart (newest last)."""
    records = Records()
    for i in range(n):
        at = T0 + timedelta(minutes=i)
        thread_id = f"{prefix}-{i:03d}"
        message = Message(
            f"{thread_id}-m",
            thread_id,
            "user",
            at,
            {"format": 2, "parts": [{"type": "text", "text": "Where is my order?"}]},
            resource_id,
        )
        records.threads.append(
            Thread(thread_id, resource_id, f"Order question #{i}", at, at, {"channel": "web"})
        )
        records.messages.append(message)
    return records


class CappedFeeds:
    """A store whose feeds come back marked the way Mastra's standard Convex handler marks a list
    cut at its 10,000-row cap (``capped``), or with only a ``note``."""

    def __init__(self, store: Any, note: str | None, capped: bool = True) -> None:
        self._store, self._note, self._capped = store, note, capped

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @property
    def memory(self) -> Any:
        outer = self

        class Memory:
            def __getattr__(self, name: str) -> Any:
                attr = getattr(outer._store.memory, name)
                if not name.endswith("_feed"):
                    return attr

                def marked(*args: Any, **kwargs: Any) -> Any:
                    feed = attr(*args, **kwargs)
                    return dataclasses.replace(feed, capped=outer._capped, note=outer._note)

                return marked

        return Memory()


# --- reading pages --------------------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    #: The classes and ids of every open ancestor, outermost first.
    ancestors: list[tuple[str, set[str], str]]

    def inside(self, cls: str) -> bool:
        return any(cls in classes for _, classes, _ in self.ancestors)


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[Node] = []
        self.stack: list[tuple[str, set[str], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.nodes.append(Node(tag, values, list(self.stack)))
        if tag not in _VOID:
            self.stack.append((tag, set(values.get("class", "").split()), values.get("id", "")))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return


def nodes(html: str | bytes) -> Iterator[Node]:
    walker = _Walker()
    walker.feed(html.decode() if isinstance(html, bytes) else html)
    walker.close()
    yield from walker.nodes
