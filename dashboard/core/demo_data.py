"""Realistic demo data for a Mastra deployment: a retail support team's agents and workflows.

Everything is built from one ``random.Random(seed)``, so the same seed gives the same ids, titles,
messages, runs and scores; times are laid out backwards from ``now``. The records follow the shapes
Mastra itself writes (see /work/shared/reference/mastra-data-model.md): format-2 messages with every
part type plus the legacy formats old data still holds, Markdown and JSON working memory, workflow
snapshots for every run status, and full ``ScoreRowData`` rows.

``build_small()`` returns the whole data set (tests use it); ``write_small()`` and ``write_large()``
save through the store interface only, so they fill a SQLite file and a Convex deployment alike.
"""

from __future__ import annotations

import base64
import json
import random
import struct
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from storeclient.interface import Store
from storeclient.models import Message, Resource, Thread

Content = Any
Progress = Callable[[str, int, int], None]

# --- the cast ---------------------------------------------------------------------------------------

PEOPLE = [
    ("Dana", "Whitfield", "Portland, OR", "Pastry chef", "Sourdough, trail running"),
    ("Arjun", "Mehta", "Pune, India", "Data engineer", "Cricket, home espresso"),
    ("Sofia", "Lindqvist", "Malmö, Sweden", "Architect", "Cycling, ceramics"),
    ("Marcus", "Okafor", "Lagos, Nigeria", "Restaurant owner", "Jazz, smoking meats"),
    ("Keiko", "Tanaka", "Osaka, Japan", "Nurse", "Bonsai, baking"),
    ("Luis", "Ferreira", "Porto, Portugal", "Teacher", "Surfing, fermentation"),
    ("Hannah", "Brandt", "Leipzig, Germany", "Product designer", "Bouldering, film photography"),
    ("Omar", "Haddad", "Amman, Jordan", "Caterer", "Football, spice blends"),
    ("Priya", "Raman", "Austin, TX", "Software engineer", "Board games, smoothies"),
    ("Tom", "Gallagher", "Cork, Ireland", "Farmer", "Hurling, bread"),
]
PRODUCTS = [
    ("BLND-900", "ProBlend 900 blender", 84.50),
    ("KTL-210", "Gooseneck kettle", 39.00),
    ("MXR-5", "Stand mixer 5 qt", 249.00),
    ("SCL-01", "Precision kitchen scale", 24.90),
    ("ESP-2", "Dual-boiler espresso machine", 899.00),
    ("PAN-28", "Cast-iron skillet 28 cm", 54.00),
    ("KNF-8", "Chef's knife 8 inch", 119.00),
    ("FRM-40", "Fermentation crock 4 L", 64.00),
]
AGENTS = [
    ("supportAgent", "Support Agent"),
    ("orderAgent", "Order Assistant"),
    ("recipeAgent", "Recipe Helper"),
]
CHANNELS = ["web", "email", "whatsapp", "app"]
LOCALES = ["en-US", "en-GB", "de-DE", "pt-PT", "ja-JP", "sv-SE"]

DEFAULT_TEMPLATE = (
    "# User Information\n- **First Name**: \n- **Last Name**: \n- **Location**: \n- **Occupation**: \n"
    "- **Interests**: \n- **Goals**: \n- **Events**: \n- **Facts**: \n- **Projects**: \n"
)


