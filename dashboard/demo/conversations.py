"""Conversations: format-2 message parts (and the legacy formats old data still holds) and the
scenarios a demo thread is made of, one per kind of message a thread page must show."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .cast import PRODUCTS, Ids, order_id
from .images import checkout_error_screenshot, damaged_blender_photo

Content = Any


def v2(parts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A format-2 content object with the v4 ``content`` text mirror Mastra keeps."""
    text = "\n\n".join(p["text"] for p in parts if p.get("type") == "text")
    content: dict[str, Any] = {"format": 2, "parts": parts}
    if text:
        content["content"] = text
    content.update(extra)
    return content


def text(value: str, at: int | None = None) -> dict[str, Any]:
    part: dict[str, Any] = {"type": "text", "text": value}
    if at is not None:
        part["createdAt"] = at
    return part


def reasoning(value: str) -> dict[str, Any]:
    return {"type": "reasoning", "reasoning": "", "details": [{"type": "text", "text": value}]}


def tool(
    call_id: str,
    name: str,
    args: dict[str, Any],
    *,
    result: Any = None,
    state: str | None = None,
    error: str | None = None,
    at: int | None = None,
) -> dict[str, Any]:
    invocation: dict[str, Any] = {
        "state": state or ("output-error" if error else "result" if result is not None else "call"),
        "toolCallId": call_id,
        "toolName": name,
        "args": args,
    }
    if result is not None:
        invocation["result"] = result
    if error is not None:
        invocation["errorText"] = error
    part: dict[str, Any] = {"type": "tool-invocation", "toolInvocation": invocation}
    if at is not None:
        part["createdAt"] = at
    return part


@dataclass
class Turn:
    """One stored message before it has ids and times: role, content and the legacy row type."""

    role: str
    content: Content
    type: str = "v2"
    #: Seconds after the previous message.
    gap: int = 20


@dataclass
class Scenario:
    title: str
    turns: list[Turn]
    agent: str = "supportAgent"


