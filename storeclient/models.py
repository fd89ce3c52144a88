"""Typed, immutable records as Mastra stores them, and the page shapes that lists return.

Field names are snake_case; ``to_record()`` gives the camelCase record Mastra's own stores write.
Dates are timezone-aware ``datetime`` objects (UTC).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from .codec import to_iso
from .errors import InvalidRequest

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
    #: ``None`` when the SQLite row holds no metadata (``@mastra/libsql`` reads that back as ``null``);
    #: Mastra's Convex reader turns a missing value into ``{}``.
    metadata: dict[str, Any] | str | None = field(default_factory=dict)

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


#: A few fields of one score, in the order asked for (``ScoresDomain.score_rows``).
ScoreRow = tuple[Any, ...]


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
class RunStatusChange:
    """A workflow run as ``run_changes`` hands it out: its key, status and last write, no snapshot."""

    workflow_name: str
    run_id: str
    #: ``snapshot.status``, or ``"unknown"`` when the snapshot has none (as ``status_counts``).
    status: str
    updated_at: str = ""


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


#: What ``Store.counts`` counts, in the order the overview shows them.
COUNTED_KINDS = ("threads", "messages", "resources", "runs", "scores")


def counted_kinds(kinds: Collection[str] | None) -> tuple[str, ...]:
    """``kinds`` (every kind for ``None``) in ``COUNTED_KINDS`` order; an unknown kind is refused."""
    if kinds is None:
        return COUNTED_KINDS
    unknown = sorted(set(kinds) - set(COUNTED_KINDS))
    if unknown or isinstance(kinds, str):
        raise InvalidRequest(f"cannot count {unknown or kinds!r}: the kinds are {', '.join(COUNTED_KINDS)}.")
    return tuple(kind for kind in COUNTED_KINDS if kind in kinds)


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


# --- what the agent runtime stores beyond conversations (observational memory, schedules,
# background tasks, semantic-recall vectors). Decoded leniently by ``storeclient.runtime_records``:
# a stored field of the wrong type becomes its empty value, never an exception.


@dataclass(frozen=True)
class ObservationChunk:
    """A buffered observation chunk (``SerializedOMChunk``) waiting to be activated."""

    id: str
    cycle_id: str
    observations: str
    token_count: int
    message_ids: tuple[str, ...]
    message_tokens: int
    last_observed_at: datetime | None
    created_at: datetime | None
    current_task: str | None = None
    suggested_continuation: str | None = None


@dataclass(frozen=True)
class ObservationalMemory:
    """One generation of a thread's or resource's observational memory (``@mastra/memory``): the
    observations an observer model condensed from the conversation, and the reflector's rewrites
    (each reflection starts a new generation). ``lookup_key`` is ``thread:<id>`` or ``resource:<id>``."""

    id: str
    lookup_key: str
    scope: str
    resource_id: str | None
    thread_id: str | None
    origin_type: str
    generation_count: int
    active_observations: str
    config: dict[str, Any] | str
    metadata: dict[str, Any] | str | None
    observed_message_ids: tuple[str, ...]
    observed_timezone: str | None
    total_tokens_observed: int
    observation_token_count: int
    pending_message_tokens: int
    is_observing: bool
    is_reflecting: bool
    is_buffering_observation: bool
    is_buffering_reflection: bool
    buffered_chunks: tuple[ObservationChunk, ...]
    buffered_reflection: str | None
    buffered_reflection_tokens: int | None
    reflected_observation_line_count: int | None
    last_observed_at: datetime | None
    last_reflection_at: datetime | None
    last_buffered_at_time: datetime | None
    last_buffered_at_tokens: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Schedule:
    """A workflow or agent schedule (``mastra_schedules``); times are stored as epoch milliseconds."""

    id: str
    #: The stored target: ``{type: 'workflow', workflowId, inputData?, ...}`` or ``{type: 'agent', agentId, prompt, ...}``.
    target: dict[str, Any] | str
    cron: str
    timezone: str | None
    status: str
    next_fire_at: datetime | None
    last_fire_at: datetime | None
    last_run_id: str | None
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, Any] | str | None
    owner_type: str | None
    owner_id: str | None

    @property
    def target_type(self) -> str:
        kind = self.target.get("type") if isinstance(self.target, dict) else None
        # Legacy "heartbeat" targets are agent schedules (core's normalizeScheduleTarget).
        return "agent" if kind == "heartbeat" else str(kind or "unknown")

    @property
    def workflow_id(self) -> str | None:
        value = self.target.get("workflowId") if isinstance(self.target, dict) else None
        return value if isinstance(value, str) and value else None

    @property
    def agent_id(self) -> str | None:
        value = self.target.get("agentId") if isinstance(self.target, dict) else None
        return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class ScheduleTrigger:
    """One fire attempt of a schedule (``mastra_schedule_triggers``), newest first in lists."""

    id: str
    schedule_id: str
    run_id: str | None
    scheduled_fire_at: datetime | None
    actual_fire_at: datetime | None
    outcome: str
    error: str | None
    trigger_kind: str
    parent_trigger_id: str | None
    metadata: dict[str, Any] | str | None


@dataclass(frozen=True)
class ScheduleList:
    schedules: Sequence[Schedule]
    #: The backend read only part of the table (Convex: the oldest rows up to the read bound).
    capped: bool = False


@dataclass(frozen=True)
class BackgroundTask:
    """A tool call run in the background (``mastra_background_tasks``)."""

    id: str
    status: str
    tool_name: str
    tool_call_id: str
    agent_id: str
    run_id: str
    thread_id: str | None
    resource_id: str | None
    args: Any
    result: Any
    error: Any
    suspend_payload: Any
    retry_count: int
    max_retries: int
    timeout_ms: int
    created_at: datetime
    started_at: datetime | None
    suspended_at: datetime | None
    completed_at: datetime | None

    @property
    def error_message(self) -> str | None:
        if isinstance(self.error, dict) and isinstance(self.error.get("message"), str):
            return str(self.error["message"])
        return self.error if isinstance(self.error, str) and self.error else None

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.completed_at or self.suspended_at
        return (end - self.started_at).total_seconds() if end is not None else None


@dataclass(frozen=True)
class BackgroundTaskList:
    """One page of background tasks, newest first."""

    tasks: Sequence[BackgroundTask]
    total: int
    page: int
    per_page: int
    has_more: bool
    capped: bool = False


@dataclass(frozen=True)
class VectorIndex:
    """A vector index (semantic recall's ``mastra_memory_<embedder>`` and any other)."""

    name: str
    dimension: int | None
    metric: str
    #: Vectors stored, counted up to a bound; ``count_capped`` when there are more.
    count: int
    count_capped: bool = False


@dataclass(frozen=True)
class StoredVector:
    id: str
    metadata: dict[str, Any] | str | None
    embedding: tuple[float, ...] = ()


@dataclass(frozen=True)
class Neighbour:
    """A stored vector ranked by cosine similarity to another stored vector."""

    id: str
    score: float
    metadata: dict[str, Any] | str | None


@dataclass(frozen=True)
class Neighbours:
    """The nearest stored neighbours of one stored vector, computed from the stored embeddings
    (no model call). ``complete`` is False when only the first ``scanned`` vectors were compared."""

    of: StoredVector
    items: Sequence[Neighbour]
    scanned: int
    complete: bool = True
