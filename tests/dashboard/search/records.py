"""Conversations for the search tests: a support team's threads, shaped like what Mastra stores
(format-2 parts: text, reasoning, tool invocations with results and errors, files, sources)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from storeclient.interface import Store
from storeclient.models import Message, Resource, Thread

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def text(*texts: str) -> dict[str, Any]:
    return {"format": 2, "parts": [{"type": "text", "text": t} for t in texts]}


def parts(*items: dict[str, Any]) -> dict[str, Any]:
    return {"format": 2, "parts": list(items)}


def tool(
    name: str, args: Any, *, result: Any = None, state: str = "result", error: str | None = None
) -> dict[str, Any]:
    invocation: dict[str, Any] = {
        "toolName": name,
        "toolCallId": f"call_{name}_{abs(hash(str(args))) % 10_000}",
        "state": state,
        "args": args,
    }
    if result is not None:
        invocation["result"] = result
    if error is not None:
        invocation["errorText"] = error
    return {"type": "tool-invocation", "toolInvocation": invocation}


def message(id: str, thread: Thread, role: str, minutes: float, content: Any) -> Message:
    return Message(
        id=id,
        thread_id=thread.id,
        role=role,
        created_at=at(minutes),
        content=content,
        resource_id=thread.resource_id,
    )


REFUND = Thread("thr-refund", "user_d82C07", "Cracked mug refund", at(0), at(10), {"agentId": "supportAgent"})
ORDER = Thread("thr-order", "user_b11", "Where is my order", at(20), at(30), {"agentId": "orderAgent"})
RECIPE = Thread("thr-recipe", "user_b11", "Pastry ideas", at(40), at(50), {"agentId": "recipeAgent"})


def conversations() -> tuple[list[Thread], list[Message], list[Resource]]:
    messages = [
        message(
            "m-refund-1",
            REFUND,
            "user",
            1,
            text("My mug arrived cracked, order A-18896. Can I get a refund?"),
        ),
        message(
            "m-refund-2",
            REFUND,
            "assistant",
            2,
            parts(
                {
                    "type": "reasoning",
                    "reasoning": "Check the order before promising anything.",
                    "details": [],
                },
                tool("lookupOrder", {"orderId": "A-18896"}, result={"status": "delivered", "total": 24.5}),
                tool(
                    "issueRefund",
                    {"orderId": "A-18896", "amount": 2450},
                    state="output-error",
                    error="Amount exceeds order total",
                ),
            ),
        ),
        message(
            "m-refund-3",
            REFUND,
            "assistant",
            3,
            text("Sorry about the cracked mug: the refund of 24.50 EUR is on its way."),
        ),
        message("m-order-1", ORDER, "user", 21, text("Where is my parcel? It was due on Monday.")),
        message(
            "m-order-2",
            ORDER,
            "assistant",
            22,
            parts(
                tool(
                    "trackParcel", {"carrier": "DHL"}, result={"isError": True, "message": "carrier timeout"}
                ),
                {
                    "type": "source",
                    "source": {
                        "sourceType": "url",
                        "id": "s1",
                        "url": "https://status.example.com/dhl",
                        "title": "Carrier status page",
                    },
                },
            ),
        ),
        message(
            "m-order-3",
            ORDER,
            "assistant",
            23,
            text("The carrier reports a delay; your refundable parcel arrives Thursday."),
        ),
        message(
            "m-recipe-1",
            RECIPE,
            "user",
            41,
            parts(
                {
                    "type": "file",
                    "data": "https://files.example.com/croissant-photo.png",
                    "mimeType": "image/png",
                    "filename": "croissant-photo.png",
                },
                {"type": "text", "text": "How do I laminate dough?"},
            ),
        ),
        message(
            "m-recipe-2",
            RECIPE,
            "assistant",
            42,
            text("Fold the butter into the dough three times, chilling in between."),
        ),
    ]
    resources = [
        Resource("user_d82C07", at(0), at(5), "# User\n- **Name**: Dana\n- **Prefers**: email, never phone"),
        Resource("user_b11", at(20), at(25), "# User\n- **Name**: Bo\n- **Allergies**: hazelnut"),
    ]
    return [REFUND, ORDER, RECIPE], messages, resources


def write_conversations(store: Store) -> list[Message]:
    threads, messages, resources = conversations()
    for resource in resources:
        store.memory.save_resource(resource)
    for thread in threads:
        store.memory.save_thread(thread)
    store.memory.save_messages(messages)
    return messages
