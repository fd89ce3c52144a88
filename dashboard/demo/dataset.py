"""Realistic demo data for a Mastra deployment: a retail support team's agents and workflows.

Everything is built from one ``random.Random(seed)``, so the same seed gives the same ids, titles,
messages, runs and scores; times are laid out backwards from ``now``. The records follow the shapes
Mastra itself writes, so every page meets what a real deployment holds: format-2 messages with every
part type plus the legacy formats old data still holds (``conversations``), Markdown and JSON working
memory, workflow snapshots for every run status (``runs``), and full ``ScoreRowData`` rows (``scores``).

``build_small()`` returns the whole data set (tests use it); ``write_small()`` and ``write_large()``
save through the store interface only, so they fill a SQLite file and a Convex deployment alike.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from storeclient.interface import Store
from storeclient.models import Message, Resource, Thread

from .cast import (
    AGENTS,
    CHANNELS,
    DEFAULT_TEMPLATE,
    LOCALES,
    PEOPLE,
    PRODUCTS,
    Ids,
    epoch_ms,
    markdown_memory,
    order_id,
    whole_minute,
)
from .conversations import SCENARIOS, Content, tool
from .runs import SMALL_RUNS, WORKFLOWS, DemoRun, build_run
from .scores import SCORERS, DemoScore, agent_score, workflow_score

Progress = Callable[[str, int, int], None]


@dataclass
class DemoData:
    resources: list[Resource] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    runs: list[DemoRun] = field(default_factory=list)
    scores: list[DemoScore] = field(default_factory=list)


def build_small(
    seed: int = 0, now: datetime | None = None, *, threads: int = 30, scores_per_scorer: int = 120
) -> DemoData:
    """~8 resources, ``threads`` threads covering every message part type and legacy format, 20
    workflow runs covering every status, and 3 scorers with ``scores_per_scorer`` scores each over the
    last 30 days."""
    rng = random.Random(seed)
    ids = Ids(rng)
    anchor = whole_minute(now)
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
                    "openOrders": [order_id(rng)],
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
        base = epoch_ms(end) - 600_000
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
    # Only a refund that was issued can be checked for compliance (a suspended or failed run has
    # no refund to judge): scoring one would contradict its run page.
    refund_runs = [
        run for run in data.runs if run.workflow_name == "refund-approval" and run.status == "success"
    ]
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
#: Scores per ``save_scores`` call: one transaction each on SQLite.
SCORE_BATCH = 1_000


def save_run(store: Store, run: DemoRun) -> None:
    store.workflows.persist_workflow_snapshot(
        run.workflow_name,
        run.run_id,
        run.snapshot,
        resource_id=run.resource_id,
        created_at=run.created_at,
        updated_at=run.updated_at,
    )


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
    store.memory.save_threads(data.threads)
    report("threads", len(data.threads), len(data.threads))
    for i, run in enumerate(data.runs, 1):
        save_run(store, run)
        report("workflow runs", i, len(data.runs))
    for start in range(0, len(data.scores), SCORE_BATCH):
        batch = data.scores[start : start + SCORE_BATCH]
        store.scores.save_scores([(score.payload, score.created_at) for score in batch])
        report("scores", start + len(batch), len(data.scores))


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
    anchor = whole_minute(now)

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
            order = order_id(rng)
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
                content, kind = _large_turn(rng, ids, role, order, product, epoch_ms(moment))
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
        # The chunk's messages in one call: on SQLite one transaction per chunk (200 in all, not
        # 4,000 of 250 messages); Convex splits a call into requests of its own size anyway.
        store.memory.save_messages(chunk_messages)
        messages_done += len(chunk_messages)
        report("messages", messages_done, LARGE_MESSAGES)
        store.memory.save_threads(chunk_threads)  # after the messages: see write_data

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
    workflows = list(WORKFLOWS)
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
        save_run(store, run)
        if i % 100 == 0:
            report("workflow runs", i, LARGE_RUNS)

    scorer_ids = list(SCORERS)
    batch: list[tuple[dict[str, Any], datetime]] = []
    for i in range(1, LARGE_SCORES + 1):
        scorer_id = scorer_ids[i % len(scorer_ids)]
        created = anchor - timedelta(seconds=rng.randint(60, 30 * 86400))
        if scorer_id == "refund-policy-compliance":
            score = workflow_score(rng, ids, created, None)
        else:
            thread_id, resource_id = rng.choice(thread_ids)
            sku, product, _ = rng.choice(PRODUCTS)
            pick = rng.randrange(len(_LARGE_ASKS))
            order = order_id(rng)
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
        batch.append((score.payload, score.created_at))
        if len(batch) == SCORE_BATCH or i == LARGE_SCORES:
            store.scores.save_scores(batch)
            batch.clear()
            report("scores", i, LARGE_SCORES)
