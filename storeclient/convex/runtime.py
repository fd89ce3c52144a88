"""The agent runtime's Convex tables through Mastra's standard handler, read-only and bounded:
observational memory (``omGetLatest`` / ``omGetHistory``), schedules and triggers
(``listScheduleTriggers``), background tasks, and ``ConvexVector`` indexes
(``mastra_vector_indexes`` plus ``mastra_vector_<index>``, paged with ``pageSize``).

Every read costs a bounded number of documents: lists stop at a read bound and say so
(``capped``); vector counts and neighbour scans stop after a few pages and say so too.
"""

from __future__ import annotations

from typing import Any

from ..codec import strip_system_fields
from ..errors import InvalidRequest, StorageError
from ..models import (
    BackgroundTask,
    BackgroundTaskList,
    Neighbours,
    ObservationalMemory,
    Schedule,
    ScheduleList,
    ScheduleTrigger,
    StoredVector,
    VectorIndex,
)
from ..runtime_records import (
    OM_JSON_FIELDS,
    SCHEDULE_JSON_FIELDS,
    TASK_JSON_FIELDS,
    TRIGGER_JSON_FIELDS,
    check_limit,
    decode_json_strings,
    observational_memory_from_record,
    rank_neighbours,
    schedule_from_record,
    stored_vector,
    task_from_record,
    trigger_from_record,
)
from ..semantics import paginate
from .handler import StorageHandler

OBSERVATIONAL_MEMORY = "mastra_observational_memory"
SCHEDULES = "mastra_schedules"
SCHEDULE_TRIGGERS = "mastra_schedule_triggers"
BACKGROUND_TASKS = "mastra_background_tasks"
VECTOR_INDEXES = "mastra_vector_indexes"
#: ``mastra_vector_<index>`` routes to the shared ``mastra_vectors`` table, scoped to the index.
VECTOR_TABLE_PREFIX = "mastra_vector_"

#: Rows read for one list (the handler returns the oldest rows first; more is flagged ``capped``).
LIST_READ_LIMIT = 1_000
#: Vectors per page (``ConvexVector`` pages 256 at a time), and pages read to count or compare.
VECTOR_PAGE = 256
COUNT_PAGES = 4
NEIGHBOUR_PAGES = 8


def _unsupported(exc: StorageError, op: str) -> bool:
    return exc.message.rstrip().endswith(f"Unsupported operation {op}")


class ConvexObservations:
    def __init__(self, handler: StorageHandler) -> None:
        self._h = handler

    def get_observational_memory(self, thread_id: str | None, resource_id: str) -> ObservationalMemory | None:
        history = self.get_observational_memory_history(thread_id, resource_id, 1)
        return history[0] if history else None

    def get_observational_memory_history(
        self, thread_id: str | None, resource_id: str, limit: int = 10, *, offset: int = 0
    ) -> list[ObservationalMemory]:
        check_limit(limit, what="get_observational_memory_history", offset=offset)
        lookup_key = f"thread:{thread_id}" if thread_id else f"resource:{resource_id}"
        args = {"tableName": OBSERVATIONAL_MEMORY, "lookupKey": lookup_key, "limit": limit, "offset": offset}
        try:
            result = self._h.request({"op": "omGetHistory", **args}, read=True).get("result")
            docs = [d for d in result or [] if isinstance(d, dict)]
        except StorageError as exc:
            if not _unsupported(exc, "omGetHistory"):
                raise
            # A handler older than @mastra/convex 1.4: the generic read, sorted here.
            rows, _ = self._h.query(OBSERVATIONAL_MEMORY, {"lookupKey": lookup_key}, limit=LIST_READ_LIMIT)
            rows.sort(key=lambda d: d.get("generationCount") or 0, reverse=True)
            docs = rows[offset : offset + limit]
        return [
            observational_memory_from_record(decode_json_strings(strip_system_fields(d), OM_JSON_FIELDS))
            for d in docs
        ]


class ConvexSchedules:
    def __init__(self, handler: StorageHandler) -> None:
        self._h = handler

    def list_schedules(self, *, status: str | None = None, workflow_id: str | None = None) -> ScheduleList:
        filters = {k: v for k, v in (("status", status), ("workflow_id", workflow_id)) if v is not None}
        rows, capped = self._h.query(SCHEDULES, filters or None, limit=LIST_READ_LIMIT)
        schedules = [schedule_from_record(decode_json_strings(r, SCHEDULE_JSON_FIELDS)) for r in rows]
        schedules.sort(key=lambda s: (s.created_at, s.id))
        return ScheduleList(schedules, capped=capped)

    def get_schedule(self, schedule_id: str) -> Schedule | None:
        row = self._h.load(SCHEDULES, {"id": schedule_id})
        return schedule_from_record(decode_json_strings(row, SCHEDULE_JSON_FIELDS)) if row else None

    def list_triggers(self, schedule_id: str, *, limit: int = 50) -> list[ScheduleTrigger]:
        check_limit(limit, what="list_triggers")
        result = self._h.request(
            {
                "op": "listScheduleTriggers",
                "tableName": SCHEDULE_TRIGGERS,
                "scheduleId": schedule_id,
                "limit": limit,
            },
            read=True,
        ).get("result")
        return [
            trigger_from_record(decode_json_strings(strip_system_fields(d), TRIGGER_JSON_FIELDS))
            for d in result or []
            if isinstance(d, dict)
        ]


