"""The drift check: everything the pinned Mastra packages can store is either read by the Python
stores or on an explicit, commented skip list, so a Mastra upgrade cannot silently hide data.

Inventories, from the packages themselves (never from our own notes):

* ``@mastra/convex`` (convex/node_modules): the table definitions ``@mastra/convex/schema`` exports
  (each must be deployed in convex/schema.ts, whose names we then check), and the ops of the
  storage handler (``mastra/storage:handle``), read from the ``case '<op>'`` labels of
  ``src/server/storage.ts`` and ``src/server/observational-memory.ts`` in the package's source map.
* ``@mastra/libsql``: the tables ``LibSQLStore.init()`` creates in a fresh file, and the public
  methods of its memory, workflows and scores domains (tests/node/mastra_inventory.mjs).

"Read" means the name appears in storeclient's code: a table name as a string literal, an op as
``"op": "<op>"``, a domain method as the snake_case method on both Python stores.

When this fails after an upgrade: look at what Mastra added, then either read it (and show it)
or add it below with the reason it is not the dashboard's business.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storeclient.convex.memory import ConvexMemory
from storeclient.convex.runtime import ConvexBackgroundTasks, ConvexObservations, ConvexSchedules
from storeclient.convex.scores import ConvexScores
from storeclient.convex.workflows import ConvexWorkflows
from storeclient.sqlite.memory import SQLiteMemory
from storeclient.sqlite.runtime import SQLiteBackgroundTasks, SQLiteObservations, SQLiteSchedules
from storeclient.sqlite.scores import SQLiteScores
from storeclient.sqlite.workflows import SQLiteWorkflows
from tests.storeclient.sqlite.nodetools import needs_node, run_node

REPO = Path(__file__).resolve().parents[2]
STORECLIENT = REPO / "storeclient"
CONVEX_PACKAGE = REPO / "convex" / "node_modules" / "@mastra" / "convex"

# --- what we knowingly do not read, and why ------------------------------------------------------

#: Tables (Convex deployed names and libsql table names) the dashboard does not read.
SKIPPED_TABLES: dict[str, str] = {
    # Agent channels: nothing in @mastra/core writes them, and `data` holds bot and app tokens
    # (core calls it "stored encrypted"; both adapters store whatever they are given). A
    # dashboard shared by a team must not display platform credentials.
    "mastra_channel_installations": "channel credentials (bot tokens); not shown on purpose",
    "mastra_channel_config": "channel app config tokens; not shown on purpose",
    # The server cache (ConvexServerCache) is not storage: its own function (mastra/cache:handle),
    # short TTLs, replay buffers of workflow streams.
    "mastra_cache": "server cache, not storage (mastra/cache:handle)",
    "mastra_cache_list_items": "server cache list items, not storage",
    # Fallback bucket for names the deployed handler does not type; empty with a matching client
    # and server (reference §1.8). Legacy rows of typed tables are merged in by the handler itself.
    "mastra_documents": "handler fallback table; the handler merges legacy rows into typed reads",
    # libsql creates these for Mastra's other products (editor, observability, datasets, knowledge,
    # workspaces, MCP registry ...), not agent memory, workflow runs or evaluation: out of the
    # dashboard's scope (DESIGN §1). Listed one by one so a new table still fails the check.
    "mastra_agents": "agent editor definitions",
    "mastra_agent_versions": "agent editor versions",
    "mastra_ai_spans": "observability traces (Mastra's tracing UI)",
    "mastra_datasets": "datasets product",
    "mastra_dataset_items": "datasets product",
    "mastra_dataset_versions": "datasets product",
    "mastra_experiments": "experiments product",
    "mastra_experiment_results": "experiments product",
    "mastra_favorites": "Studio favourites",
    "mastra_harness_sessions": "agent harness sessions",
    "mastra_knowledge_activity": "knowledge product",
    "mastra_knowledge_cursors": "knowledge product",
    "mastra_knowledge_mentions": "knowledge product",
    "mastra_knowledge_nodes": "knowledge product",
    "mastra_knowledge_records": "knowledge product",
    "mastra_knowledge_semantic_outbox": "knowledge product",
    "mastra_mcp_clients": "MCP registry",
    "mastra_mcp_client_versions": "MCP registry",
    "mastra_mcp_servers": "MCP registry",
    "mastra_mcp_server_versions": "MCP registry",
    "mastra_notifications": "notifications product",
    "mastra_prompt_blocks": "prompt editor",
    "mastra_prompt_block_versions": "prompt editor",
    "mastra_scorer_definitions": "scorer editor definitions (scores themselves are read)",
    "mastra_scorer_definition_versions": "scorer editor versions",
    "mastra_skills": "skills product",
    "mastra_skill_blobs": "skills product",
    "mastra_skill_versions": "skills product",
    "mastra_thread_state": "agent-controller thread state (runtime scratch, not conversation)",
    "mastra_tool_provider_connections": "tool provider credentials; not shown on purpose",
    "mastra_workflow_definitions": "workflow editor definitions (runs are read)",
    "mastra_workspaces": "workspaces product",
    "mastra_workspace_versions": "workspaces product",
}

#: Handler ops the Python stores never send. Writes of the agent runtime are Mastra's to make:
#: the dashboard reads what they wrote.
SKIPPED_OPS: dict[str, str] = {
    "clearTable": "destructive; the dashboard never empties a table",
    "dropTable": "destructive; the dashboard never drops a table",
    "createSchedule": "written by Mastra's scheduler / schedules API",
    "updateSchedule": "written by Mastra's schedules API (pause/resume go through the Mastra server)",
    "updateScheduleNextFire": "the scheduler's compare-and-set claim",
    "listDueSchedules": "the scheduler's tick query; the dashboard lists all schedules",
    "recordScheduleTrigger": "written by the scheduler",
    "deleteScheduleTriggers": "written by the schedules API on delete",
    "omUpdateActive": "observational-memory writer (@mastra/memory)",
    "omAppendBufferedChunk": "observational-memory writer",
    "omSwapBuffered": "observational-memory writer",
    "omUpdateBufferedReflection": "observational-memory writer",
    "omSwapBufferedReflection": "observational-memory writer",
    "omUpdateConfig": "observational-memory writer",
    # The dashboard reads a generation list with omGetHistory (limit 1 for the latest).
    "omGetLatest": "covered by omGetHistory with limit 1",
    # The workflow engine's snapshot merges (see updateWorkflowResults below).
    "mergeWorkflowStepResult": "workflow-engine write path (updateWorkflowResults); not ported yet",
    "mergeWorkflowState": "workflow-engine write path (updateWorkflowState); not ported yet",
}

#: libsql domain methods with no Python counterpart, and why.
SKIPPED_METHODS: dict[str, str] = {
    # Plumbing, not storage API.
    "init": "schema setup",
    "toRawConfig": "adapter plumbing",
    "prune": "retention sweep (Mastra's own job)",
    "dangerouslyClearAll": "destructive test helper",
    "parseRow": "row decoding helper",
    "parseOMRow": "row decoding helper",
    "parseOrderBy": "argument helper",
    "parseWorkflowRun": "row decoding helper",
    "transformScoreRow": "row decoding helper",
    "validateMetadataKeys": "argument helper (check_metadata_filter)",
    "validatePagination": "argument helper (check_page)",
    "validatePaginationInput": "argument helper (check_page)",
    "setupPragmaSettings": "connection setup",
    "supportsConcurrentUpdates": "capability flag",
    "getOMKey": "observational-memory lookup-key helper",
    "deepMergeConfig": "observational-memory config helper",
    # Observational-memory writes: @mastra/memory's, not the dashboard's.
    "initializeObservationalMemory": "OM writer",
    "insertObservationalMemoryRecord": "OM writer",
    "createReflectionGeneration": "OM writer",
    "updateActiveObservations": "OM writer",
    "updateBufferedObservations": "OM writer",
    "updateBufferedReflection": "OM writer",
    "swapBufferedToActive": "OM writer",
    "swapBufferedReflectionToActive": "OM writer",
    "setObservingFlag": "OM writer",
    "setReflectingFlag": "OM writer",
    "setBufferingObservationFlag": "OM writer",
    "setBufferingReflectionFlag": "OM writer",
    "setPendingMessageTokens": "OM writer",
    "updateObservationalMemoryConfig": "OM writer",
    "clearObservationalMemory": "OM writer (destructive)",
    # Thread surgery the dashboard does not offer.
    "cloneThread": "agent-runtime thread cloning",
    "copyThread": "agent-runtime thread copying",
    "patchThread": "agent-runtime partial update (update_thread covers the dashboard's edits)",
    "updateThreadMetadata": "agent-runtime metadata write (update_thread covers it)",
    "updateThreadResourceId": "moves a thread to another user; not a dashboard action",
    # Schedules and background tasks are written by Mastra's scheduler and task manager; the
    # dashboard reads them (list/get) and acts through the Mastra server, never on the rows.
    "createSchedule": "scheduler / schedules API writer",
    "updateSchedule": "schedules API writer",
    "updateScheduleNextFire": "the scheduler's claim",
    "deleteSchedule": "schedules API writer",
    "listDueSchedules": "the scheduler's tick query (list_schedules covers the dashboard)",
    "recordTrigger": "scheduler writer",
    "createTask": "background-task manager writer",
    "updateTask": "background-task manager writer",
    "deleteTask": "background-task manager cleanup",
    "deleteTasks": "background-task manager cleanup",
    "getRunningCount": "the task manager's concurrency check",
    "getRunningCountByAgent": "the task manager's concurrency check",
    # The workflow engine's own writes while a run executes (step-result merging with foreach
    # pending markers, compare-and-set state): the dashboard never runs workflow code (DESIGN 5c);
    # not ported yet (issue #18), reads of the snapshots they write are.
    "updateWorkflowResults": "workflow-engine write path; not ported yet (issue #18)",
    "updateWorkflowState": "workflow-engine write path; not ported yet (issue #18)",
}

#: The libsql domains mirrored in Python: for each store, the classes that together implement it
#: (observational memory is in Mastra's memory domain, and in its own Python domain object).
PYTHON_DOMAINS: dict[str, tuple[tuple[type, ...], ...]] = {
    "memory": ((SQLiteMemory, SQLiteObservations), (ConvexMemory, ConvexObservations)),
    "workflows": ((SQLiteWorkflows,), (ConvexWorkflows,)),
    "scores": ((SQLiteScores,), (ConvexScores,)),
    "schedules": ((SQLiteSchedules,), (ConvexSchedules,)),
    "backgroundTasks": ((SQLiteBackgroundTasks,), (ConvexBackgroundTasks,)),
}


def _implements(classes: tuple[type, ...], method: str) -> bool:
    return any(hasattr(c, snake(method)) for c in classes)


# --- what the Python stores read -----------------------------------------------------------------


def _storeclient_source() -> str:
    return "\n".join(p.read_text() for p in sorted(STORECLIENT.rglob("*.py")))


def tables_read() -> set[str]:
    source = _storeclient_source()
    names = set(re.findall(r"[\"'](mastra_[a-z_]+)[\"']", source))
    # ConvexVector's data lives in one table, addressed as "mastra_vector_<index>" on the wire.
    if "mastra_vector_" in names:
        names.add("mastra_vectors")
    return names


def ops_sent() -> set[str]:
    return set(re.findall(r"[\"']op[\"']:\s*[\"'](\w+)[\"']", _storeclient_source()))


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# --- what the packages hold ----------------------------------------------------------------------


def convex_schema_exports() -> set[str]:
    text = (CONVEX_PACKAGE / "dist" / "schema.js").read_text()
    exported = re.search(r"export\s*\{([^}]*)\}", text)
    assert exported, "could not find the export list of @mastra/convex/dist/schema.js"
    return {n.strip() for n in exported.group(1).split(",") if re.fullmatch(r"\s*mastra\w+Table\s*", n)}


def deployed_tables() -> dict[str, str]:
    """convex/schema.ts: table definition export -> deployed table name."""
    text = (REPO / "convex" / "schema.ts").read_text()
    return {definition: name for name, definition in re.findall(r"^\s*(\w+):\s*(mastra\w+Table)", text, re.M)}


def convex_handler_ops() -> set[str]:
    ops: set[str] = set()
    maps = list((CONVEX_PACKAGE / "dist").glob("server-*.js.map"))
    for source_map in maps:
        data = json.loads(source_map.read_text())
        for source, content in zip(data["sources"], data.get("sourcesContent") or [], strict=False):
            if source.endswith(("src/server/storage.ts", "src/server/observational-memory.ts")):
                ops |= set(re.findall(r"case\s+'(\w+)'", content))
    assert ops, f"no handler ops found in {[str(m) for m in maps]}: has the package layout changed?"
    return ops


@pytest.fixture(scope="module")
def libsql_inventory(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return run_node("mastra_inventory.mjs", str(tmp_path_factory.mktemp("inventory") / "mastra.db"))  # type: ignore[no-any-return]


def _report(kind: str, package: str, names: set[str]) -> str:
    return (
        f"{package} has {kind} that the Python stores neither read nor knowingly skip: "
        f"{', '.join(sorted(names))}. Read them (storeclient) or add them with a reason to "
        f"{Path(__file__).name}."
    )


# --- the checks ----------------------------------------------------------------------------------


def test_every_convex_table_definition_is_deployed_by_our_schema() -> None:
    missing = convex_schema_exports() - set(deployed_tables())
    assert not missing, (
        f"@mastra/convex/schema exports table definitions convex/schema.ts does not deploy: "
        f"{', '.join(sorted(missing))}. Add them (a Mastra user's schema must have them too)."
    )


def test_every_convex_table_is_read_or_knowingly_skipped() -> None:
    unknown = set(deployed_tables().values()) - tables_read() - set(SKIPPED_TABLES)
    # The physical name of the snapshots table: the wire uses the singular logical name.
    unknown.discard("mastra_workflow_snapshots")
    assert not unknown, _report("tables", "@mastra/convex", unknown)


def test_every_convex_handler_op_is_sent_or_knowingly_skipped() -> None:
    unknown = convex_handler_ops() - ops_sent() - set(SKIPPED_OPS)
    assert not unknown, _report("storage-handler ops", "@mastra/convex", unknown)


@needs_node
def test_every_libsql_table_is_read_or_knowingly_skipped(libsql_inventory: dict[str, object]) -> None:
    tables = set(libsql_inventory["tables"])  # type: ignore[call-overload]
    unknown = tables - tables_read() - set(SKIPPED_TABLES)
    assert not unknown, _report("tables", "@mastra/libsql", unknown)


@needs_node
@pytest.mark.parametrize("domain", sorted(PYTHON_DOMAINS))
def test_every_libsql_domain_method_has_a_python_twin_or_is_knowingly_skipped(
    libsql_inventory: dict[str, object], domain: str
) -> None:
    methods = set(libsql_inventory["domains"][domain])  # type: ignore[index]
    for classes in PYTHON_DOMAINS[domain]:
        unknown = {m for m in methods - set(SKIPPED_METHODS) if not _implements(classes, m)}
        names = " + ".join(c.__name__ for c in classes)
        assert not unknown, _report(f"{domain} methods", f"@mastra/libsql ({names})", unknown)


def test_the_skip_lists_name_nothing_we_already_read() -> None:
    # A stale entry would hide the day the Python side stops reading something.
    assert not set(SKIPPED_TABLES) & tables_read()
    assert not set(SKIPPED_OPS) & ops_sent()


@needs_node
def test_the_skip_list_names_no_method_both_stores_already_have(libsql_inventory: dict[str, object]) -> None:
    ported = {
        method
        for domain, classes in PYTHON_DOMAINS.items()
        for method in libsql_inventory["domains"][domain]  # type: ignore[index]
        if method in SKIPPED_METHODS and all(_implements(c, method) for c in classes)
    }
    assert not ported, f"these methods are ported now; remove them from SKIPPED_METHODS: {sorted(ported)}"
