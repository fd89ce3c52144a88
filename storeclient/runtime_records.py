"""Stored records of the agent runtime -> models: observational memory, schedules and their
triggers, background tasks, and semantic-recall vectors (the tables beyond Mastra's core five).

Each store first decodes its JSON fields once (SQLite: JSONB blobs or JSON text; Convex: JSON
strings, see ``decode_json_strings``), then hands the record to the decoders here. Every field is
read leniently: a record is agent-written and may be hostile or from another Mastra version, and
one bad row must not make a page fail.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from .codec import EPOCH, loads, parse_datetime
from .errors import InvalidRequest
from .models import (
    BackgroundTask,
    Neighbour,
    ObservationalMemory,
    ObservationChunk,
    Schedule,
    ScheduleTrigger,
    StoredVector,
)

#: Fields stored as JSON (strings on Convex, text or JSONB blobs in SQLite), per table.
OM_JSON_FIELDS = ("config", "metadata", "observedMessageIds", "bufferedObservationChunks")
SCHEDULE_JSON_FIELDS = ("target", "metadata")
TRIGGER_JSON_FIELDS = ("metadata",)
TASK_JSON_FIELDS = ("args", "result", "error", "suspend_payload")


#: The largest page any of these lists hands out.
MAX_LIMIT = 1_000


def check_limit(limit: int, *, what: str, offset: int = 0) -> None:
    """A page size of 1..1,000 and an offset (or page number) >= 0, refused before any I/O."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"Invalid limit {limit!r} for {what}: a whole number from 1 to {MAX_LIMIT}.")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidRequest(f"Invalid offset {offset!r} for {what}: a whole number >= 0.")