class ConvexBackgroundTasks:
    def __init__(self, handler: StorageHandler) -> None:
        self._h = handler

    def list_tasks(
        self,
        *,
        status: str | None = None,
        thread_id: str | None = None,
        run_id: str | None = None,
        page: int = 0,
        per_page: int = 50,
    ) -> BackgroundTaskList:
        check_limit(per_page, what="list_tasks", offset=page)
        filters = {
            k: v
            for k, v in (("status", status), ("thread_id", thread_id), ("run_id", run_id))
            if v is not None
        }
        rows, capped = self._h.query(BACKGROUND_TASKS, filters or None, limit=LIST_READ_LIMIT)
        tasks = [task_from_record(decode_json_strings(r, TASK_JSON_FIELDS)) for r in rows]
        tasks.sort(key=lambda t: (t.created_at, t.id), reverse=True)
        selected, total, has_more = paginate(tasks, page, per_page)
        return BackgroundTaskList(selected, total, page, per_page, has_more, capped=capped)

    def get_task(self, task_id: str) -> BackgroundTask | None:
        row = self._h.load(BACKGROUND_TASKS, {"id": task_id})
        return task_from_record(decode_json_strings(row, TASK_JSON_FIELDS)) if row else None


class ConvexVectors:
    def __init__(self, handler: StorageHandler) -> None:
        self._h = handler

    def _registry(self) -> list[dict[str, Any]]:
        rows, _ = self._h.query(VECTOR_INDEXES, limit=LIST_READ_LIMIT)
        return sorted(rows, key=lambda r: str(r.get("indexName") or r.get("id") or ""))

    def _table(self, index_name: str) -> str:
        # "indexes" would address the registry itself (mastra_vector_indexes), not an index.
        if not index_name or index_name == "indexes":
            raise InvalidRequest(f"There is no vector index named {index_name!r}.")
        if self._h.load(VECTOR_INDEXES, {"id": index_name}) is None:
            raise InvalidRequest(f"There is no vector index named {index_name!r}.")
        return VECTOR_TABLE_PREFIX + index_name

    def _pages(
        self, table: str, pages: int, page_size: int = VECTOR_PAGE
    ) -> tuple[list[dict[str, Any]], bool]:
        """Up to ``pages`` pages of an index's vectors: ``(docs, complete)``."""
        docs: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(pages):
            args: dict[str, Any] = {"op": "queryTable", "tableName": table, "pageSize": page_size}
            if cursor is not None:
                args["cursor"] = cursor
            reply = self._h.request(args, read=True)
            docs.extend(d for d in reply.get("result") or [] if isinstance(d, dict))
            cursor = reply.get("continuationCursor")
            if not reply.get("hasMore") or not isinstance(cursor, str):
                return docs, True
        return docs, False

    def list_indexes(self) -> list[VectorIndex]:
        out = []
        for row in self._registry():
            name = str(row.get("indexName") or row.get("id") or "")
            if not name or name == "indexes":
                continue
            docs, complete = self._pages(VECTOR_TABLE_PREFIX + name, COUNT_PAGES)
            dimension = row.get("dimension")
            out.append(
                VectorIndex(
                    name=name,
                    dimension=dimension
                    if isinstance(dimension, int) and not isinstance(dimension, bool)
                    else None,
                    metric=str(row.get("metric") or "cosine"),
                    count=len(docs),
                    count_capped=not complete,
                )
            )
        return out

    def sample(self, index_name: str, *, limit: int = 5) -> list[StoredVector]:
        check_limit(limit, what="sample")
        docs, _ = self._pages(self._table(index_name), 1, page_size=limit)
        return [stored_vector(d.get("id"), d.get("embedding"), d.get("metadata")) for d in docs[:limit]]

    def get_vector(self, index_name: str, vector_id: str) -> StoredVector | None:
        doc = self._h.load(self._table(index_name), {"id": vector_id})
        return stored_vector(doc.get("id"), doc.get("embedding"), doc.get("metadata")) if doc else None

    def neighbours(self, index_name: str, vector_id: str, *, top_k: int = 5) -> Neighbours | None:
        check_limit(top_k, what="neighbours")
        of = self.get_vector(index_name, vector_id)
        if of is None:
            return None
        docs, complete = self._pages(VECTOR_TABLE_PREFIX + index_name, NEIGHBOUR_PAGES)
        candidates = [stored_vector(d.get("id"), d.get("embedding"), d.get("metadata")) for d in docs]
        return Neighbours(
            of=of, items=rank_neighbours(of, candidates, top_k), scanned=len(candidates), complete=complete
        )
