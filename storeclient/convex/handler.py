"""Requests to Mastra's ``mastra/storage:handle`` mutation, and what the deployed version supports.

Every op is a mutation (even reads). Responses are ``{ok: true, result?}`` or ``{ok: false, error}``;
errors thrown inside the handler escape its try/catch and arrive as Convex function errors, which
the transport already maps.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..codec import strip_system_fields
from ..errors import (
    AuthError,
    BackendUnavailable,
    LimitError,
    NotDeployedError,
    StorageError,
    StoreError,
)
from .transport import ConvexTransport

#: ``queryTable`` never returns more rows than this (``take(10000)`` on the server).
QUERY_CAP = 10_000
LOAD_MANY_MAX_IDS = 10
#: Rows per ``batchInsert``/``deleteMany`` call: well inside Convex's per-transaction limits.
WRITE_CHUNK = 200

THREADS = "mastra_threads"
MESSAGES = "mastra_messages"
RESOURCES = "mastra_resources"
#: Singular on the wire: the handler maps it to the physical ``mastra_workflow_snapshots`` table.
SNAPSHOTS = "mastra_workflow_snapshot"
SCORES = "mastra_scorers"


class StorageHandler:
    """Typed access to the storage mutation, with per-process capability probing."""

    def __init__(self, transport: ConvexTransport, function_path: str) -> None:
        self.transport = transport
        self.function_path = function_path
        self._capabilities: dict[str, bool] = {}
        self._lock = threading.Lock()

    # --- raw ------------------------------------------------------------------------------

    def request(self, args: Mapping[str, Any], *, read: bool) -> dict[str, Any]:
        response = self.transport.call("mutation", self.function_path, dict(args), idempotent=read)
        if not isinstance(response, dict):
            raise StorageError(
                f"The storage function {self.function_path} returned {type(response).__name__}, not a "
                "storage response. Does ConvexStore(storage_function=...) name Mastra's handler?"
            )
        if response.get("ok") is False:
            error = str(response.get("error") or "unknown error")
            raise StorageError(
                f"Mastra's storage handler refused {args.get('op')}: {error}", code=response.get("code")
            )
        return response

    # --- capability probing: handler versions differ in the ops they know -----------------

    def supports(self, op: str) -> bool:
        """Whether the deployed handler knows ``op``; probed once per process, without writing."""
        with self._lock:
            if op in self._capabilities:
                return self._capabilities[op]
        supported = self._probe(op)
        with self._lock:
            self._capabilities[op] = supported
        return supported

    def _probe(self, op: str) -> bool:
        # Each probe is shaped so that a handler that knows the op does nothing harmful: loadMany
        # of no ids; patch of an id that cannot exist; the update ops against a table they refuse.
        probes: dict[str, dict[str, Any]] = {
            "loadMany": {"op": "loadMany", "tableName": THREADS, "ids": []},
            "patch": {"op": "patch", "tableName": THREADS, "id": "__dashboard_probe__", "record": {}},
            "updateThread": {"op": "updateThread", "tableName": RESOURCES},
            "updateResource": {"op": "updateResource", "tableName": THREADS},
        }
        args = probes[op]
        try:
            self.request(args, read=True)
            return True
        except StorageError as exc:
            # "Unsupported operation X" means the op is unknown; "... for table" means it exists
            # but refuses the table we probed with, which is the answer we wanted.
            return not exc.message.rstrip().endswith(f"Unsupported operation {op}")

    # --- visibility: is the handler open to callers without the key? ------------------------

    def is_public(self) -> bool | None:
        """Whether the handler answers a caller WITHOUT the admin key (``None``: could not tell).

        Mastra ships it as a public mutation: then anyone who knows the deployment URL can read and
        overwrite every record. Asked with a keyless ``load`` of an id that cannot exist, which reads
        nothing and writes nothing. An internal (or absent) function gets Convex's "Could not find
        public function" answer; any other answer from the function, even a refusal, means it ran.
        """
        args = {"op": "load", "tableName": THREADS, "keys": {"id": "__dashboard_visibility_probe__"}}
        try:
            self.transport.call("mutation", self.function_path, args, idempotent=True, keyless=True)
        except NotDeployedError:
            return False
        except (AuthError, BackendUnavailable, LimitError):
            return None  # no answer from the function itself: nothing learnt
        except StoreError as exc:
            # A function error (no transport code) means the function ran: reachable without the
            # key. A transport refusal (HTTP 4xx with a code) says nothing about the function.
            return None if getattr(exc, "code", None) else True
        return True

    # --- ops ------------------------------------------------------------------------------

    def load(self, table: str, keys: Mapping[str, Any]) -> dict[str, Any] | None:
        result = self.request({"op": "load", "tableName": table, "keys": dict(keys)}, read=True).get("result")
        return strip_system_fields(result) if isinstance(result, dict) else None

    def load_many(self, table: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Rows with these ids, in request order, missing ones left out."""
        unique = list(dict.fromkeys(ids))
        rows: list[dict[str, Any]] = []
        if self.supports("loadMany"):
            for start in range(0, len(unique), LOAD_MANY_MAX_IDS):
                chunk = unique[start : start + LOAD_MANY_MAX_IDS]
                result = self.request({"op": "loadMany", "tableName": table, "ids": chunk}, read=True).get(
                    "result"
                )
                rows.extend(strip_system_fields(r) for r in result or [] if isinstance(r, dict))
            return rows
        for row_id in unique:
            row = self.load(table, {"id": row_id})
            if row is not None:
                rows.append(row)
        return rows

    def query(
        self, table: str, filters: Mapping[str, Any] | None = None, *, limit: int | None = None
    ) -> tuple[list[dict[str, Any]], bool]:
        """``queryTable`` with equality filters: ``(rows, capped)``.

        ``capped`` is True when the handler's scan limit may have cut the result, so the caller can
        flag it: the handler returns the *oldest* rows of the index and silently drops the rest.
        """
        args: dict[str, Any] = {"op": "queryTable", "tableName": table}
        if filters:
            args["filters"] = [{"field": k, "value": v} for k, v in filters.items()]
        if limit is not None:
            args["limit"] = limit
        result = self.request(args, read=True).get("result") or []
        rows = [r for r in result if isinstance(r, dict)]
        for row in rows:  # freshly decoded, so ours to change in place (cheaper than copying)
            row.pop("_id", None)
            row.pop("_creationTime", None)
        cap = min(limit, QUERY_CAP) if limit else QUERY_CAP
        return rows, len(rows) >= cap

    def insert(self, table: str, record: Mapping[str, Any]) -> None:
        self.request({"op": "insert", "tableName": table, "record": dict(record)}, read=False)

    def batch_insert(self, table: str, records: Iterable[Mapping[str, Any]]) -> None:
        batch = [dict(r) for r in records]
        for start in range(0, len(batch), WRITE_CHUNK):
            self.request(
                {"op": "batchInsert", "tableName": table, "records": batch[start : start + WRITE_CHUNK]},
                read=False,
            )

    def delete_many(self, table: str, ids: Sequence[str]) -> None:
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), WRITE_CHUNK):
            self.request(
                {"op": "deleteMany", "tableName": table, "ids": unique[start : start + WRITE_CHUNK]},
                read=False,
            )

    def patch(self, table: str, row_id: str, record: Mapping[str, Any]) -> bool:
        result = self.request(
            {"op": "patch", "tableName": table, "id": row_id, "record": dict(record)}, read=False
        )
        return bool(result.get("result"))

    def op(self, args: Mapping[str, Any], *, read: bool = False) -> Any:
        return self.request(args, read=read).get("result")
