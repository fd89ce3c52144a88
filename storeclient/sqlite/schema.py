"""The five core tables of ``@mastra/libsql`` 1.23.1, exactly as its ``init()`` creates them, and the
dashboard's own (optional, clearly named) indexes.

The DDL strings are byte-for-byte what ``sqlite_master.sql`` holds in a file Mastra initialised, so a
file this store creates is indistinguishable from Mastra's (apart from the ``dashboard_idx_*``
indexes). Existing tables are never altered: a file from an older Mastra that lacks a newer column
is read with ``NULL`` in its place (columns are always selected by name).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..models import SCORE_JSON_FIELDS

THREADS = "mastra_threads"
MESSAGES = "mastra_messages"
RESOURCES = "mastra_resources"
RUNS = "mastra_workflow_snapshot"
SCORES = "mastra_scorers"

CORE_TABLES = (THREADS, MESSAGES, RESOURCES, RUNS, SCORES)

TABLE_DDL: dict[str, str] = {
    THREADS: """CREATE TABLE mastra_threads (
  "id" TEXT NOT NULL PRIMARY KEY,
  "resourceId" TEXT NOT NULL,
  "title" TEXT NOT NULL,
  "metadata" TEXT,
  "createdAt" TEXT NOT NULL,
  "updatedAt" TEXT NOT NULL
)""",
    MESSAGES: """CREATE TABLE mastra_messages (
  "id" TEXT NOT NULL PRIMARY KEY,
  "thread_id" TEXT NOT NULL,
  "content" TEXT NOT NULL,
  "role" TEXT NOT NULL,
  "type" TEXT NOT NULL,
  "createdAt" TEXT NOT NULL,
  "resourceId" TEXT
)""",
    RESOURCES: """CREATE TABLE mastra_resources (
  "id" TEXT NOT NULL PRIMARY KEY,
  "workingMemory" TEXT,
  "metadata" TEXT,
  "createdAt" TEXT NOT NULL,
  "updatedAt" TEXT NOT NULL
)""",
    RUNS: """CREATE TABLE mastra_workflow_snapshot (
  "workflow_name" TEXT,
  "run_id" TEXT,
  "resourceId" TEXT,
  "snapshot" TEXT,
  "createdAt" TEXT,
  "updatedAt" TEXT,
  UNIQUE (workflow_name, run_id)
)""",
    SCORES: """CREATE TABLE mastra_scorers (
  "id" TEXT NOT NULL PRIMARY KEY,
  "scorerId" TEXT,
  "traceId" TEXT,
  "spanId" TEXT,
  "runId" TEXT,
  "scorer" TEXT,
  "preprocessStepResult" TEXT,
  "extractStepResult" TEXT,
  "analyzeStepResult" TEXT,
  "score" REAL,
  "reason" TEXT,
  "metadata" TEXT,
  "preprocessPrompt" TEXT,
  "extractPrompt" TEXT,
  "generateScorePrompt" TEXT,
  "generateReasonPrompt" TEXT,
  "analyzePrompt" TEXT,
  "reasonPrompt" TEXT,
  "input" TEXT,
  "output" TEXT,
  "additionalContext" TEXT,
  "requestContext" TEXT,
  "entityType" TEXT,
  "entity" TEXT,
  "entityId" TEXT,
  "source" TEXT,
  "resourceId" TEXT,
  "threadId" TEXT,
  "organizationId" TEXT,
  "projectId" TEXT,
  "batchId" TEXT,
  "datasetId" TEXT,
  "datasetItemId" TEXT,
  "createdAt" TEXT,
  "updatedAt" TEXT
)""",
}

#: Indexes Mastra's ``init()`` creates with the messages table; created with it when it is missing.
MASTRA_INDEX_DDL: dict[str, tuple[str, ...]] = {
    MESSAGES: (
        'CREATE INDEX IF NOT EXISTS idx_messages_thread_created_at ON mastra_messages (thread_id, "createdAt")',
        "CREATE INDEX IF NOT EXISTS idx_messages_thread_resource_created_at "
        'ON mastra_messages (thread_id, "resourceId", "createdAt")',
    ),
}


@cache  # the DDL is constant; a bulk save asks once per row
def columns_of(table: str) -> tuple[str, ...]:
    """The column names of a core table, in DDL order."""
    names: list[str] = []
    for line in TABLE_DDL[table].splitlines()[1:]:
        line = line.strip()
        if line.startswith('"'):
            names.append(line.split('"')[1])
    return tuple(names)


#: Columns holding JSON (written by Mastra as JSONB blobs, by this store as JSON text).
JSON_COLUMNS: dict[str, frozenset[str]] = {
    THREADS: frozenset({"metadata"}),
    MESSAGES: frozenset(),  # content is plain JSON text, never JSONB
    RESOURCES: frozenset({"metadata"}),
    RUNS: frozenset({"snapshot"}),
    SCORES: frozenset(SCORE_JSON_FIELDS),
}


@dataclass(frozen=True)
class RecommendedIndex:
    """An index the dashboard wants for one of its feeds or filters (Mastra's layout has almost none).

    Purely additive: Mastra never looks at it, and ``DROP INDEX <name>`` removes it again.
    """

    name: str
    table: str
    columns: tuple[str, ...]
    purpose: str

    @property
    def sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return f"CREATE INDEX IF NOT EXISTS {self.name} ON {self.table} ({cols})"


RECOMMENDED_INDEXES: tuple[RecommendedIndex, ...] = (
    RecommendedIndex(
        "dashboard_idx_threads_updated",
        THREADS,
        ("updatedAt", "id"),
        "thread list, most recently updated first; listThreads ordered by updatedAt",
    ),
    RecommendedIndex(
        "dashboard_idx_threads_created",
        THREADS,
        ("createdAt", "id"),
        "listThreads in Mastra's default order (createdAt)",
    ),
    RecommendedIndex(
        "dashboard_idx_threads_resource_updated",
        THREADS,
        ("resourceId", "updatedAt", "id"),
        "a resource's threads",
    ),
    RecommendedIndex(
        "dashboard_idx_messages_thread_created",
        MESSAGES,
        ("thread_id", "createdAt", "id"),
        "a thread's messages, newest page first, with a stable order for equal timestamps",
    ),
    RecommendedIndex(
        "dashboard_idx_resources_updated",
        RESOURCES,
        ("updatedAt", "id"),
        "resource list, most recently updated first",
    ),
    RecommendedIndex(
        "dashboard_idx_runs_created",
        RUNS,
        ("createdAt", "run_id", "workflow_name"),
        "workflow runs, newest first",
    ),
    RecommendedIndex(
        "dashboard_idx_runs_workflow_created",
        RUNS,
        ("workflow_name", "createdAt", "run_id"),
        "runs of one workflow; distinct workflow names",
    ),
    RecommendedIndex(
        "dashboard_idx_runs_resource_created",
        RUNS,
        ("resourceId", "createdAt", "run_id", "workflow_name"),
        "runs of one resource",
    ),
    RecommendedIndex(
        "dashboard_idx_runs_updated",
        RUNS,
        ("updatedAt", "workflow_name", "run_id"),
        "run_changes, the change feed of the dashboard's run-status counts",
    ),
    RecommendedIndex(
        "dashboard_idx_runs_run_id",
        RUNS,
        ("run_id",),
        "getWorkflowRunById without a workflow name",
    ),
    RecommendedIndex(
        "dashboard_idx_scores_scorer_created_score",
        SCORES,
        ("scorerId", "createdAt", "id", "score", "source"),
        "scores of one scorer, newest first; distinct scorer ids; the score series and chart buckets "
        "read from the index alone (no row lookups), also with a LIVE/TEST filter",
    ),
    RecommendedIndex(
        "dashboard_idx_scores_scorer_score",
        SCORES,
        ("scorerId", "score", "id"),
        "scores of one scorer, lowest first",
    ),
    RecommendedIndex(
        "dashboard_idx_scores_run",
        SCORES,
        ("runId", "createdAt", "id"),
        "listScoresByRunId",
    ),
    RecommendedIndex(
        "dashboard_idx_scores_entity",
        SCORES,
        ("entityId", "entityType", "createdAt", "id"),
        "listScoresByEntityId",
    ),
)