def scenario_refund(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """Tools with results, a call awaiting approval, an uploaded photo, reasoning, step boundaries."""
    rng.choice(PRODUCTS)  # drawn still, so the rest of the seeded data set stays as it was
    # The blender, always: the customer's photo shows it.
    sku, product, price = PRODUCTS[0]
    order = order_id(rng)
    lookup, refund = ids.call(), ids.call()
    # Inline, as a chat client stores an upload: the demo never points at an address that cannot resolve.
    photo = damaged_blender_photo()
    ask = f"My {product.lower()} from order {order} arrived cracked. Can I get a refund?"
    answer = (
        f"I'm sorry the {product.lower()} arrived damaged. I've requested a **${price:.2f} refund**; it "
        "needs a quick approval and should reach your card in 3–5 business days."
    )
    args = {"orderId": order, "amount": price, "reason": "arrived damaged"}
    return Scenario(
        f"Refund for damaged {product.lower()} (order {order})",
        [
            Turn(
                "user",
                v2(
                    [text(ask), {"type": "file", "mimeType": "image/png", "data": photo}],
                    experimental_attachments=[{"url": photo, "contentType": "image/png"}],
                ),
            ),
            Turn(
                "assistant",
                v2(
                    [
                        {"type": "step-start"},
                        reasoning("Look up the order before promising a refund; check the return window."),
                        tool(
                            lookup,
                            "lookupOrder",
                            {"orderId": order},
                            result={
                                "orderId": order,
                                "sku": sku,
                                "status": "delivered",
                                "deliveredAt": "2026-01-07T18:22:00.000Z",
                                "total": price,
                                "currency": "USD",
                            },
                            at=base + 1_400,
                        ),
                        {"type": "step-start"},
                        tool(refund, "issueRefund", args, state="call", at=base + 2_800),
                        {
                            "type": "data-tool-call-approval",
                            "data": {"toolCallId": refund, "toolName": "issueRefund", "args": args},
                        },
                        text(answer, at=base + 2_500),
                    ],
                    metadata={
                        "pendingToolApprovals": {
                            "issueRefund": {"toolCallId": refund, "toolName": "issueRefund", "args": args}
                        }
                    },
                ),
                gap=6,
            ),
            Turn(
                "user",
                v2([text(f"Thanks, that's quick. Do I need to send the {product.lower()} back?")]),
                gap=95,
            ),
            Turn(
                "assistant",
                v2([text("No need — keep it or recycle it. We'll email you once the refund is approved.")]),
                gap=4,
            ),
        ],
    )


EXPORT_ANSWER = """\
## Exporting your orders

You can pull every order as JSON from the **Orders API**. Create a token under *Settings → API*, then:

```python
import httpx

response = httpx.get(
    "https://api.acme-retail.example/v2/orders",
    params={"since": "2026-01-01", "status": "delivered"},
    headers={"Authorization": "Bearer <your token>"},
    timeout=10,
)
response.raise_for_status()
for order in response.json()["orders"]:
    print(order["id"], order["total"])
```

Or from a shell:

```bash
curl -sH "Authorization: Bearer $ACME_TOKEN" \\
  "https://api.acme-retail.example/v2/orders?since=2026-01-01" | jq '.orders | length'
```

| Parameter | Meaning | Default |
|-----------|---------|---------|
| `since` | ISO date of the oldest order | 30 days ago |
| `status` | `delivered`, `shipped` or `cancelled` | all |
| `limit` | page size, at most 500 | 100 |

> Pages are cursor-based: pass `cursor` from the previous response to get the next page.
"""


def scenario_code_help(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """Markdown with headings, code blocks, a table and a quote, citing sources."""
    return Scenario(
        "Export orders through the API",
        [
            Turn(
                "user", v2([text("Is there a way to export all my orders? I'd like to script it in Python.")])
            ),
            Turn(
                "assistant",
                v2(
                    [
                        {"type": "step-start"},
                        text(EXPORT_ANSWER),
                        {
                            "type": "source",
                            "source": {
                                "sourceType": "url",
                                "id": "src_" + ids.hex(6),
                                "url": "https://docs.acme-retail.example/api/orders",
                                "title": "Orders API reference",
                            },
                        },
                        {
                            "type": "source",
                            "source": {
                                "sourceType": "url",
                                "id": "src_" + ids.hex(6),
                                "url": "https://docs.acme-retail.example/api/authentication",
                                "title": "API tokens",
                            },
                        },
                    ]
                ),
                gap=9,
            ),
            Turn("user", v2([text("Perfect. What's the rate limit?")]), gap=240),
            Turn(
                "assistant",
                v2(
                    [
                        text(
                            "**120 requests per minute** per token. Back off on HTTP `429` using `Retry-After`."
                        )
                    ]
                ),
                gap=5,
            ),
        ],
        agent="orderAgent",
    )


def scenario_tool_error(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """A tool call that failed (output-error with errorText), then a retry that worked."""
    order = order_id(rng)
    first, second = ids.call(), ids.call()
    return Scenario(
        f"Where is my parcel? ({order})",
        [
            Turn("user", v2([text(f"Order {order} still says 'shipped' after a week. Where is it?")])),
            Turn(
                "assistant",
                v2(
                    [
                        {"type": "step-start"},
                        tool(
                            first,
                            "trackShipment",
                            {"orderId": order, "carrier": "dhl"},
                            error="Carrier API timed out after 10000 ms (GET https://api.dhl.example/track)",
                            at=base + 10_900,
                        ),
                        {"type": "step-start"},
                        tool(
                            second,
                            "trackShipment",
                            {"orderId": order, "carrier": "dhl"},
                            result={
                                "status": "in_transit",
                                "lastScan": "Leipzig hub",
                                "eta": "2026-01-12",
                                "events": [
                                    {"at": "2026-01-05T08:10:00Z", "where": "Warehouse", "what": "Picked up"},
                                    {"at": "2026-01-08T22:41:00Z", "where": "Leipzig hub", "what": "Sorted"},
                                ],
                            },
                            at=base + 13_200,
                        ),
                        text(
                            "The carrier's tracking was slow to answer, but it's moving: last scanned at the "
                            "**Leipzig hub**, expected on **12 January**."
                        ),
                    ]
                ),
                gap=14,
            ),
        ],
        agent="orderAgent",
    )


def scenario_invoice(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """A PDF file link and a source document."""
    order = order_id(rng)
    call = ids.call()
    pdf = f"https://files.acme-retail.example/invoices/{order}.pdf"
    return Scenario(
        f"Invoice copy for {order}",
        [
            Turn("user", v2([text(f"Could you send me the invoice for {order}? I need it for my taxes.")])),
            Turn(
                "assistant",
                v2(
                    [
                        tool(call, "getInvoice", {"orderId": order}, result={"url": pdf, "pages": 1}),
                        {
                            "type": "file",
                            "mimeType": "application/pdf",
                            "data": pdf,
                            "filename": f"{order}.pdf",
                        },
                        {
                            "type": "source-document",
                            "sourceId": "doc_" + ids.hex(6),
                            "mediaType": "application/pdf",
                            "title": f"Invoice {order}",
                            "filename": f"{order}.pdf",
                        },
                        text("Here it is. The PDF includes the VAT breakdown."),
                    ]
                ),
                gap=7,
            ),
        ],
    )


def scenario_screenshot(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """A pasted screenshot stored as a data: URI."""
    return Scenario(
        "Checkout error at payment step",
        [
            Turn(
                "user",
                v2(
                    [
                        text("Checkout fails with this red box when I press Pay:"),
                        {"type": "file", "mimeType": "image/png", "data": checkout_error_screenshot()},
                    ]
                ),
            ),
            Turn(
                "assistant",
                v2(
                    [
                        reasoning("Red banner at payment: usually 3-D Secure timing out or a blocked card."),
                        text(
                            "That banner means your bank's **3-D Secure** check didn't finish.\n\n"
                            "1. Open your banking app and approve the payment.\n"
                            "2. Press *Pay* again within 5 minutes.\n\n"
                            "If it keeps failing, try another card or PayPal."
                        ),
                    ]
                ),
                gap=11,
            ),
        ],
    )


def scenario_data_parts(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """Custom data-* parts and observational-memory markers."""
    order = order_id(rng)
    return Scenario(
        f"Delivery slot change for {order}",
        [
            Turn("user", v2([text(f"Can I move the delivery of {order} to Saturday morning?")])),
            Turn(
                "assistant",
                v2(
                    [
                        {
                            "type": "data-om-observation-start",
                            "data": {"cycleId": ids.hex(8), "tokens": 1840},
                        },
                        {
                            "type": "data-om-observation-end",
                            "data": {"cycleId": ids.hex(8), "observations": 3, "durationMs": 812},
                        },
                        {
                            "type": "data-delivery-slots",
                            "id": "slots-" + ids.hex(4),
                            "data": {
                                "orderId": order,
                                "slots": [
                                    {"day": "Saturday", "from": "08:00", "to": "10:00", "free": True},
                                    {"day": "Saturday", "from": "10:00", "to": "12:00", "free": False},
                                ],
                            },
                        },
                        text("Saturday 08:00–10:00 is free and now booked for you."),
                    ]
                ),
                gap=8,
            ),
        ],
    )


def scenario_recipe(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """A plain, long Markdown answer."""
    return Scenario(
        "Sourdough starter troubleshooting",
        [
            Turn("user", v2([text("My starter smells like nail polish remover. Is it dead?")])),
            Turn(
                "assistant",
                v2(
                    [
                        text(
                            "Not dead — **hungry**. That acetone smell means the yeast ran out of food.\n\n"
                            "- Discard all but 50 g\n- Feed 1:2:2 (starter:flour:water) twice a day\n"
                            "- Keep it at 24–26 °C\n\nIt should smell sweet and yeasty again in 2–3 days."
                        )
                    ]
                ),
                gap=6,
            ),
            Turn("user", v2([text("Can I use the discard for anything?")]), gap=600),
            Turn(
                "assistant",
                v2([text("Pancakes, crackers or *focaccia* — discard keeps a week in the fridge.")]),
                gap=5,
            ),
        ],
        agent="recipeAgent",
    )


def scenario_denied(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """Tool approval states: one denied by a human, one answered."""
    order = order_id(rng)
    cancel, status = ids.call(), ids.call()
    return Scenario(
        f"Cancel order {order}",
        [
            Turn("user", v2([text(f"Please cancel {order}, I ordered the wrong size.")])),
            Turn(
                "assistant",
                v2(
                    [
                        tool(
                            cancel,
                            "cancelOrder",
                            {"orderId": order},
                            state="output-denied",
                        )
                        | {"providerExecuted": False},
                        tool(status, "orderStatus", {"orderId": order}, result={"status": "packed"}),
                        text(
                            "The order is already packed, so I couldn't cancel it. Once it arrives you can "
                            "return it for free within 30 days."
                        ),
                    ]
                ),
                gap=12,
            ),
        ],
        agent="orderAgent",
    )


def scenario_legacy_v1_text(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """Mastra v1 rows: plain string content, row type "text"."""
    return Scenario(
        "Opening hours (imported from 2024)",
        [
            Turn("user", "Are you open on Sunday?", type="text"),
            Turn(
                "assistant",
                "Our online shop is always open; phone support is closed on Sundays.",
                type="text",
            ),
        ],
    )


def scenario_legacy_v1_tools(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """Mastra v1 rows: arrays of AI SDK v4 tool-call / tool-result parts, a "tool" role."""
    call = ids.call()
    sku, product, price = rng.choice(PRODUCTS)
    return Scenario(
        f"Stock check for {product} (imported from 2024)",
        [
            Turn("user", f"Is the {product} in stock?", type="text"),
            Turn(
                "assistant",
                [
                    {"type": "text", "text": "Let me check the warehouse."},
                    {"type": "tool-call", "toolCallId": call, "toolName": "checkStock", "args": {"sku": sku}},
                ],
                type="tool-call",
                gap=3,
            ),
            Turn(
                "tool",
                [
                    {
                        "type": "tool-result",
                        "toolCallId": call,
                        "toolName": "checkStock",
                        "result": {"sku": sku, "available": 14, "warehouse": "Leipzig"},
                    }
                ],
                type="tool-result",
                gap=1,
            ),
            Turn("assistant", f"Yes — 14 in stock, ships tomorrow for ${price:.2f}.", type="text", gap=2),
        ],
    )


def scenario_ai_v5(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """AI SDK v5 UIMessage content stored as is (no ``format``)."""
    call = ids.call()
    return Scenario(
        "Weather for outdoor pop-up stall",
        [
            Turn(
                "user", {"parts": [{"type": "text", "text": "Will it rain at our Porto pop-up on Saturday?"}]}
            ),
            Turn(
                "assistant",
                {
                    "parts": [
                        {"type": "step-start"},
                        {
                            "type": "reasoning",
                            "text": "Check the forecast for Porto, Saturday.",
                            "state": "done",
                        },
                        {
                            "type": "tool-getWeather",
                            "toolCallId": call,
                            "state": "output-available",
                            "input": {"city": "Porto", "date": "2026-01-10"},
                            "output": {"summary": "Light showers", "precipitationMm": 3.2, "highC": 14},
                        },
                        {
                            "type": "source-url",
                            "sourceId": "src_" + ids.hex(6),
                            "url": "https://weather.example/porto",
                            "title": "Porto forecast",
                        },
                        {
                            "type": "text",
                            "text": "Light showers (about 3 mm) — bring the canopy.",
                            "state": "done",
                        },
                    ],
                    "metadata": {"model": "gpt-4o-mini", "finishReason": "stop"},
                },
                gap=5,
            ),
        ],
        agent="recipeAgent",
    )


SCENARIOS: tuple[Callable[[random.Random, Ids, int], Scenario], ...] = (
    scenario_refund,
    scenario_code_help,
    scenario_tool_error,
    scenario_invoice,
    scenario_screenshot,
    scenario_data_parts,
    scenario_recipe,
    scenario_denied,
    scenario_legacy_v1_text,
    scenario_legacy_v1_tools,
    scenario_ai_v5,
)
