"""The domain interface every store implements (``ConvexStore``, ``SQLiteStore``).

Two layers live side by side on each domain object:

* **Mastra's storage API**, in snake_case, with Mastra's semantics (sort orders, ``page``/``per_page``
  with ``per_page=False`` for all, totals, ``has_more``, filters, ``include``). A record written by a
  Python store reads correctly in Mastra's TypeScript stores and the reverse.
* **Dashboard additions** the views use: newest-first cursor feeds (``*_feed``), distinct values,
  bounded counts, score series, and conflict-safe working-memory saves. These cost O(page) where
  the backend allows it; where it cannot (Convex's standard handler), results say so (``capped``).

Views talk to a store only through this interface.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from .models import (
    BackgroundTask,
    BackgroundTaskList,
    ChangePage,
    Count,
    Feed,
    MemoryVersion,
    Message,
    MessageList,
    MessageWindow,
    Neighbours,
    ObservationalMemory,
    PerPage,
    Resource,
    RunList,
    RunStatusChange,
    Schedule,
    ScheduleList,
    ScheduleTrigger,
    Score,
    ScoreBuckets,
    ScoreList,
    ScoreRow,
    ScoreSeries,
    StoredVector,
    StoreHealth,
    Thread,
    ThreadList,
    VectorIndex,
    WorkflowRun,
)

OrderField = Literal["createdAt", "updatedAt"]
Direction = Literal["ASC", "DESC"]


class IncludeSpec(Protocol):
    """``listMessages`` ``include`` item: a message id plus how many neighbours around it."""

    id: str
    thread_id: str | None
    with_previous_messages: int
    with_next_messages: int


class MemoryDomain(Protocol):
    # --- Mastra API -------------------------------------------------------------------------
    def get_thread_by_id(self, thread_id: str, *, resource_id: str | None = None) -> Thread | None:
        """The thread, or ``None``; also ``None`` when ``resource_id`` is given and differs."""
        ...

    def list_threads(
        self,
        *,
        resource_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        page: int = 0,
        per_page: PerPage = 100,
        order_by: OrderField = "createdAt",
        direction: Direction = "DESC",
    ) -> ThreadList:
        """Mastra's ``listThreads``. Metadata filter: top-level strict equality, AND-combined; keys
        must match ``^[A-Za-z_][A-Za-z0-9_]*$`` (``InvalidRequest`` before any I/O otherwise).
        ``per_page=False`` requires ``page == 0``; negative values raise ``InvalidRequest``."""
        ...

    def save_thread(self, thread: Thread) -> Thread:
        """Upsert the whole thread; returns it unchanged."""
        ...

    def save_threads(self, threads: Sequence[Thread]) -> list[Thread]:
        """``save_thread`` for each, in as few writes as the store allows (a dashboard addition,
        for demo data and imports: one transaction on SQLite)."""
        ...

    def update_thread(
        self, thread_id: str, *, title: str | None = None, metadata: Mapping[str, Any] | None = None
    ) -> Thread:
        """Rename and/or shallow-merge metadata, bump ``updatedAt``. ``StorageError`` if missing."""
        ...

    def delete_thread(self, thread_id: str) -> None:
        """Delete the thread and its messages."""
        ...

    def list_messages(
        self,
        thread_id: str | Sequence[str],
        *,
        resource_id: str | None = None,
        include: Sequence[Mapping[str, Any]] | None = None,
        date_from: datetime | str | None = None,
        date_to: datetime | str | None = None,
        start_exclusive: bool = False,
        end_exclusive: bool = False,
        page: int = 0,
        per_page: PerPage = 40,
        order_by: OrderField = "createdAt",
        direction: Direction = "ASC",
    ) -> MessageList:
        """Mastra's ``listMessages``. ``include`` items are mappings with ``id`` and optional
        ``threadId``, ``withPreviousMessages``, ``withNextMessages`` (Mastra's camelCase keys).
        Messages have no ``updatedAt``: ordering by it is oldest first whatever the direction, as
        in Mastra's stores. Empty or blank thread ids raise ``InvalidRequest``. ``date_from`` and
        ``date_to`` take a ``datetime`` or an ISO string, as Mastra takes a ``Date`` or a string."""
        ...

    def list_messages_by_id(self, message_ids: Sequence[str]) -> list[Message]:
        """The messages with these ids, oldest first; unknown ids are left out."""
        ...

    def save_messages(self, messages: Sequence[Message]) -> list[Message]:
        """Upsert messages (an existing id with a new thread moves the message) and bump each
        affected thread's ``updatedAt``. Every message needs ``thread_id`` and ``resource_id``
        (``InvalidRequest`` before any write otherwise)."""
        ...

    def get_resource_by_id(self, resource_id: str) -> Resource | None: ...

    def save_resource(self, resource: Resource) -> Resource: ...

    def update_resource(
        self,
        resource_id: str,
        *,
        working_memory: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Resource:
        """Upsert: creates the resource when missing; otherwise sets ``working_memory`` if given,
        shallow-merges ``metadata`` if given, and bumps ``updatedAt``."""
        ...

    # --- dashboard additions ----------------------------------------------------------------
    def thread_feed(
        self,
        *,
        resource_id: str | None = None,
        title_contains: str | None = None,
        cursor: str | None = None,
        limit: int = 25,
        resource_prefix: str | None = None,
        id_prefix: str | None = None,
    ) -> Feed[Thread]:
        """Threads, most recently updated first. When a title search can only look at part of the
        data, ``note`` says so. (On Convex with the dashboard module, one resource's threads come
        newest *created* first: Mastra's ``by_resource`` index has no time field to sort by.)

        ``resource_prefix`` / ``id_prefix``: only threads whose resource id / own id starts with
        it, ASCII case ignored, read through index ranges (``storeclient.prefix``). The list is
        then grouped by that id (last id first), newest first within one id. ``resource_id``
        still filters on the exact id."""
        ...

    def message_feed(self, thread_id: str, *, cursor: str | None = None, limit: int = 40) -> Feed[Message]:
        """A thread's messages, newest first (the view reverses a page for display)."""
        ...

    def message_window(
        self, thread_id: str, message_id: str, *, before: int = 20, after: int = 20
    ) -> MessageWindow:
        """The message ``message_id`` of ``thread_id`` with up to ``before`` older and ``after``
        newer messages, for links to one message ("open the thread at this message")."""
        ...

    def resource_feed(
        self, *, cursor: str | None = None, limit: int = 25, id_prefix: str | None = None
    ) -> Feed[Resource]:
        """Resources, most recently updated first; with ``id_prefix``, those whose id starts with
        it (ASCII case ignored), by id, last first."""
        ...

    # --- change feeds for the dashboard's own index (DESIGN 5b) ------------------------------
    def message_changes(self, cursor: str | None = None, *, limit: int = 500) -> ChangePage[Message]:
        """Every message of every thread in the order it was first written, oldest first, after
        ``cursor`` (``None``: from the very first). O(limit) records per call, however large the
        store; a call when nothing was written reads O(1) records. A message re-saved in place
        (edited) keeps its position: edits and deletions are found through ``thread_changes``
        (every message save bumps its thread's ``updatedAt``) and ``existing_thread_ids``.
        ``limit`` is 1..1000 (``InvalidRequest`` otherwise); a cursor from another feed or store
        raises ``InvalidRequest``."""
        ...

    def thread_changes(self, cursor: str | None = None, *, limit: int = 200) -> ChangePage[Thread]:
        """Threads in ``updatedAt`` order, oldest first, after ``cursor``: a thread comes again
        each time its ``updatedAt`` moves (a message saved, a rename, a metadata or working-memory
        change). A change is handed out only once its ``updatedAt`` is ``change_settle_seconds`` old
        (see ``storeclient.changes``), so a write that commits a little late is still ahead of the
        cursor; callers still upsert, as Convex without the module can repeat items.
        O(limit) per call, O(1) when idle."""
        ...

    def resource_changes(self, cursor: str | None = None, *, limit: int = 200) -> ChangePage[Resource]:
        """Resources in ``updatedAt`` order, oldest first, after ``cursor`` (working-memory
        edits); same settle and cost rules as ``thread_changes``."""
        ...

    def existing_thread_ids(self, thread_ids: Sequence[str]) -> set[str]:
        """Which of these thread ids still exist (at most 1,000 ids per call; O(ids) reads), so
        the indexer can drop deleted threads."""
        ...

    def save_resource_working_memory(
        self, resource_id: str, working_memory: str, *, expected: MemoryVersion | None
    ) -> Resource:
        """Set a resource's working memory only if its stored version equals ``expected``
        (``None``: the resource must not exist yet, or have no working memory). On mismatch raise
        ``ConflictError`` carrying the current ``Resource`` and write nothing. Metadata is kept."""
        ...

    def save_thread_working_memory(
        self, thread_id: str, working_memory: str, *, expected: MemoryVersion | None
    ) -> Thread:
        """The same for ``thread.metadata.workingMemory``; title and other metadata are kept."""
        ...


class WorkflowsDomain(Protocol):
    def persist_workflow_snapshot(
        self,
        workflow_name: str,
        run_id: str,
        snapshot: Mapping[str, Any] | str,
        *,
        resource_id: str | None = None,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
    ) -> None:
        """Upsert on (workflow_name, run_id); re-persisting keeps the original ``createdAt``."""
        ...

    def load_workflow_snapshot(self, workflow_name: str, run_id: str) -> dict[str, Any] | None: ...

    def list_workflow_runs(
        self,
        *,
        workflow_name: str | None = None,
        resource_id: str | None = None,
        status: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        page: int | None = None,
        per_page: PerPage | None = None,
    ) -> RunList:
        """Newest ``createdAt`` first; dates inclusive; pagination only when both ``page`` and
        ``per_page`` are given (Mastra's rule)."""
        ...

    def get_workflow_run_by_id(
        self, run_id: str, *, workflow_name: str | None = None
    ) -> WorkflowRun | None: ...

    def delete_workflow_run_by_id(self, run_id: str, *, workflow_name: str) -> None: ...

    # --- dashboard additions ----------------------------------------------------------------
    def run_feed(
        self,
        *,
        workflow_name: str | None = None,
        status: str | None = None,
        resource_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        cursor: str | None = None,
        limit: int = 25,
        workflow_prefix: str | None = None,
        resource_prefix: str | None = None,
    ) -> Feed[WorkflowRun]:
        """Runs, newest first. ``workflow_prefix`` / ``resource_prefix``: only runs whose workflow
        name / resource id starts with it (ASCII case ignored), grouped by that value (the
        workflow's when both are given), newest first within one value."""
        ...

    def workflow_names(self) -> list[str]:
        """Distinct workflow names present, sorted."""
        ...

    def run_changes(self, cursor: str | None = None, *, limit: int = 500) -> ChangePage[RunStatusChange]:
        """Runs in ``updatedAt`` order, oldest first, after ``cursor``, as key and status only (for
        the dashboard's run-status counts): a run comes again each time its snapshot is persisted.
        Same settle and cost rules as ``MemoryDomain.thread_changes``; deletions are found with
        ``existing_runs``. On Convex the feed is always empty and ``limited`` (no index finds the
        runs whose status changed)."""
        ...

    def existing_runs(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these ``(workflow_name, run_id)`` still exist (at most 1,000 per call)."""
        ...

    def status_counts(
        self,
        *,
        workflow_name: str | None = None,
        resource_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        cap: int = 10_000,
        workflow_prefix: str | None = None,
        resource_prefix: str | None = None,
    ) -> dict[str, Count]:
        """Runs per snapshot status under the filter (status ``None`` counted as ``"unknown"``);
        the prefixes mean what they mean for ``run_feed``."""
        ...


class ScoresDomain(Protocol):
    def save_score(self, score: Mapping[str, Any], *, created_at: datetime | None = None) -> Score:
        """Save a score payload (camelCase keys, no ``id``/dates): assigns a new id and timestamps,
        like Mastra. Unknown keys are dropped; ``None`` values are left out. ``created_at``
        (a dashboard addition, for imports and demo data) back-dates both timestamps."""
        ...

    def get_score_by_id(self, score_id: str) -> Score | None: ...

    def save_scores(self, scores: Sequence[tuple[Mapping[str, Any], datetime | None]]) -> list[str]:
        """``save_score(payload, created_at=...)`` for each pair in as few writes as the store
        allows (a dashboard addition, for demo data and imports): one transaction on SQLite, which
        writes nothing when one payload is refused; ``batchInsert`` chunks on Convex. Returns the
        saved ids in order."""
        ...

    def list_scores_by_scorer_id(
        self,
        scorer_id: str,
        *,
        entity_id: str | None = None,
        entity_type: str | None = None,
        source: str | None = None,
        page: int = 0,
        per_page: PerPage = 100,
    ) -> ScoreList:
        """Newest first. Negative page raises ``InvalidRequest``."""
        ...

    def list_scores_by_run_id(self, run_id: str, *, page: int = 0, per_page: PerPage = 100) -> ScoreList: ...

    def list_scores_by_entity_id(
        self, entity_id: str, entity_type: str, *, page: int = 0, per_page: PerPage = 100
    ) -> ScoreList: ...

    # --- dashboard additions ----------------------------------------------------------------
    def score_changes(self, cursor: str | None = None, *, limit: int = 500) -> ChangePage[Score]:
        """Every score in the order it was written, oldest first, after ``cursor`` (``None``: from
        the first), for the dashboard's aggregates (DESIGN 5b). O(limit) per call, O(1) when
        idle. A score saved again under its id may come again (callers upsert by id); deletions
        are not reported. ``limited`` (Convex without the dashboard module) says the feed is
        only an approximation. ``limit`` is 1..1000; a foreign cursor raises ``InvalidRequest``."""
        ...

    def scorer_ids(self) -> list[str]:
        """Distinct scorer ids present, sorted."""
        ...

    def score_feed(
        self,
        scorer_id: str,
        *,
        source: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        lowest_first: bool = False,
        highest_first: bool = False,
        cursor: str | None = None,
        limit: int = 25,
        entity_prefix: str | None = None,
    ) -> Feed[Score]:
        """Newest first, or lowest (``lowest_first``) or highest (``highest_first``) score first;
        asking for both raises ``InvalidRequest``. Scores that are not finite numbers come last
        on Convex; SQLite orders them as it stores them (text above numbers). ``entity_prefix``:
        only scores whose entity id starts with it (ASCII case ignored); newest first is then
        grouped by entity (the entity index's ranges), newest first within one; score orders
        stay score orders."""
        ...

    def score_rows(
        self,
        scorer_id: str,
        columns: Sequence[str],
        *,
        source: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        lowest_first: bool = False,
        highest_first: bool = False,
        entity_prefix: str | None = None,
        chunk: int = 500,
    ) -> Iterator[ScoreRow]:
        """Every score ``score_feed`` would list under these filters, in its order, as a tuple of
        ``columns`` (camelCase field names; ``InvalidRequest`` for one a score does not have),
        read ``chunk`` at a time and decoded only as far as those columns need: for exports. Each
        value is ``storeclient.records.score_row``'s. The first chunk is read before this returns,
        so a bad filter or an unreachable store raises here, not part-way through a download."""
        ...

    def score_series(
        self,
        scorer_id: str,
        *,
        source: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        entity_prefix: str | None = None,
        max_points: int = 5_000,
    ) -> ScoreSeries:
        """``(created_at, score)`` pairs in the range, oldest first, at most ``max_points``."""
        ...

    def score_buckets(
        self,
        scorer_id: str,
        *,
        source: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        entity_prefix: str | None = None,
        bucket_seconds: int = 86_400,
        origin: datetime | None = None,
    ) -> ScoreBuckets:
        """Count, mean, min and max of the scores in each ``bucket_seconds``-long bucket, exact over
        every score in range (a chart over 100k scores stays correct where ``score_series`` samples).

        Buckets start at ``origin + k * bucket_seconds`` (``origin`` defaults to the Unix epoch and is
        taken at whole seconds; pass a Monday for weeks starting on Monday). Empty buckets are left
        out. ``bucket_seconds`` must be a whole number >= 1 (``InvalidRequest`` otherwise).
        """
        ...


class Store(Protocol):
    # Read-only properties, so a store's own domain classes satisfy the protocol structurally.
    @property
    def memory(self) -> MemoryDomain: ...

    @property
    def workflows(self) -> WorkflowsDomain: ...

    @property
    def scores(self) -> ScoresDomain: ...

    @property
    def observations(self) -> ObservationalMemoryDomain: ...

    @property
    def schedules(self) -> SchedulesDomain: ...

    @property
    def background_tasks(self) -> BackgroundTasksDomain: ...

    @property
    def vectors(self) -> VectorsDomain: ...

    @property
    def atomic_saves(self) -> bool:
        """Whether conditional working-memory saves are atomic here (no I/O: known or probed once)."""
        ...

    @property
    def max_document_bytes(self) -> int | None:
        """The largest record the backend stores, in bytes (Convex: 1 MiB per document), or ``None``
        when the store sets no limit of its own. Callers keep values well below it."""
        ...

    def health(self) -> StoreHealth:
        """Cheap check that the backend answers and accepts our credentials; never raises."""
        ...

    def counts(self, *, cap: int = 10_000, kinds: Collection[str] | None = None) -> dict[str, Count]:
        """Bounded counts for the overview: ``threads``, ``messages``, ``resources``, ``runs``,
        ``scores`` (``COUNTED_KINDS``), or only those of ``kinds``; each stops at ``cap`` and says
        so. An unknown kind is an ``InvalidRequest``."""
        ...

    def describe(self) -> str:
        """Where the data lives, for the page footer (never a secret)."""
        ...

    def close(self) -> None: ...


# --- what the agent runtime stores beyond conversations ------------------------------------------
# Read-only: these records are written by Mastra (@mastra/memory, the workflow scheduler, the
# background-task manager, semantic recall). A mastra.db without the table (an older Mastra, or a
# file the dashboard created) reads as empty.


class ObservationalMemoryDomain(Protocol):
    def get_observational_memory(self, thread_id: str | None, resource_id: str) -> ObservationalMemory | None:
        """Mastra's ``getObservationalMemory``: the latest generation for ``thread:<thread_id>``, or
        for ``resource:<resource_id>`` when ``thread_id`` is ``None``."""
        ...

    def get_observational_memory_history(
        self, thread_id: str | None, resource_id: str, limit: int = 10, *, offset: int = 0
    ) -> list[ObservationalMemory]:
        """Mastra's ``getObservationalMemoryHistory``: generations newest first."""
        ...


class SchedulesDomain(Protocol):
    def list_schedules(self, *, status: str | None = None, workflow_id: str | None = None) -> ScheduleList:
        """Every schedule, oldest first by ``created_at`` (Mastra's order); bounded on Convex."""
        ...

    def get_schedule(self, schedule_id: str) -> Schedule | None: ...

    def list_triggers(self, schedule_id: str, *, limit: int = 50) -> list[ScheduleTrigger]:
        """The schedule's fire attempts, newest first (Mastra's ``listTriggers``)."""
        ...


class BackgroundTasksDomain(Protocol):
    def list_tasks(
        self,
        *,
        status: str | None = None,
        thread_id: str | None = None,
        run_id: str | None = None,
        page: int = 0,
        per_page: int = 50,
    ) -> BackgroundTaskList:
        """Tasks newest first by ``createdAt``, with equality filters; bounded on Convex."""
        ...

    def get_task(self, task_id: str) -> BackgroundTask | None: ...


class VectorsDomain(Protocol):
    def list_indexes(self) -> list[VectorIndex]:
        """Every vector index with dimension, metric and a bounded count."""
        ...

    def sample(self, index_name: str, *, limit: int = 5) -> list[StoredVector]:
        """The first ``limit`` stored vectors of an index (metadata and embedding)."""
        ...

    def get_vector(self, index_name: str, vector_id: str) -> StoredVector | None: ...

    def neighbours(self, index_name: str, vector_id: str, *, top_k: int = 5) -> Neighbours | None:
        """The stored vectors nearest to a stored one by cosine similarity, from the stored
        embeddings only (no model call); ``None`` when the vector does not exist. The scan is
        bounded, and the result says when it did not compare every vector."""
        ...