def decode_json_strings(doc: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A Convex document with its JSON-string fields parsed (a string that is not JSON stays as is)."""
    out = dict(doc)
    for name in fields:
        value = out.get(name)
        if isinstance(value, str):
            with contextlib.suppress(ValueError, RecursionError):
                out[name] = loads(value)
    return out


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    return default


def _optional_int(value: Any) -> int | None:
    return None if value is None or isinstance(value, bool) else _int(value, 0)


def _bool(value: Any) -> bool:
    # Convex stores booleans, SQLite 0/1.
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value == 1)


def _time(value: Any) -> datetime | None:
    """An ISO string or epoch milliseconds; ``None`` for a missing value."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    parsed = parse_datetime(value)
    return None if parsed == EPOCH and not _is_epoch(value) else parsed


def _is_epoch(value: Any) -> bool:
    return value == 0 or (isinstance(value, str) and value.startswith("1970-01-01"))


def _json_object(value: Any) -> dict[str, Any] | str | None:
    """A JSON object field: an object, a string we could not parse (kept visible), or ``None``."""
    if value is None or isinstance(value, dict | str):
        return value
    return {"value": value}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _chunk(raw: Any) -> ObservationChunk | None:
    if not isinstance(raw, dict):
        return None
    return ObservationChunk(
        id=str(raw.get("id") or ""),
        cycle_id=str(raw.get("cycleId") or ""),
        observations=raw["observations"] if isinstance(raw.get("observations"), str) else "",
        token_count=_int(raw.get("tokenCount")),
        message_ids=_strings(raw.get("messageIds")),
        message_tokens=_int(raw.get("messageTokens")),
        last_observed_at=_time(raw.get("lastObservedAt")),
        created_at=_time(raw.get("createdAt")),
        current_task=_text(raw.get("currentTask")),
        suggested_continuation=_text(raw.get("suggestedContinuation")),
    )


def observational_memory_from_record(doc: Mapping[str, Any]) -> ObservationalMemory:
    chunks = doc.get("bufferedObservationChunks")
    config = doc.get("config")
    return ObservationalMemory(
        id=str(doc.get("id") or ""),
        lookup_key=str(doc.get("lookupKey") or ""),
        scope=str(doc.get("scope") or ""),
        resource_id=_text(doc.get("resourceId")),
        thread_id=_text(doc.get("threadId")),
        origin_type=str(doc.get("originType") or ""),
        generation_count=_int(doc.get("generationCount")),
        active_observations=doc["activeObservations"]
        if isinstance(doc.get("activeObservations"), str)
        else "",
        config=config if isinstance(config, dict | str) else {},
        metadata=_json_object(doc.get("metadata")),
        observed_message_ids=_strings(doc.get("observedMessageIds")),
        observed_timezone=_text(doc.get("observedTimezone")),
        total_tokens_observed=_int(doc.get("totalTokensObserved")),
        observation_token_count=_int(doc.get("observationTokenCount")),
        pending_message_tokens=_int(doc.get("pendingMessageTokens")),
        is_observing=_bool(doc.get("isObserving")),
        is_reflecting=_bool(doc.get("isReflecting")),
        is_buffering_observation=_bool(doc.get("isBufferingObservation")),
        is_buffering_reflection=_bool(doc.get("isBufferingReflection")),
        buffered_chunks=tuple(c for c in map(_chunk, chunks if isinstance(chunks, list) else []) if c),
        buffered_reflection=_text(doc.get("bufferedReflection")),
        buffered_reflection_tokens=_optional_int(doc.get("bufferedReflectionTokens")),
        reflected_observation_line_count=_optional_int(doc.get("reflectedObservationLineCount")),
        last_observed_at=_time(doc.get("lastObservedAt")),
        last_reflection_at=_time(doc.get("lastReflectionAt")),
        last_buffered_at_time=_time(doc.get("lastBufferedAtTime")),
        last_buffered_at_tokens=_int(doc.get("lastBufferedAtTokens")),
        created_at=parse_datetime(doc.get("createdAt")),
        updated_at=parse_datetime(doc.get("updatedAt")),
    )


def schedule_from_record(doc: Mapping[str, Any]) -> Schedule:
    target = doc.get("target")
    return Schedule(
        id=str(doc.get("id") or ""),
        target=target if isinstance(target, dict | str) else {},
        cron=str(doc.get("cron") or ""),
        timezone=_text(doc.get("timezone")),
        status=str(doc.get("status") or ""),
        next_fire_at=_time(doc.get("next_fire_at")),
        last_fire_at=_time(doc.get("last_fire_at")),
        last_run_id=_text(doc.get("last_run_id")),
        created_at=parse_datetime(doc.get("created_at")),
        updated_at=parse_datetime(doc.get("updated_at")),
        metadata=_json_object(doc.get("metadata")),
        owner_type=_text(doc.get("owner_type")),
        owner_id=_text(doc.get("owner_id")),
    )


def trigger_from_record(doc: Mapping[str, Any]) -> ScheduleTrigger:
    return ScheduleTrigger(
        id=str(doc.get("id") or ""),
        schedule_id=str(doc.get("schedule_id") or ""),
        run_id=_text(doc.get("run_id")),
        scheduled_fire_at=_time(doc.get("scheduled_fire_at")),
        actual_fire_at=_time(doc.get("actual_fire_at")),
        outcome=str(doc.get("outcome") or ""),
        error=_text(doc.get("error")),
        trigger_kind=str(doc.get("trigger_kind") or "schedule-fire"),
        parent_trigger_id=_text(doc.get("parent_trigger_id")),
        metadata=_json_object(doc.get("metadata")),
    )


def _either(doc: Mapping[str, Any], snake: str, camel: str) -> Any:
    # Legacy rows (written before the typed Convex table) may use camelCase keys.
    value = doc.get(snake)
    return doc.get(camel) if value is None else value


def task_from_record(doc: Mapping[str, Any]) -> BackgroundTask:
    return BackgroundTask(
        id=str(doc.get("id") or ""),
        status=str(doc.get("status") or ""),
        tool_name=str(_either(doc, "tool_name", "toolName") or ""),
        tool_call_id=str(_either(doc, "tool_call_id", "toolCallId") or ""),
        agent_id=str(_either(doc, "agent_id", "agentId") or ""),
        run_id=str(_either(doc, "run_id", "runId") or ""),
        thread_id=_text(_either(doc, "thread_id", "threadId")),
        resource_id=_text(_either(doc, "resource_id", "resourceId")),
        args=doc.get("args"),
        result=doc.get("result"),
        error=doc.get("error"),
        suspend_payload=_either(doc, "suspend_payload", "suspendPayload"),
        retry_count=_int(_either(doc, "retry_count", "retryCount")),
        max_retries=_int(_either(doc, "max_retries", "maxRetries")),
        timeout_ms=_int(_either(doc, "timeout_ms", "timeoutMs")),
        created_at=parse_datetime(doc.get("createdAt")),
        started_at=_time(doc.get("startedAt")),
        suspended_at=_time(doc.get("suspendedAt")),
        completed_at=_time(doc.get("completedAt")),
    )


def stored_vector(vector_id: Any, embedding: Any, metadata: Any) -> StoredVector:
    values: tuple[float, ...] = ()
    if isinstance(embedding, list | tuple):
        values = tuple(float(v) for v in embedding if isinstance(v, int | float) and not isinstance(v, bool))
    return StoredVector(id=str(vector_id or ""), metadata=_json_object(metadata), embedding=values)


def cosine(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Cosine similarity, as Mastra's vector stores score ``metric: 'cosine'``; ``None`` when the
    vectors cannot be compared (other dimension, zero length, non-finite values)."""
    if len(a) != len(b) or not a:
        return None
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    if not norm or not math.isfinite(dot) or not math.isfinite(norm):
        return None
    return dot / norm


def rank_neighbours(of: StoredVector, candidates: Iterable[StoredVector], top_k: int) -> list[Neighbour]:
    """The ``top_k`` candidates most similar to ``of`` (itself excluded), best first; ties by id."""
    scored = []
    for candidate in candidates:
        if candidate.id == of.id:
            continue
        score = cosine(of.embedding, candidate.embedding)
        if score is not None:
            scored.append(Neighbour(candidate.id, score, candidate.metadata))
    scored.sort(key=lambda n: (-n.score, n.id))
    return scored[:top_k]
