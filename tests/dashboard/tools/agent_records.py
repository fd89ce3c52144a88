"""An agent-like conversation in the shape Mastra stores (format-2 messages, tool-invocation parts):
``lookupOrder`` succeeds, ``issueRefund`` throws (``output-error`` with the thrown message, as
Mastra records a tool's exception), ``trackParcel`` returns ``isError: true``, and one call still
waits for its result. Inputs for Mastra's own TypeScript store (``saveThread``/``saveMessages``)."""

from __future__ import annotations

from typing import Any

RESOURCE_ID = "user_8f2c1a"
THREAD: dict[str, Any] = {
    "id": "c0a3f6e2-5d1b-4f8e-9a7c-2b6d4e8f1a35",
    "resourceId": RESOURCE_ID,
    "title": "Cracked blender, order A-10492",
    "metadata": {"agentId": "supportAgent"},
    "createdAt": "2026-01-09T14:02:11.000Z",
    "updatedAt": "2026-01-09T14:02:11.000Z",
}


def _invocation(n: int, name: str, state: str, args: dict[str, Any], **rest: Any) -> dict[str, Any]:
    return {
        "type": "tool-invocation",
        "toolInvocation": {
            "state": state,
            "toolCallId": f"call_{n:04d}",
            "toolName": name,
            "args": args,
            **rest,
        },
    }


def _assistant(n: int, *parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"msg-{n:04d}",
        "threadId": THREAD["id"],
        "resourceId": RESOURCE_ID,
        "role": "assistant",
        "type": "v2",
        "createdAt": f"2026-01-09T14:{n // 60 + 3:02d}:{n % 60:02d}.000Z",
        "content": {"format": 2, "parts": [{"type": "step-start"}, *parts]},
    }


def messages() -> list[dict[str, Any]]:
    found = []
    for n in range(12):
        order = f"A-{10_000 + n}"
        parts = [
            _invocation(3 * n, "lookupOrder", "result", {"orderId": order}, result={"status": "delivered"}),
        ]
        if n % 3 == 0:
            parts.append(
                _invocation(
                    3 * n + 1,
                    "issueRefund",
                    "output-error",
                    {"orderId": order, "amount": 8450},
                    errorText=f"Refund for order {order} failed: amount 8450 exceeds total",
                )
            )
        if n % 4 == 1:
            parts.append(
                _invocation(
                    3 * n + 2,
                    "trackParcel",
                    "result",
                    {"carrier": "DHL"},
                    result={"isError": True, "message": "timeout"},
                )
            )
        if n == 11:
            parts.append(_invocation(999, "trackParcel", "call", {"carrier": "UPS"}))
        found.append(_assistant(n, *parts, {"type": "text", "text": f"Checked order {order}."}))
    return found