def _png_data_uri(width: int, height: int, rgb: tuple[int, int, int]) -> str:
    """A small solid-colour PNG as a data: URI (what a pasted screenshot looks like in storage)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


SCREENSHOT_DATA_URI = _png_data_uri(24, 16, (214, 69, 65))


# --- data containers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoRun:
    workflow_name: str
    run_id: str
    snapshot: dict[str, Any]
    resource_id: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def status(self) -> str:
        return str(self.snapshot["status"])


@dataclass(frozen=True)
class DemoScore:
    payload: dict[str, Any]
    created_at: datetime


@dataclass
class DemoData:
    resources: list[Resource] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    runs: list[DemoRun] = field(default_factory=list)
    scores: list[DemoScore] = field(default_factory=list)


_UUID7_START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z, fixed so a seed gives the same ids


class Ids:
    """Deterministic ids from the seeded generator: random uuid4s like Mastra's ``randomUUID()``,
    or, with ``ordered=True``, ascending UUIDv7 ids (one millisecond apart from 2026-01-01).

    The large data set uses ordered ids: inserting a million random keys scatters writes over every
    page of the primary-key index, and made seeding the SQLite file 2.4x slower at 300k messages.
    Nothing in Mastra or the dashboard depends on ids being random.
    """

    def __init__(self, rng: random.Random, *, ordered: bool = False) -> None:
        self.rng = rng
        self.ordered = ordered
        self._next = _UUID7_START_MS

    def uuid(self) -> str:
        if not self.ordered:
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self._next += 1
        # 48-bit milliseconds | version 7 | 12 random bits | variant | 62 random bits
        value = (self._next << 80) | (0x7 << 76) | (self.rng.getrandbits(12) << 64) | (0b10 << 62)
        return str(uuid.UUID(int=value | self.rng.getrandbits(62)))

    def hex(self, length: int) -> str:
        return f"{self.rng.getrandbits(length * 4):0{length}x}"

    def call(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
        return "call_" + "".join(self.rng.choice(alphabet) for _ in range(8))


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _minute(now: datetime | None) -> datetime:
    moment = now or datetime.now(UTC)
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


# --- working memory ----------------------------------------------------------------------------------


def markdown_memory(person: tuple[str, str, str, str, str], goal: str, event: str, facts: str) -> str:
    first, last, location, occupation, interests = person
    return (
        "# User Information\n"
        f"- **First Name**: {first}\n- **Last Name**: {last}\n- **Location**: {location}\n"
        f"- **Occupation**: {occupation}\n- **Interests**: {interests}\n- **Goals**: {goal}\n"
        f"- **Events**: {event}\n- **Facts**: {facts}\n- **Projects**: \n"
    )


# --- message content -----------------------------------------------------------------------------------


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


def _order_id(rng: random.Random) -> str:
    return f"A-{rng.randint(10000, 19999)}"


def scenario_refund(rng: random.Random, ids: Ids, base: int) -> Scenario:
    """Tools with results, a call awaiting approval, an https image, reasoning, step boundaries."""
    sku, product, price = rng.choice(PRODUCTS)
    order = _order_id(rng)
    lookup, refund = ids.call(), ids.call()
    photo = f"https://cdn.acme-retail.example/uploads/{ids.hex(8)}/{sku.lower()}-damage.jpg"
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
                    [text(ask), {"type": "file", "mimeType": "image/jpeg", "data": photo}],
                    experimental_attachments=[{"url": photo, "contentType": "image/jpeg"}],
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
    order = _order_id(rng)
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
    order = _order_id(rng)
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
                        {"type": "file", "mimeType": "image/png", "data": SCREENSHOT_DATA_URI},
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
    order = _order_id(rng)
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
    order = _order_id(rng)
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


# --- workflows ---------------------------------------------------------------------------------------

REFUND_GRAPH = [
    {"type": "step", "step": {"id": "fetch-order", "description": "Load the order from the OMS"}},
    {
        "type": "parallel",
        "steps": [
            {"type": "step", "step": {"id": "check-fraud", "description": "Score the refund for fraud risk"}},
            {"type": "step", "step": {"id": "check-return-window"}},
        ],
    },
    {
        "type": "step",
        "step": {
            "id": "manager-approval",
            "description": "Human approval for refunds over $50",
            "canSuspend": True,
        },
    },
    {"type": "step", "step": {"id": "issue-refund", "description": "Refund through the payment provider"}},
]

CATALOG_GRAPH = [
    {"type": "step", "step": {"id": "fetch-changed-skus"}},
    {"type": "foreach", "step": {"id": "upsert-sku"}, "opts": {"concurrency": 4}},
    {"type": "sleep", "id": "cooldown", "duration": 2000},
    {
        "type": "conditional",
        "steps": [
            {"type": "step", "step": {"id": "notify-slack"}},
            {"type": "step", "step": {"id": "notify-email"}},
        ],
        "serializedConditions": [
            {"id": "notify-slack-condition", "fn": "async ({ inputData }) => inputData.failures > 0"},
            {"id": "notify-email-condition", "fn": "async () => true"},
        ],
    },
    {
        "type": "loop",
        "step": {"id": "poll-index-job"},
        "loopType": "dountil",
        "serializedCondition": {
            "id": "poll-index-job-condition",
            "fn": "async ({ inputData }) => inputData.done",
        },
    },
]

ONBOARDING_GRAPH = [
    {"type": "step", "step": {"id": "create-account"}},
    {
        "type": "step",
        "step": {
            "id": "welcome-sequence",
            "description": "Nested workflow: the welcome e-mails",
            "component": "WORKFLOW",
            "serializedStepFlow": [
                {"type": "step", "step": {"id": "send-welcome"}},
                {"type": "sleep", "id": "wait-a-day", "duration": 86_400_000},
                {"type": "step", "step": {"id": "send-tips"}},
            ],
        },
    },
    {"type": "sleepUntil", "id": "wait-for-launch", "date": "2026-02-01T09:00:00.000Z"},
    {
        "type": "step",
        "step": {"id": "assign-success-manager", "mapConfig": '{"accountId": {"step": "create-account"}}'},
    },
]

MODERATION_GRAPH = [
    {"type": "step", "step": {"id": "classify-review"}},
    {"type": "step", "step": {"id": "publish-review"}},
]

WORKFLOW_GRAPHS = {
    "refund-approval": REFUND_GRAPH,
    "catalog-sync": CATALOG_GRAPH,
    "customer-onboarding": ONBOARDING_GRAPH,
    "review-moderation": MODERATION_GRAPH,
}

#: (workflow, status) for the small data set: every run status at least once.
SMALL_RUNS: tuple[tuple[str, str], ...] = (
    ("refund-approval", "success"),
    ("refund-approval", "suspended"),
    ("refund-approval", "suspended"),
    ("refund-approval", "failed"),
    ("refund-approval", "canceled"),
    ("refund-approval", "running"),
    ("catalog-sync", "success"),
    ("catalog-sync", "failed"),
    ("catalog-sync", "waiting"),
    ("catalog-sync", "running"),
    ("catalog-sync", "paused"),
    ("customer-onboarding", "success"),
    ("customer-onboarding", "waiting"),
    ("customer-onboarding", "pending"),
    ("customer-onboarding", "bailed"),
    ("review-moderation", "success"),
    ("review-moderation", "tripwire"),
    ("review-moderation", "failed"),
    ("refund-approval", "success"),
    ("catalog-sync", "success"),
)


def _error(message: str, where: str, name: str = "Error") -> dict[str, Any]:
    return {
        "name": name,
        "message": message,
        "stack": f"{name}: {message}\n    at {where}\n    at async executeStep (node_modules/@mastra/core/dist/workflows/index.js:1412:24)",
    }


def _empty_state(run_id: str, status: str, start: int) -> dict[str, Any]:
    return {
        "runId": run_id,
        "status": status,
        "value": {},
        "context": {},
        "serializedStepGraph": [],
        "activePaths": [],
        "activeStepsPath": {},
        "suspendedPaths": {},
        "resumeLabels": {},
        "waitingPaths": {},
        "stepExecutionPath": [],
        "requestContext": {"tenantId": "acme-retail"},
        "timestamp": start,
    }


class StepClock:
    """Hands out realistic step timings (epoch ms) one after another."""

    def __init__(self, rng: random.Random, start: int) -> None:
        self.rng, self.now = rng, start

    def span(self, low: int = 40, high: int = 2_500) -> tuple[int, int]:
        started = self.now + self.rng.randint(2, 15)
        ended = started + self.rng.randint(low, high)
        self.now = ended
        return started, ended


def refund_snapshot(
    rng: random.Random, ids: Ids, run_id: str, status: str, start: int, customer: str
) -> dict[str, Any]:
    state = _empty_state(run_id, status, start)
    sku, product, price = rng.choice(PRODUCTS)
    order = _order_id(rng)
    clock = StepClock(rng, start)
    request = {"orderId": order, "customerId": customer, "reason": "arrived damaged", "amount": price}
    order_out = {
        "orderId": order,
        "sku": sku,
        "total": price,
        "currency": "USD",
        "deliveredAt": "2026-01-07T18:22:00.000Z",
    }
    ctx: dict[str, Any] = {"input": request}
    state["serializedStepGraph"] = REFUND_GRAPH
    path = state["stepExecutionPath"]

    if status == "pending":
        state["context"] = ctx
        return state
    s, e = clock.span()
    if status == "running" and rng.random() < 0.5:
        ctx["fetch-order"] = {"status": "running", "payload": request, "startedAt": s}
        state["activePaths"] = [0]
        state["activeStepsPath"] = {"fetch-order": [0]}
        path.append("fetch-order")
        state["context"] = ctx
        return state
    ctx["fetch-order"] = {
        "status": "success",
        "payload": request,
        "output": order_out,
        "startedAt": s,
        "endedAt": e,
    }
    path.append("fetch-order")
    if status == "canceled":
        state["context"] = ctx
        return state
    risk = round(rng.uniform(0.01, 0.3), 2)
    fs, fe = clock.span()
    ws, we = fs + 1, fs + rng.randint(30, 400)
    if status == "failed":
        ctx["check-fraud"] = {
            "status": "failed",
            "payload": order_out,
            "error": _error(
                "Fraud service returned HTTP 503", "scoreRefund (src/mastra/workflows/refund.ts:41:11)"
            ),
            "startedAt": fs,
            "endedAt": fe,
        }
        ctx["check-return-window"] = {
            "status": "success",
            "payload": order_out,
            "output": {"withinWindow": True, "daysSinceDelivery": 2},
            "startedAt": ws,
            "endedAt": we,
        }
        path += ["check-fraud", "check-return-window"]
        state["error"] = {"name": "Error", "message": "Fraud service returned HTTP 503"}
        state["context"] = ctx
        return state
    ctx["check-fraud"] = {
        "status": "success",
        "payload": order_out,
        "output": {"riskScore": risk, "flagged": False},
        "startedAt": fs,
        "endedAt": fe,
    }
    ctx["check-return-window"] = {
        "status": "success",
        "payload": order_out,
        "output": {"withinWindow": True, "daysSinceDelivery": 2},
        "startedAt": ws,
        "endedAt": we,
    }
    path += ["check-fraud", "check-return-window"]
    approval_payload = {
        "check-fraud": {"riskScore": risk, "flagged": False},
        "check-return-window": {"withinWindow": True, "daysSinceDelivery": 2},
    }
    ask = {
        "message": f"Refund of ${price:.2f} exceeds the $50 auto-approve limit",
        "requestedBy": "supportAgent",
    }
    as_, _ = clock.span(5, 30)
    path.append("manager-approval")
    if status == "suspended":
        ctx["manager-approval"] = {
            "status": "suspended",
            "payload": approval_payload,
            "suspendPayload": ask,
            "startedAt": as_,
            "suspendedAt": as_ + 15,
        }
        state["suspendedPaths"] = {"manager-approval": [2]}
        state["resumeLabels"] = {"approve": {"stepId": "manager-approval"}}
        state["context"] = ctx
        return state
    if status == "running":
        ctx["manager-approval"] = {"status": "running", "payload": approval_payload, "startedAt": as_}
        state["activePaths"] = [2]
        state["activeStepsPath"] = {"manager-approval": [2]}
        state["context"] = ctx
        return state
    resumed = as_ + rng.randint(60_000, 3_600_000)
    decision = {"approved": True, "approver": "maria.k@acme-retail.example", "note": "Photo confirms damage"}
    ctx["manager-approval"] = {
        "status": "success",
        "payload": approval_payload,
        "suspendPayload": ask,
        "resumePayload": decision,
        "output": decision,
        "startedAt": as_,
        "suspendedAt": as_ + 15,
        "resumedAt": resumed,
        "endedAt": resumed + 20,
    }
    clock.now = resumed + 20
    rs, re_ = clock.span(300, 1_800)
    refund_out = {"refundId": "re_" + ids.hex(12), "amount": price, "currency": "USD", "status": "succeeded"}
    ctx["issue-refund"] = {
        "status": "success",
        "payload": decision,
        "output": refund_out,
        "startedAt": rs,
        "endedAt": re_,
    }
    path.append("issue-refund")
    state["result"] = refund_out
    state["timestamp"] = re_
    state["context"] = ctx
    return state


def catalog_snapshot(rng: random.Random, ids: Ids, run_id: str, status: str, start: int) -> dict[str, Any]:
    state = _empty_state(run_id, status, start)
    state["serializedStepGraph"] = CATALOG_GRAPH
    state["value"] = {"processed": 0}
    since = "2026-01-08T00:00:00.000Z"
    skus = [{"sku": sku, "price": price} for sku, _, price in rng.sample(PRODUCTS, 4)]
    clock = StepClock(rng, start)
    path = state["stepExecutionPath"]
    ctx: dict[str, Any] = {"input": {"since": since}}
    s, e = clock.span(500, 2_000)
    ctx["fetch-changed-skus"] = {
        "status": "success",
        "payload": {"since": since},
        "output": skus,
        "startedAt": s,
        "endedAt": e,
    }
    path.append("fetch-changed-skus")
    us, ue = clock.span(800, 4_000)
    if status == "failed":
        ctx["upsert-sku"] = {
            "status": "failed",
            "payload": skus,
            "error": _error(
                "Shopify Admin API 429: rate limit exceeded",
                "upsertSku (src/mastra/workflows/catalog-sync.ts:58:13)",
            ),
            "startedAt": us,
            "endedAt": ue,
        }
        path.append("upsert-sku")
        state["error"] = {"name": "Error", "message": "Shopify Admin API 429: rate limit exceeded"}
        state["context"] = ctx
        return state
    if status == "running":
        ctx["upsert-sku"] = {
            "status": "running",
            "payload": skus,
            "output": [{"ok": True}, {"ok": True}, None, None],
            "startedAt": us,
        }
        state["activePaths"] = [1]
        state["activeStepsPath"] = {"upsert-sku": [1]}
        state["value"] = {"processed": 2}
        path.append("upsert-sku")
        state["context"] = ctx
        return state
    ctx["upsert-sku"] = {
        "status": "success",
        "payload": skus,
        "output": [{"ok": True} for _ in skus],
        "startedAt": us,
        "endedAt": ue,
    }
    state["value"] = {"processed": len(skus)}
    path.append("upsert-sku")
    cs = clock.now + 3
    if status == "waiting":
        ctx["cooldown"] = {"status": "waiting", "payload": [{"ok": True} for _ in skus], "startedAt": cs}
        state["waitingPaths"] = {"cooldown": [2]}
        path.append("cooldown")
        state["context"] = ctx
        return state
    ctx["cooldown"] = {
        "status": "success",
        "payload": [{"ok": True} for _ in skus],
        "output": [{"ok": True} for _ in skus],
        "startedAt": cs,
        "endedAt": cs + 2000,
    }
    clock.now = cs + 2000
    path.append("cooldown")
    ns, ne = clock.span(100, 600)
    ctx["notify-email"] = {
        "status": "success",
        "payload": {"failures": 0},
        "output": {"sent": True, "to": "catalog@acme-retail.example"},
        "startedAt": ns,
        "endedAt": ne,
    }
    path.append("notify-email")
    ps, pe = clock.span(1_000, 6_000)
    if status == "paused":
        ctx["poll-index-job"] = {
            "status": "paused",
            "payload": {"jobId": "idx_" + ids.hex(6)},
            "startedAt": ps,
        }
        path.append("poll-index-job")
        state["context"] = ctx
        return state
    ctx["poll-index-job"] = {
        "status": "success",
        "payload": {"jobId": "idx_" + ids.hex(6)},
        "output": {"done": True, "attempts": rng.randint(2, 5), "indexed": len(skus)},
        "startedAt": ps,
        "endedAt": pe,
    }
    path.append("poll-index-job")
    state["result"] = {"processed": len(skus), "indexed": len(skus)}
    state["timestamp"] = pe
    state["context"] = ctx
    return state


def onboarding_snapshot(
    rng: random.Random, ids: Ids, run_id: str, status: str, start: int, customer: str
) -> dict[str, Any]:
    state = _empty_state(run_id, status, start)
    state["serializedStepGraph"] = ONBOARDING_GRAPH
    clock = StepClock(rng, start)
    path = state["stepExecutionPath"]
    email = f"{customer.replace('user_', 'u')}@mail.example"
    ctx: dict[str, Any] = {
        "input": {"customerId": customer, "email": email, "plan": rng.choice(["free", "pro"])}
    }
    if status == "pending":
        state["context"] = ctx
        return state
    s, e = clock.span(200, 900)
    account = {"accountId": "acct_" + ids.hex(10), "email": email}
    ctx["create-account"] = {
        "status": "success",
        "payload": ctx["input"],
        "output": account,
        "startedAt": s,
        "endedAt": e,
    }
    path.append("create-account")
    if status == "bailed":
        # The customer already had an account: the step bailed out with a result, ending the run early.
        state["result"] = {"skipped": True, "reason": "account already onboarded"}
        state["context"] = ctx
        return state
    ws, we = clock.span(1_000, 3_000)
    nested = {"sent": ["welcome", "tips"], "opened": rng.random() < 0.6}
    ctx["welcome-sequence"] = {
        "status": "success",
        "payload": account,
        "output": nested,
        "startedAt": ws,
        "endedAt": we,
    }
    path.append("welcome-sequence")
    ls = clock.now + 5
    if status == "waiting":
        ctx["wait-for-launch"] = {"status": "waiting", "payload": nested, "startedAt": ls}
        state["waitingPaths"] = {"wait-for-launch": [2]}
        path.append("wait-for-launch")
        state["context"] = ctx
        return state
    ctx["wait-for-launch"] = {
        "status": "success",
        "payload": nested,
        "output": nested,
        "startedAt": ls,
        "endedAt": ls + 40_000,
    }
    clock.now = ls + 40_000
    path.append("wait-for-launch")
    ms, me = clock.span(100, 400)
    manager = {"accountId": account["accountId"], "manager": rng.choice(["Maria K.", "Jonas P.", "Aiko S."])}
    ctx["assign-success-manager"] = {
        "status": "success",
        "payload": {"accountId": account["accountId"]},
        "output": manager,
        "startedAt": ms,
        "endedAt": me,
    }
    path.append("assign-success-manager")
    state["result"] = manager
    state["timestamp"] = me
    state["context"] = ctx
    return state


def moderation_snapshot(rng: random.Random, ids: Ids, run_id: str, status: str, start: int) -> dict[str, Any]:
    state = _empty_state(run_id, status, start)
    state["serializedStepGraph"] = MODERATION_GRAPH
    clock = StepClock(rng, start)
    path = state["stepExecutionPath"]
    review = {
        "reviewId": "rev_" + ids.hex(8),
        "sku": rng.choice(PRODUCTS)[0],
        "stars": rng.randint(1, 5),
        "text": "Works great, but the lid rattles at full speed.",
    }
    ctx: dict[str, Any] = {"input": review}
    s, e = clock.span(300, 1_500)
    if status == "tripwire":
        trip = {
            "reason": "Review contains a customer's phone number (PII)",
            "retry": False,
            "metadata": {"detector": "pii", "matches": 1},
            "processorId": "pii-detector",
        }
        ctx["classify-review"] = {
            "status": "failed",
            "payload": review,
            "tripwire": trip,
            "startedAt": s,
            "endedAt": e,
        }
        state["tripwire"] = trip
        path.append("classify-review")
        state["context"] = ctx
        return state
    if status == "failed":
        ctx["classify-review"] = {
            "status": "failed",
            "payload": review,
            # Older Mastra versions stored step errors as plain strings.
            "error": "Error: model returned invalid JSON for schema ReviewLabel",
            "startedAt": s,
            "endedAt": e,
        }
        state["error"] = "Error: model returned invalid JSON for schema ReviewLabel"
        path.append("classify-review")
        state["context"] = ctx
        return state
    label = {"label": "ok", "confidence": round(rng.uniform(0.8, 0.99), 2)}
    ctx["classify-review"] = {
        "status": "success",
        "payload": review,
        "output": label,
        "startedAt": s,
        "endedAt": e,
    }
    ps, pe = clock.span(50, 300)
    ctx["publish-review"] = {
        "status": "success",
        "payload": label,
        "output": {"published": True},
        "startedAt": ps,
        "endedAt": pe,
    }
    path += ["classify-review", "publish-review"]
    state["result"] = {"published": True}
    state["timestamp"] = pe
    state["context"] = ctx
    return state


def build_run(
    rng: random.Random, ids: Ids, workflow: str, status: str, created: datetime, customer: str
) -> DemoRun:
    run_id = ids.uuid()
    start = _ms(created)
    if workflow == "refund-approval":
        snapshot = refund_snapshot(rng, ids, run_id, status, start, customer)
    elif workflow == "catalog-sync":
        snapshot = catalog_snapshot(rng, ids, run_id, status, start)
    elif workflow == "customer-onboarding":
        snapshot = onboarding_snapshot(rng, ids, run_id, status, start, customer)
    else:
        snapshot = moderation_snapshot(rng, ids, run_id, status, start)
    ends = [
        step.get("endedAt") or step.get("suspendedAt") or step.get("startedAt") or start
        for key, step in snapshot["context"].items()
        if key != "input" and isinstance(step, dict)
    ]
    updated = datetime.fromtimestamp(max([start, *ends]) / 1000, tz=UTC)
    snapshot["timestamp"] = _ms(updated)
    resource = customer if workflow in ("refund-approval", "customer-onboarding") else None
    return DemoRun(workflow, run_id, snapshot, resource, created, updated)


# --- scores --------------------------------------------------------------------------------------------

SCORERS = {
    "answer-relevancy-scorer": {
        "id": "answer-relevancy-scorer",
        "name": "Answer Relevancy",
        "description": "How relevant the answer is to the user's request",
        "hasJudge": True,
    },
    "toxicity-scorer": {
        "id": "toxicity-scorer",
        "name": "Toxicity",
        "description": "How toxic or disrespectful the answer is (0 = not at all)",
        "hasJudge": True,
    },
    "refund-policy-compliance": {
        "id": "refund-policy-compliance",
        "name": "Refund policy compliance",
        "description": "Whether a refund run followed the approval policy (1 = compliant)",
        "hasJudge": False,
    },
}


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 3)


def relevancy_value(rng: random.Random, days_ago: float) -> float:
    # A visible dip 10-14 days ago (a prompt change that was rolled back), otherwise ~0.82.
    mean = 0.62 if 10 <= days_ago <= 14 else 0.82
    return _clamp(rng.gauss(mean, 0.11))


def toxicity_value(rng: random.Random) -> float:
    return _clamp(rng.uniform(0.2, 0.7)) if rng.random() < 0.04 else _clamp(abs(rng.gauss(0, 0.03)))


def agent_score(
    rng: random.Random,
    ids: Ids,
    scorer_id: str,
    created: datetime,
    now: datetime,
    thread: Thread | None,
    ask: str,
    answer: str,
) -> DemoScore:
    agent_id, agent_name = rng.choice(AGENTS)
    days_ago = (now - created).total_seconds() / 86400
    at = created - timedelta(seconds=rng.randint(5, 90))
    messages_in = [
        {
            "id": ids.uuid(),
            "role": "user",
            "createdAt": at.isoformat().replace("+00:00", "Z"),
            "content": {"format": 2, "parts": [{"type": "text", "text": ask}]},
        }
    ]
    messages_out = [
        {
            "id": ids.uuid(),
            "role": "assistant",
            "createdAt": (at + timedelta(seconds=3)).isoformat().replace("+00:00", "Z"),
            "content": {"format": 2, "parts": [{"type": "text", "text": answer}]},
        }
    ]
    payload: dict[str, Any] = {
        "scorerId": scorer_id,
        "scorer": SCORERS[scorer_id],
        "entityId": agent_id,
        "entityType": "AGENT",
        "entity": {"id": agent_id, "name": agent_name},
        "runId": ids.uuid(),
        "source": "TEST" if rng.random() < 0.15 else "LIVE",
        "input": {
            "inputMessages": messages_in,
            "rememberedMessages": [],
            "systemMessages": [
                {"role": "system", "content": f"You are Acme's {agent_name.lower()}. Be concise and kind."}
            ],
            "taggedSystemMessages": {},
        },
        "output": messages_out,
        "traceId": ids.hex(32),
        "spanId": ids.hex(16),
        "requestContext": {"tenantId": "acme-retail"},
        "metadata": {"sampling": {"type": "ratio", "rate": 0.25}},
    }
    if thread is not None:
        payload["threadId"] = thread.id
        payload["resourceId"] = thread.resource_id
    statements = [s.strip() + "." for s in answer.replace("\n", " ").split(".") if s.strip()][:4] or [answer]
    if scorer_id == "answer-relevancy-scorer":
        value = relevancy_value(rng, days_ago)
        verdicts = [
            rng.choice(["yes", "yes", "yes", "unsure", "no"]) if value < 0.7 else "yes" for _ in statements
        ]
        payload |= {
            "score": value,
            "preprocessPrompt": "Given the text, break it down into meaningful statements while preserving context.",
            "preprocessStepResult": {"statements": statements},
            "analyzePrompt": "Evaluate each statement's relevance to the input question. Answer yes, no or unsure.",
            "analyzeStepResult": {
                "results": [
                    {
                        "result": v,
                        "reason": f"Statement {i + 1} {'addresses' if v == 'yes' else 'drifts from'} the request",
                    }
                    for i, v in enumerate(verdicts)
                ]
            },
            "generateReasonPrompt": "Explain the relevancy score in one sentence.",
            "reason": f"The score is {value:.2f} because "
            + (
                "the reply answers the request directly."
                if value >= 0.7
                else "parts of the reply drift away from what was asked."
            ),
        }
    else:
        value = toxicity_value(rng)
        payload |= {
            "score": value,
            "analyzePrompt": "For each statement, decide whether it is toxic, insulting or dismissive.",
            "analyzeStepResult": {
                "verdicts": [
                    {
                        "verdict": "no" if value < 0.2 else rng.choice(["no", "yes"]),
                        "reason": "Polite and factual",
                    }
                    for _ in statements
                ]
            },
            "generateReasonPrompt": "Explain the toxicity score in one sentence.",
            "reason": f"The score is {value:.2f} because "
            + (
                "the reply is polite and factual."
                if value < 0.2
                else "one sentence reads as dismissive of the customer."
            ),
        }
    return DemoScore(payload, created)


def workflow_score(rng: random.Random, ids: Ids, created: datetime, run: DemoRun | None) -> DemoScore:
    compliant = rng.random() > 0.12
    run_id = run.run_id if run else ids.uuid()
    amount = round(rng.uniform(20, 400), 2)
    payload: dict[str, Any] = {
        "scorerId": "refund-policy-compliance",
        "scorer": SCORERS["refund-policy-compliance"],
        "entityId": "refund-approval",
        "entityType": "WORKFLOW",
        "entity": {"id": "refund-approval", "name": "refund-approval"},
        "runId": run_id,
        "source": "TEST" if rng.random() < 0.1 else "LIVE",
        "input": {"orderId": _order_id(rng), "amount": amount, "reason": "arrived damaged"},
        "output": {"refundId": "re_" + ids.hex(12), "amount": amount, "approved": True},
        "score": 1.0 if compliant else 0.0,
        "preprocessStepResult": {
            "amount": amount,
            "approvalRequired": amount > 50,
            "approvalPresent": compliant or amount <= 50,
        },
        "analyzeStepResult": {"rule": "refunds over $50 need a manager approval", "passed": compliant},
        "reason": "Approval recorded before the refund."
        if compliant
        else f"A ${amount:.2f} refund was issued without a manager approval.",
        "traceId": ids.hex(32),
        "metadata": {"policyVersion": "2025-11"},
    }
    if run and run.resource_id:
        payload["resourceId"] = run.resource_id
    return DemoScore(payload, created)


# --- small data set ------------------------------------------------------------------------------------


def build_small(
    seed: int = 0, now: datetime | None = None, *, threads: int = 30, scores_per_scorer: int = 120
) -> DemoData:
    """~8 resources, ``threads`` threads covering every message part type and legacy format, 20
    workflow runs covering every status, and 3 scorers with ``scores_per_scorer`` scores each over the
    last 30 days."""
    rng = random.Random(seed)
    ids = Ids(rng)
    anchor = _minute(now)
    data = DemoData()

    people = PEOPLE[:8]
    resource_ids = [f"user_{ids.hex(6)}" for _ in people]
    goals = [
        (
            "Replace the cracked blender before Saturday's catering job",
            "Order A-10492 arrived damaged",
            "Prefers email over SMS; Pro plan since 2024",
        ),
        (
            "Automate order exports into the data warehouse",
            "Asked about the Orders API",
            "Works in IST; writes Python",
        ),
        ("Furnish the studio kitchen", "Bought a stand mixer in December", "Vegetarian"),
        ("Open a second restaurant in Ikeja", "Bulk order for 12 skillets", "Pays by invoice, net 30"),
        ("Bake for the ward's holiday party", "Asked about sourdough starters", "Prefers short answers"),
        ("Run a pop-up stall in Porto", "Checked the weekend weather", "Speaks Portuguese and English"),
    ]
    for index, (person, resource_id) in enumerate(zip(people, resource_ids, strict=True)):
        created = anchor - timedelta(days=rng.randint(60, 400), minutes=rng.randint(0, 1440))
        updated = anchor - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 1440))
        metadata = {
            "plan": rng.choice(["free", "pro", "business"]),
            "crmId": "0035e0000" + ids.hex(6).upper(),
        }
        if index < len(goals) - 2:
            memory: str | None = markdown_memory(person, *goals[index])
        elif index < len(goals):
            # Schema mode: Mastra stores the JSON text of the object.
            memory = json.dumps(
                {
                    "name": f"{person[0]} {person[1]}",
                    "preferredContact": "email",
                    "timezone": rng.choice(["Asia/Kolkata", "Europe/Lisbon"]),
                    "openOrders": [_order_id(rng)],
                    "preferences": {"language": "en", "tone": "concise"},
                },
                separators=(",", ":"),
            )
        elif index == len(goals):
            memory = DEFAULT_TEMPLATE  # the untouched template: memory enabled, nothing learned yet
        else:
            memory = None  # resource-scoped memory never used: working memory lives on the threads
        data.resources.append(Resource(resource_id, created, updated, memory, metadata))

    thread_scoped = {resource_ids[-1]}
    for index in range(threads):
        scenario_fn = SCENARIOS[index % len(SCENARIOS)]
        resource_id = resource_ids[index % len(resource_ids)]
        end = (
            anchor - timedelta(minutes=rng.randint(3, 60 * 24 * 21))
            if index
            else anchor - timedelta(minutes=4)
        )
        thread_id = ids.uuid()
        base = _ms(end) - 600_000
        scenario = scenario_fn(rng, ids, base)
        turns = scenario.turns
        total_gap = sum(turn.gap for turn in turns)
        moment = end - timedelta(seconds=total_gap)
        messages = []
        for turn in turns:
            moment += timedelta(seconds=turn.gap, milliseconds=rng.randint(0, 999))
            messages.append(
                Message(ids.uuid(), thread_id, turn.role, moment, turn.content, resource_id, turn.type)
            )
        metadata: dict[str, Any] = {
            "agentId": scenario.agent,
            "channel": rng.choice(CHANNELS),
            "locale": rng.choice(LOCALES),
        }
        if resource_id in thread_scoped:
            person = people[resource_ids.index(resource_id)]
            metadata["workingMemory"] = markdown_memory(
                person,
                "Get a refund for a late delivery",
                scenario.title,
                "Thread-scoped memory (older Mastra default)",
            )
        elif index == 5:
            metadata["workingMemory"] = '{"topic":"delivery","slotRequested":"Saturday 08:00"}'
        data.threads.append(
            Thread(
                thread_id,
                resource_id,
                scenario.title,
                messages[0].created_at,
                messages[-1].created_at,
                metadata,
            )
        )
        data.messages.extend(messages)

    for workflow, status in SMALL_RUNS:
        created = anchor - timedelta(minutes=rng.randint(2, 60 * 24 * 14))
        if status in ("running", "waiting", "suspended", "pending", "paused"):
            created = anchor - timedelta(minutes=rng.randint(2, 600))
        data.runs.append(build_run(rng, ids, workflow, status, created, rng.choice(resource_ids)))

    data.scores.extend(build_scores(rng, ids, anchor, data, scores_per_scorer))
    return data


def _ask_and_answer(thread_messages: Sequence[Message]) -> tuple[str, str]:
    from storeclient.messages import message_text

    ask = next((message_text(m.content) for m in thread_messages if m.role == "user"), "")
    answer = next(
        (
            message_text(m.content)
            for m in thread_messages
            if m.role == "assistant" and message_text(m.content)
        ),
        "",
    )
    return ask or "Where is my order?", answer or "It ships tomorrow."


def build_scores(
    rng: random.Random, ids: Ids, anchor: datetime, data: DemoData, per_scorer: int
) -> Iterator[DemoScore]:
    by_thread: dict[str, list[Message]] = {}
    for message in data.messages:
        by_thread.setdefault(message.thread_id, []).append(message)
    refund_runs = [run for run in data.runs if run.workflow_name == "refund-approval"]
    for scorer_id in SCORERS:
        for _ in range(per_scorer):
            created = anchor - timedelta(seconds=rng.randint(60, 30 * 86400))
            if scorer_id == "refund-policy-compliance":
                yield workflow_score(rng, ids, created, rng.choice(refund_runs) if refund_runs else None)
                continue
            thread = rng.choice(data.threads) if data.threads else None
            ask, answer = _ask_and_answer(by_thread.get(thread.id, []) if thread else [])
            yield agent_score(rng, ids, scorer_id, created, anchor, thread, ask, answer)


# --- writing ---------------------------------------------------------------------------------------------

MESSAGE_BATCH = 250


def write_data(store: Store, data: DemoData, progress: Progress | None = None) -> None:
    """Save everything through the store interface."""
    report = progress or (lambda _what, _done, _total: None)
    for i, resource in enumerate(data.resources, 1):
        store.memory.save_resource(resource)
        report("resources", i, len(data.resources))
    # Messages before their threads: save_messages bumps a thread's updatedAt to "now" (as Mastra
    # does), and saving the thread afterwards sets the story's times with one write per thread.
    for start in range(0, len(data.messages), MESSAGE_BATCH):
        batch = data.messages[start : start + MESSAGE_BATCH]
        store.memory.save_messages(batch)
        report("messages", start + len(batch), len(data.messages))
    for i, thread in enumerate(data.threads, 1):
        store.memory.save_thread(thread)
        report("threads", i, len(data.threads))
    for i, run in enumerate(data.runs, 1):
        store.workflows.persist_workflow_snapshot(
            run.workflow_name,
            run.run_id,
            run.snapshot,
            resource_id=run.resource_id,
            created_at=run.created_at,
            updated_at=run.updated_at,
        )
        report("workflow runs", i, len(data.runs))
    for i, score in enumerate(data.scores, 1):
        store.scores.save_score(score.payload, created_at=score.created_at)
        report("scores", i, len(data.scores))


def write_small(
    store: Store, seed: int = 0, now: datetime | None = None, progress: Progress | None = None
) -> DemoData:
    data = build_small(seed, now)
    write_data(store, data, progress)
    return data


# --- large data set ----------------------------------------------------------------------------------

LARGE_RESOURCES = 5_000
LARGE_THREADS = 100_000
LARGE_MESSAGES = 1_000_000
#: One thread this long, to try paging through a very long conversation.
LARGE_LONGEST_THREAD = 20_000
LARGE_RUNS = 2_000
LARGE_SCORES = 100_000
LARGE_CHUNK = 500

_LARGE_ASKS = [
    "Where is my order {order}?",
    "Can I change the delivery address for {order}?",
    "The {product} I got is missing a part.",
    "Do you ship the {product} to Norway?",
    "How do I descale the {product}?",
    "I was charged twice for {order}.",
    "Is there a discount on the {product} this week?",
]
_LARGE_ANSWERS = [
    "Order {order} left our warehouse yesterday and should arrive within **2 days**.",
    "Done — {order} will now go to the new address. You'll get a confirmation e-mail.",
    "Sorry about that! I've sent the missing part for your {product}; it ships today.",
    "Yes, we ship the {product} to Norway. Delivery takes 4–6 working days.",
    "Run a descaling cycle every 2 months:\n\n1. Fill with 1:1 water and vinegar\n2. Run half\n3. Wait 30 min, then finish and rinse twice.",
    "I see two charges for {order}; one is a pre-authorisation and disappears within 3 days.",
    "The {product} is **15% off** until Sunday with code `WINTER15`.",
]


def _large_counts(rng: random.Random) -> list[int]:
    """Messages per thread: the longest first, the rest 4-16 each, adding up to LARGE_MESSAGES."""
    rest = [rng.randint(4, 16) for _ in range(LARGE_THREADS - 1)]
    diff = LARGE_MESSAGES - LARGE_LONGEST_THREAD - sum(rest)
    step = 1 if diff > 0 else -1
    while diff:
        i = rng.randrange(len(rest))
        if 2 <= rest[i] + step <= 30:
            rest[i] += step
            diff -= step
    return [LARGE_LONGEST_THREAD, *rest]


def _large_turn(
    rng: random.Random, ids: Ids, role: str, order: str, product: str, at: int
) -> tuple[Content, str]:
    pick = rng.randrange(len(_LARGE_ASKS))
    if role == "user":
        body = _LARGE_ASKS[pick].format(order=order, product=product)
        if rng.random() < 0.01:
            return body, "text"  # a legacy v1 row
        return {"format": 2, "parts": [{"type": "text", "text": body}], "content": body}, "v2"
    body = _LARGE_ANSWERS[pick].format(order=order, product=product)
    parts: list[dict[str, Any]] = [{"type": "step-start"}]
    if rng.random() < 0.3:
        parts.append(
            tool(
                ids.call(),
                "lookupOrder",
                {"orderId": order},
                result={"orderId": order, "status": "shipped"},
                at=at,
            )
        )
    parts.append({"type": "text", "text": body})
    return {"format": 2, "parts": parts, "content": body}, "v2"


def write_large(
    store: Store, seed: int = 0, now: datetime | None = None, progress: Progress | None = None
) -> None:
    """100k threads with 1M messages (one thread of 20k), 5k resources, 2k runs and 100k scores,
    written in chunks so memory stays flat."""
    report = progress or (lambda _what, _done, _total: None)
    rng = random.Random(seed)
    ids = Ids(rng, ordered=True)
    anchor = _minute(now)

    resource_ids = [f"user_{ids.hex(8)}" for _ in range(LARGE_RESOURCES)]
    for i, resource_id in enumerate(resource_ids, 1):
        person = PEOPLE[i % len(PEOPLE)]
        memory = (
            markdown_memory(
                person, "Get orders delivered on time", "Several orders in 2026", "Prefers e-mail"
            )
            if i % 5
            else None
        )
        created = anchor - timedelta(days=rng.randint(90, 700))
        store.memory.save_resource(
            Resource(
                resource_id,
                created,
                anchor - timedelta(days=rng.randint(0, 90)),
                memory,
                {"plan": "pro" if i % 3 else "free"},
            )
        )
        if i % LARGE_CHUNK == 0 or i == LARGE_RESOURCES:
            report("resources", i, LARGE_RESOURCES)

    counts = _large_counts(rng)
    messages_done = 0
    thread_ids: list[tuple[str, str]] = []
    for chunk_start in range(0, LARGE_THREADS, LARGE_CHUNK):
        chunk_threads: list[Thread] = []
        chunk_messages: list[Message] = []
        for index in range(chunk_start, min(chunk_start + LARGE_CHUNK, LARGE_THREADS)):
            thread_id, resource_id = ids.uuid(), rng.choice(resource_ids)
            sku, product, _ = rng.choice(PRODUCTS)
            order = _order_id(rng)
            count = counts[index]
            # The longest thread spans ten days of a shared support inbox; others a few minutes.
            spacing = 43 if index == 0 else rng.randint(8, 120)
            end = (
                anchor - timedelta(minutes=rng.randint(1, 90 * 24 * 60))
                if index
                else anchor - timedelta(minutes=1)
            )
            moment = end - timedelta(seconds=spacing * count)
            for n in range(count):
                moment += timedelta(seconds=spacing, milliseconds=rng.randint(0, 999))
                role = "user" if n % 2 == 0 else "assistant"
                content, kind = _large_turn(rng, ids, role, order, product, _ms(moment))
                chunk_messages.append(
                    Message(ids.uuid(), thread_id, role, moment, content, resource_id, kind)
                )
            title = f"{product} — order {order}" if index else "Shared support inbox (20,000 messages)"
            first, last = chunk_messages[-count].created_at, chunk_messages[-1].created_at
            chunk_threads.append(
                Thread(
                    thread_id,
                    resource_id,
                    title,
                    first,
                    last,
                    {"agentId": rng.choice(AGENTS)[0], "channel": rng.choice(CHANNELS)},
                )
            )
            thread_ids.append((thread_id, resource_id))
        for start in range(0, len(chunk_messages), MESSAGE_BATCH):
            batch = chunk_messages[start : start + MESSAGE_BATCH]
            store.memory.save_messages(batch)
            messages_done += len(batch)
            report("messages", messages_done, LARGE_MESSAGES)
        for thread in chunk_threads:  # after the messages: see write_data
            store.memory.save_thread(thread)

    weights = {
        "success": 70,
        "failed": 10,
        "suspended": 5,
        "running": 4,
        "waiting": 3,
        "canceled": 3,
        "tripwire": 1,
        "pending": 2,
        "bailed": 1,
        "paused": 1,
    }
    statuses, status_weights = list(weights), list(weights.values())
    workflows = list(WORKFLOW_GRAPHS)
    for i in range(1, LARGE_RUNS + 1):
        workflow = workflows[i % len(workflows)]
        status = rng.choices(statuses, status_weights)[0]
        if workflow == "review-moderation" and status not in ("success", "failed", "tripwire"):
            status = "success"
        if workflow == "catalog-sync" and status in (
            "suspended",
            "canceled",
            "bailed",
            "pending",
            "tripwire",
        ):
            status = "success"
        created = anchor - timedelta(minutes=rng.randint(1, 60 * 24 * 60))
        run = build_run(rng, ids, workflow, status, created, rng.choice(resource_ids))
        store.workflows.persist_workflow_snapshot(
            run.workflow_name,
            run.run_id,
            run.snapshot,
            resource_id=run.resource_id,
            created_at=run.created_at,
            updated_at=run.updated_at,
        )
        if i % 100 == 0:
            report("workflow runs", i, LARGE_RUNS)

    scorer_ids = list(SCORERS)
    for i in range(1, LARGE_SCORES + 1):
        scorer_id = scorer_ids[i % len(scorer_ids)]
        created = anchor - timedelta(seconds=rng.randint(60, 30 * 86400))
        if scorer_id == "refund-policy-compliance":
            score = workflow_score(rng, ids, created, None)
        else:
            thread_id, resource_id = rng.choice(thread_ids)
            sku, product, _ = rng.choice(PRODUCTS)
            pick = rng.randrange(len(_LARGE_ASKS))
            order = _order_id(rng)
            thread = Thread(thread_id, resource_id, "", created, created)
            score = agent_score(
                rng,
                ids,
                scorer_id,
                created,
                anchor,
                thread,
                _LARGE_ASKS[pick].format(order=order, product=product),
                _LARGE_ANSWERS[pick].format(order=order, product=product),
            )
        store.scores.save_score(score.payload, created_at=score.created_at)
        if i % 1000 == 0:
            report("scores", i, LARGE_SCORES)
