"""Stored records (camelCase dicts as Mastra writes them) <-> typed models.

Shared by every store: a store turns its rows into these dicts (decoding its own column encodings),
and these functions do the rest - lenient JSON, dates, legacy shapes.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .codec import (
    canonical_iso,
    dumps_compact,
    now,
    parse_datetime,
    parse_json_lenient,
    safely_parse_json,
    to_iso,
    without_none,
)
from .errors import InvalidRequest
from .models import (
    SCORE_JSON_FIELDS,
    SCORE_TEXT_FIELDS,
    Message,
    Resource,
    Score,
    ScoreRow,
    Thread,
    WorkflowRun,
)


def _metadata(value: Any) -> dict[str, Any] | str:
    parsed = safely_parse_json(value)
    if isinstance(parsed, dict):
        return parsed
    if isinstance(parsed, str):
        return parsed
    # Arrays or scalars in a metadata column are not something Mastra writes; keep them visible.
    return {"value": parsed}


def thread_from_record(doc: Mapping[str, Any]) -> Thread:
    return Thread(
        id=str(doc["id"]),
        resource_id=str(doc.get("resourceId") or ""),
        title=str(doc.get("title") or ""),
        metadata=_metadata(doc.get("metadata")),
        created_at=parse_datetime(doc.get("createdAt")),
        updated_at=parse_datetime(doc.get("updatedAt")),
    )


def thread_to_record(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "resourceId": thread.resource_id,
        "title": thread.title,
        "metadata": thread.metadata if thread.metadata is not None else {},
        "createdAt": to_iso(thread.created_at),
        "updatedAt": to_iso(thread.updated_at),
    }


def message_from_record(doc: Mapping[str, Any]) -> Message:
    content, _ = parse_json_lenient(doc.get("content"))
    return Message(
        id=str(doc["id"]),
        thread_id=str(doc.get("thread_id") or doc.get("threadId") or ""),
        resource_id=doc.get("resourceId"),
        role=str(doc.get("role") or "assistant"),
        type=str(doc.get("type") or "v2"),
        created_at=parse_datetime(doc.get("createdAt")),
        content=content,
    )


def message_to_row(message: Message) -> dict[str, Any]:
    """The stored row: ``thread_id`` snake_case, ``content`` as a JSON string."""
    return without_none(
        {
            "id": message.id,
            "thread_id": message.thread_id,
            "content": dumps_compact(message.content),
            "role": message.role,
            "type": message.type or "v2",
            "createdAt": to_iso(message.created_at),
            "resourceId": message.resource_id,
        }
    )


def resource_from_record(doc: Mapping[str, Any]) -> Resource:
    wm = doc.get("workingMemory")
    return Resource(
        id=str(doc["id"]),
        working_memory=wm if isinstance(wm, str) else (dumps_compact(wm) if wm is not None else None),
        metadata=_metadata(doc.get("metadata")),
        created_at=parse_datetime(doc.get("createdAt")),
        updated_at=parse_datetime(doc.get("updatedAt")),
    )


def resource_to_record(resource: Resource) -> dict[str, Any]:
    return without_none(
        {
            "id": resource.id,
            "workingMemory": resource.working_memory,
            "metadata": resource.metadata if resource.metadata is not None else {},
            "createdAt": to_iso(resource.created_at),
            "updatedAt": to_iso(resource.updated_at),
        }
    )


def run_from_record(doc: Mapping[str, Any]) -> WorkflowRun:
    snapshot, error = parse_json_lenient(doc.get("snapshot"))
    if not isinstance(snapshot, dict | str):
        snapshot, error = dumps_compact(snapshot), "the snapshot is not a JSON object"
    return WorkflowRun(
        workflow_name=str(doc.get("workflow_name") or doc.get("workflowName") or ""),
        run_id=str(doc.get("run_id") or doc.get("runId") or ""),
        resource_id=doc.get("resourceId"),
        snapshot=snapshot,
        snapshot_error=error,
        created_at=parse_datetime(doc.get("createdAt")),
        updated_at=parse_datetime(doc.get("updatedAt")),
    )


_SCORE_CORE = ("id", "scorerId", "runId", "score", "source", "createdAt", "updatedAt")
SCORE_FIELDS = frozenset(_SCORE_CORE + SCORE_JSON_FIELDS + SCORE_TEXT_FIELDS + ("structuredOutput",))


def score_from_record(doc: Mapping[str, Any]) -> Score:
    fields: dict[str, Any] = {}
    for key, value in doc.items():
        if key in _SCORE_CORE or key.startswith("_") or value is None:
            continue
        if key in SCORE_JSON_FIELDS:
            value, _ = parse_json_lenient(value) if isinstance(value, str | bytes) else (value, None)
        fields[key] = value
    score, score_text = decode_score(doc.get("score"))
    return Score(
        id=str(doc["id"]),
        scorer_id=str(doc.get("scorerId") or ""),
        run_id=str(doc.get("runId") or ""),
        score=score,
        source=str(doc.get("source") or ""),
        created_at=parse_datetime(doc.get("createdAt")),
        updated_at=parse_datetime(doc.get("updatedAt")),
        fields=fields,
        score_text=score_text,
    )


def decode_score(value: Any) -> tuple[float, str | None]:
    """A stored ``score`` as a float and, when it is not a finite number, its text: agents write
    rows directly, so the column can hold text, a BLOB, infinity, NaN or nothing at all."""
    if value is None:
        return math.nan, None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond a float's range
            return math.inf if value > 0 else -math.inf, str(value)
        return number, None if math.isfinite(number) else repr(number)
    text = value if isinstance(value, str) else dumps_compact(value)
    try:
        number = float(text)
    except ValueError:
        return math.nan, text
    return number, None if math.isfinite(number) else text


# --- score rows: a few columns of many scores, for exports ------------------------------------


def check_score_columns(columns: Sequence[str]) -> tuple[str, ...]:
    """``columns`` as a tuple, or ``InvalidRequest`` naming the ones a score does not have."""
    wanted = tuple(columns)
    unknown = [c for c in wanted if c not in SCORE_FIELDS]
    if not wanted or unknown:
        raise InvalidRequest(
            f"Score rows need one or more of the score's fields ({', '.join(sorted(SCORE_FIELDS))}), "
            f"not {unknown or 'none'}."
        )
    return wanted


def score_row(score: Score, columns: Sequence[str]) -> ScoreRow:
    """What a score row holds: each column as ``Score.to_record()`` has it (``None`` when it is not
    stored), except ``score``: the number when it is finite, else the text it was stored as
    (``None`` when nothing was), so an export shows what the agent wrote."""
    record = score.to_record()
    record["score"] = score.score if score.has_finite_score else score.score_text
    return tuple(record.get(c) for c in columns)


def _text_or_empty(value: Any) -> str:
    return value if type(value) is str else str(value or "")


def _text(value: Any) -> str:
    return value if type(value) is str else str(value)


def _score_cell(value: Any) -> Any:
    if type(value) is float and math.isfinite(value):
        return value
    number, text = decode_score(value)
    return number if math.isfinite(number) else text


def _json_cell(value: Any) -> Any:
    return parse_json_lenient(value)[0] if isinstance(value, str | bytes) else value


#: How ``score_from_record`` + ``score_row`` turn each core field's stored value into the row's.
_CORE_CELLS: dict[str, Callable[[Any], Any]] = {
    "id": _text,
    "scorerId": _text_or_empty,
    "runId": _text_or_empty,
    "source": _text_or_empty,
    "score": _score_cell,
    "createdAt": canonical_iso,
    "updatedAt": canonical_iso,
}


def score_row_reader(
    columns: Sequence[str], *, json_cell: Callable[[Any], Any] | None = None
) -> Callable[[Sequence[Any]], ScoreRow]:
    """A function from the stored values of ``columns`` (in that order) to the row ``score_row``
    gives for the decoded score, without building the score: an export reads every score in range,
    and building models from fields it never writes was most of its time. ``json_cell`` is a
    store's own decoding of a JSON column's cell (SQLite's JSONB), applied first."""
    steps: list[tuple[int, Callable[[Any], Any]]] = []
    for i, column in enumerate(columns):
        if column in _CORE_CELLS:
            steps.append((i, _CORE_CELLS[column]))
        elif column in SCORE_JSON_FIELDS:
            decode = _json_cell if json_cell is None else _then(json_cell, _json_cell)
            steps.append((i, _skipping_none(decode)))
    if not steps:
        return tuple

    def read(values: Sequence[Any]) -> ScoreRow:
        row = list(values)
        for i, decode in steps:
            row[i] = decode(row[i])
        return tuple(row)

    return read


def _then(first: Callable[[Any], Any], second: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: second(first(value))


def _skipping_none(decode: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else decode(value)


def new_score_record(payload: Mapping[str, Any], *, created_at: Any = None) -> dict[str, Any]:
    """Mastra's ``saveScore``: a fresh uuid, timestamps, unknown keys and ``None`` values dropped."""
    stamp = to_iso(created_at) if created_at is not None else to_iso(now())
    record = {k: v for k, v in payload.items() if k in SCORE_FIELDS and v is not None}
    record.update({"id": str(uuid.uuid4()), "createdAt": stamp, "updatedAt": stamp})
    return record
