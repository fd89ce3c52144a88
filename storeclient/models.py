"""Typed, immutable records as Mastra stores them, and the page shapes that lists return.

Field names are snake_case; ``to_record()`` gives the camelCase record Mastra's own stores write.
Dates are timezone-aware ``datetime`` objects (UTC).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from .codec import to_iso

#: Mastra's ``perPage: false``: return everything.
PerPage = int | Literal[False]


@dataclass(frozen=True)
class MemoryVersion:
    """What a working-memory editor started from: the record's ``updatedAt`` plus a content hash.

    Both are compared on save: ``updatedAt`` alone misses two writes in one millisecond, and a hash
    alone misses an A -> B -> A change that someone else's process already acted on.
    """

    updated_at: str
    content_hash: str

    @staticmethod
    def of(updated_at: datetime, working_memory: str | None) -> MemoryVersion:
        return MemoryVersion(to_iso(updated_at), content_hash(working_memory))

    def token(self) -> str:
        """A compact form for a hidden form field."""
        return f"{self.updated_at}|{self.content_hash}"

    @staticmethod
    def from_token(token: str) -> MemoryVersion:
        updated_at, _, digest = token.partition("|")
        return MemoryVersion(updated_at, digest)


def content_hash(text: str | None) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Thread:
    id: str
    resource_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    #: An object, or the raw string of a legacy row whose metadata is not valid JSON.
    metadata: dict[str, Any] | str = field(default_factory=dict)

    @property
    def working_memory(self) -> str | None:
        """Thread-scoped working memory (``metadata.workingMemory``), if this thread has any."""
        if isinstance(self.metadata, dict):
            value = self.metadata.get("workingMemory")
            return value if isinstance(value, str) else None
        return None

    @property
    def memory_version(self) -> MemoryVersion:
        return MemoryVersion.of(self.updated_at, self.working_memory)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "resourceId": self.resource_id,
            "title": self.title,
            "metadata": self.metadata,
            "createdAt": to_iso(self.created_at),
            "updatedAt": to_iso(self.updated_at),
        }


@dataclass(frozen=True)
class Message:
    id: str
    thread_id: str
    role: str
    created_at: datetime
    #: The decoded ``content`` column: a format-2 object for current data; a string, a list or
    #: another object shape for legacy rows. ``parts`` gives the normalised view.
    content: Any
    resource_id: str | None = None
    type: str = "v2"

    @cached_property
    def parts(self) -> tuple[dict[str, Any], ...]:
        """The content as format-2 parts, whatever format it was stored in; unknown parts kept."""
        from .messages import normalize_parts

        return normalize_parts(self.content, self.role)

    @cached_property
    def content_format(self) -> str:
        """Which stored format ``content`` is in (``v2``, ``v1-text``, ``v1-parts``, ``ai-v4``, ``ai-v5``, ...)."""
        from .messages import detect_format

        return detect_format(self.content)

    @property
    def display_role(self) -> str:
        # Legacy v1 rows use "tool" for tool results; Mastra shows them as the assistant's.
        return "assistant" if self.role == "tool" else self.role

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": self.id,
            "threadId": self.thread_id,
            "role": self.role,
            "type": self.type,
            "content": self.content,
            "createdAt": to_iso(self.created_at),
        }
        if self.resource_id is not None:
            record["resourceId"] = self.resource_id
        return record


@dataclass(frozen=True)
class Resource:
    id: str
    created_at: datetime
    updated_at: datetime
    working_memory: str | None = None
    metadata: dict[str, Any] | str = field(default_factory=dict)

    @property
    def memory_version(self) -> MemoryVersion:
        return MemoryVersion.of(self.updated_at, self.working_memory)

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": self.id,
            "metadata": self.metadata,
            "createdAt": to_iso(self.created_at),
            "updatedAt": to_iso(self.updated_at),
        }
        if self.working_memory is not None:
            record["workingMemory"] = self.working_memory
        return record


#: Every run status Mastra writes (``WorkflowRunState.status``), in a sensible display order.
#: Step results use a subset. Stored data may hold others (older versions, tests): show them as is.
RUN_STATUSES: tuple[str, ...] = (
    "running",
    "success",
    "failed",
    "tripwire",
    "suspended",
    "waiting",
    "pending",
    "canceled",
    "bailed",
    "paused",
)


@dataclass(frozen=True)
class WorkflowRun:
    workflow_name: str
    run_id: str
    created_at: datetime
    updated_at: datetime
    #: The decoded ``WorkflowRunState``; the raw text when the stored snapshot is not valid JSON.
    snapshot: dict[str, Any] | str
    resource_id: str | None = None
    #: Why ``snapshot`` is raw text, when it is.
    snapshot_error: str | None = None

    @property
    def status(self) -> str | None:
        if isinstance(self.snapshot, dict):
            status = self.snapshot.get("status")
            return status if isinstance(status, str) else None
        return None

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "workflowName": self.workflow_name,
            "runId": self.run_id,
            "snapshot": self.snapshot,
            "createdAt": to_iso(self.created_at),
            "updatedAt": to_iso(self.updated_at),
        }
        if self.resource_id is not None:
            record["resourceId"] = self.resource_id
        return record


#: Score columns that hold JSON values (objects, arrays) rather than text.
SCORE_JSON_FIELDS: tuple[str, ...] = (
    "scorer",
    "preprocessStepResult",
    "extractStepResult",
    "analyzeStepResult",
    "metadata",
    "input",
    "output",
    "additionalContext",
    "requestContext",
    "entity",
)
#: Optional text columns of a score.
SCORE_TEXT_FIELDS: tuple[str, ...] = (
    "traceId",
    "spanId",
    "reason",
    "preprocessPrompt",
    "extractPrompt",
    "generateScorePrompt",
    "generateReasonPrompt",
    "analyzePrompt",
    "reasonPrompt",
    "entityType",
    "entityId",
    "resourceId",
    "threadId",
    "organizationId",
    "projectId",
    "batchId",
    "datasetId",
    "datasetItemId",
)


@dataclass(frozen=True)
class Score:
    id: str
    scorer_id: str
    run_id: str
    score: float
    source: str
    created_at: datetime
    updated_at: datetime
    #: Every other stored field, camelCase as stored (``reason``, ``input``, ``entityId``, ...),
    #: ``None``-valued ones left out.
    fields: Mapping[str, Any] = field(default_factory=dict)
    #: The stored ``score`` as text when it is not a finite number (``"inf"``, ``"nan"``, ``"abc"``,
    #: a BLOB's bytes as UTF-8): ``score`` is then NaN or infinite. ``None`` when it is a finite
    #: number, or when nothing was stored (``score`` is then NaN).
    score_text: str | None = None

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    @property
    def has_finite_score(self) -> bool:
        """False for a stored value that is not a number, infinite, NaN or missing."""
        return math.isfinite(self.score)

    @property
    def reason(self) -> str | None:
        return self.fields.get("reason")

    @property
    def entity_id(self) -> str | None:
        return self.fields.get("entityId")

    @property
    def entity_type(self) -> str | None:
        return self.fields.get("entityType")

    @property
    def thread_id(self) -> str | None:
        return self.fields.get("threadId")

    @property
    def resource_id(self) -> str | None:
        return self.fields.get("resourceId")

    def to_record(self) -> dict[str, Any]:
        return {
            **self.fields,
            "id": self.id,
            "scorerId": self.scorer_id,
            "runId": self.run_id,
            "score": self.score,
            "source": self.source,
            "createdAt": to_iso(self.created_at),
            "updatedAt": to_iso(self.updated_at),
        }


# --- list results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pagination:
    total: int
    page: int
    per_page: PerPage
    has_more: bool
    #: True when the backend cut the underlying read (Convex handler's 10,000-row cap): ``total`` and
    #: the rows are then a lower bound, not the whole truth.
    capped: bool = False


@dataclass(frozen=True)
class ThreadList(Pagination):
    threads: Sequence[Thread] = ()


@dataclass(frozen=True)
class MessageList(Pagination):
    messages: Sequence[Message] = ()


@dataclass(frozen=True)
class RunList:
    runs: Sequence[WorkflowRun]
    total: int
    capped: bool = False


@dataclass(frozen=True)
class ScoreList(Pagination):
    scores: Sequence[Score] = ()


@dataclass(frozen=True)
class Feed[T]:
    """One page of a cursor-paginated list, newest first.

    ``next_cursor`` is opaque (pass it back to get the following page) and ``None`` on the last page.
    ``capped`` says the backend could only see part of the data (see ``note`` for what to do).
    """

    items: Sequence[T]
    next_cursor: str | None = None
    capped: bool = False
    note: str | None = None


@dataclass(frozen=True)
class ChangePage[T]:
    """One page of a write-order change feed (oldest first), for the dashboard's indexer.

    ``cursor`` is where to resume and is never ``None``: after the last item it marks the end of
    what exists now, so polling again with it later returns only what was written since.
    ``has_more`` says more items are ready right away (poll again without waiting).
    """

    items: Sequence[T]
    cursor: str
    has_more: bool = False
    #: The store can only approximate this feed (Convex without the dashboard module): items may
    #: come again, and ``note`` says what is missed. Callers must upsert, and may tell their users.
    limited: bool = False
    note: str | None = None


@dataclass(frozen=True)
class MessageWindow:
    """A thread's messages around one message, newest first (as ``message_feed`` pages are).

    ``found`` is False when the thread has no such message (``items`` is then empty).
    ``older_cursor`` continues ``message_feed`` with the messages older than the oldest item;
    ``newer`` says whether messages newer than the newest item exist (the view then offers
    "newest messages"). Built from the message's own position, never from an offset, so a link
    to a message stays right however many messages arrive later.
    """

    items: Sequence[Message]
    found: bool
    older_cursor: str | None = None
    newer: bool = False


@dataclass(frozen=True)
class Count:
    """A count that may have stopped early: ``at_least`` means "value or more"."""

    value: int
    at_least: bool = False

    def __str__(self) -> str:
        return f"{self.value:,}+" if self.at_least else f"{self.value:,}"


@dataclass(frozen=True)
class ScorePoint:
    created_at: datetime
    score: float


@dataclass(frozen=True)
class ScoreSeries:
    """Scores of one scorer in a time range, for charts: only the fields a chart needs.

    ``sampled`` is True when the range held more than ``max_points`` scores and only an evenly
    spread subset came back; ``total`` is then the number in the range (a lower bound when
    ``total_at_least``).
    """

    points: Sequence[ScorePoint]
    total: int
    sampled: bool = False
    total_at_least: bool = False
    #: Scores in the range left out of ``points`` and ``total`` because their value is not a finite
    #: number (text, infinite, NaN, missing).
    not_finite: int = 0


@dataclass(frozen=True)
class ScoreBucket:
    """Exact aggregates of the scores whose ``createdAt`` falls in ``[start, start + bucket_seconds)``."""

    start: datetime
    count: int
    mean: float
    min: float
    max: float


@dataclass(frozen=True)
class ScoreBuckets:
    """One scorer's scores in a time range, aggregated per fixed-size time bucket, oldest first.

    Only buckets holding scores are listed. Unlike ``ScoreSeries`` nothing is sampled: counts, means,
    minima and maxima are exact over every score in range, unless ``capped`` says the backend could
    only read part of the range (Convex's standard handler reads at most 10,000 scores).
    """

    buckets: Sequence[ScoreBucket]
    bucket_seconds: int
    capped: bool = False

    @property
    def total(self) -> int:
        return sum(bucket.count for bucket in self.buckets)


@dataclass(frozen=True)
class StoreHealth:
    ok: bool
    backend: str
    #: e.g. "standard handler" / "dashboard module" for Convex, "embedded SQLite" for SQLite.
    mode: str
    detail: str = ""
    #: Whether conditional working-memory saves are atomic on this backend.
    atomic_saves: bool = True
