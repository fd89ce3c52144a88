"""SQLite rows -> models: decode the cell encodings (JSONB blobs, JSON text), then hand the camelCase
record to the shared decoders in ``storeclient.records`` (lenient JSON, dates, legacy shapes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..codec import dumps_compact
from ..models import Message, Resource, Score, Thread, WorkflowRun
from ..records import (
    message_from_record,
    resource_from_record,
    run_from_record,
    score_from_record,
    thread_from_record,
)
from .connection import decode_json_cell
from .schema import JSON_COLUMNS, MESSAGES, RESOURCES, RUNS, SCORES, THREADS, columns_of


class Columns:
    """Which columns each core table really has (an older Mastra file may lack newer ones)."""

    def __init__(self, present: Mapping[str, frozenset[str]]) -> None:
        self.present = dict(present)
        # Lower-cased once: SQLite matches column names case-insensitively, and ``has`` is on the
        # write path of every saved score.
        self._lower = {table: frozenset(c.lower() for c in cols) for table, cols in self.present.items()}
        self._select = {table: self._build(table) for table in (THREADS, MESSAGES, RESOURCES, RUNS, SCORES)}

    def _build(self, table: str) -> str:
        have = {c.lower() for c in self.present.get(table, frozenset())}
        parts = [f'"{c}"' if c.lower() in have else f'NULL AS "{c}"' for c in columns_of(table)]
        return ", ".join(parts)

    def select(self, table: str) -> str:
        """The table's columns by name, in DDL order, ``NULL AS col`` for missing ones."""
        return self._select[table]

    def has(self, table: str, column: str) -> bool:
        return column.lower() in self._lower.get(table, frozenset())


def json_cell(value: Any) -> Any:
    """A JSON cell as the shared decoders expect it: blobs decoded, text left for them to parse."""
    if isinstance(value, bytes | bytearray | memoryview):
        decoded, _ = decode_json_cell(value)
        return decoded
    return value


def thread(row: sqlite3.Row) -> Thread:
    return thread_from_record(
        {
            "id": row["id"],
            "resourceId": row["resourceId"],
            "title": row["title"],
            "metadata": json_cell(row["metadata"]),
            "createdAt": row["createdAt"],
            "updatedAt": row["updatedAt"],
        }
    )


def message(row: sqlite3.Row) -> Message:
    content = row["content"]
    if isinstance(content, bytes | bytearray | memoryview):
        content = json_cell(content)
        if not isinstance(content, str):
            content = dumps_compact(content)
    return message_from_record(
        {
            "id": row["id"],
            "thread_id": row["thread_id"],
            "content": content,
            "role": row["role"],
            "type": row["type"],
            "createdAt": row["createdAt"],
            "resourceId": row["resourceId"],
        }
    )


def resource(row: sqlite3.Row) -> Resource:
    wm = row["workingMemory"]
    if isinstance(wm, bytes | bytearray | memoryview):  # never written by Mastra, but be lenient
        decoded = json_cell(wm)
        wm = decoded if isinstance(decoded, str) else dumps_compact(decoded)
    metadata = json_cell(row["metadata"])
    decoded = resource_from_record(
        {
            "id": row["id"],
            "workingMemory": wm,
            "metadata": metadata,
            "createdAt": row["createdAt"],
            "updatedAt": row["updatedAt"],
        }
    )
    # @mastra/libsql returns a NULL metadata cell as null (Mastra's conformance cases expect a falsy
    # value), where the shared decoder would make it {}.
    return replace(decoded, metadata=None) if metadata is None else decoded


def run(row: sqlite3.Row) -> WorkflowRun:
    raw = row["snapshot"]
    if raw is None:
        return _raw_run(row, "", "the run has no snapshot")
    snapshot, error = decode_json_cell(raw)
    if error is not None:
        return _raw_run(row, str(snapshot), error)
    if not isinstance(snapshot, dict):
        # Also a snapshot serialised twice (a JSON string holding JSON text): Mastra's status filter
        # cannot see into it either, so it is shown raw rather than as a run it would not list.
        text = raw if isinstance(raw, str) else dumps_compact(snapshot)
        return _raw_run(row, text, "the snapshot is not a JSON object")
    return run_from_record(
        {
            "workflow_name": row["workflow_name"],
            "run_id": row["run_id"],
            "resourceId": row["resourceId"],
            "snapshot": snapshot,
            "createdAt": row["createdAt"],
            "updatedAt": row["updatedAt"],
        }
    )


def _raw_run(row: sqlite3.Row, text: str, error: str) -> WorkflowRun:
    base = run_from_record(
        {
            "workflow_name": row["workflow_name"],
            "run_id": row["run_id"],
            "resourceId": row["resourceId"],
            "snapshot": {},
            "createdAt": row["createdAt"],
            "updatedAt": row["updatedAt"],
        }
    )
    return WorkflowRun(
        workflow_name=base.workflow_name,
        run_id=base.run_id,
        created_at=base.created_at,
        updated_at=base.updated_at,
        snapshot=text,
        resource_id=base.resource_id,
        snapshot_error=error,
    )


def score(row: sqlite3.Row) -> Score:
    json_cols = JSON_COLUMNS[SCORES]
    record: dict[str, Any] = {}
    for key in row.keys():  # noqa: SIM118 - sqlite3.Row is not a Mapping
        value = row[key]
        if value is None:
            continue
        if key in json_cols:
            value = json_cell(value)
        record[key] = value
    return score_from_record(record)
