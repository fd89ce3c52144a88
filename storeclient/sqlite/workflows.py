"""Workflow run snapshots in ``mastra_workflow_snapshot``, with ``@mastra/libsql``'s semantics.

A run has no status column: the status lives in the snapshot at ``$.status``. Filters and counts by
status read it in SQL through ``json_extract_sql`` (SQLite's ``json_extract`` for JSON text, the
registered JSONB decoder for Mastra's blobs). There is no index on it (an expression index would
need our SQL function inside Mastra's own connections), so a status filter scans the runs in the
order of the feed's index and stops once the page is full.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..changes import (
    check_changes_limit,
    check_settle,
    decode_change_cursor,
    encode_change_cursor,
    settled_before,
)
from ..codec import loads, now, to_iso
from ..errors import InvalidRequest
from ..models import ChangePage, Count, Feed, PerPage, RunList, RunStatusChange, WorkflowRun
from ..prefix import Prefix
from . import rows
from .base import Context, check_page_number, check_per_page, iso
from .connection import decode_json_cell, dumps, json_extract_sql
from .keyset import Keyset, prefix_page, prefix_where
from .schema import RUNS

_RUN_FEED = Keyset("runs", ("createdAt", "run_id", "workflow_name"), leading_nullable=True)
# Prefix filters read index ranges of the prefixed column (``storeclient.prefix``).
_RUNS_BY_WORKFLOW_PREFIX = Keyset("runs.workflow-prefix", ("workflow_name", "createdAt", "run_id"))
_RUNS_BY_RESOURCE_PREFIX = Keyset(
    "runs.resource-prefix", ("resourceId", "createdAt", "run_id", "workflow_name")
)
_STATUS = json_extract_sql("snapshot", "$.status")


def _snapshot_text(snapshot: Mapping[str, Any] | str) -> str:
    if isinstance(snapshot, str):
        try:
            parsed = json.loads(snapshot)
        except ValueError as exc:
            raise InvalidRequest(f"The snapshot is not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise InvalidRequest("The snapshot must be a JSON object.")
        return snapshot
    return dumps(dict(snapshot))


RUN_FEED = "sqlite.run_changes"
#: Run keys per ``existing_runs`` call.
MAX_RUN_KEYS = 1_000


class SQLiteWorkflows:
    def __init__(self, ctx: Context, *, settle_seconds: float = 5.0) -> None:
        self._ctx = ctx
        self._pool = ctx.pool
        self._select = ctx.columns.select(RUNS)
        self._settle = check_settle(settle_seconds)

    def run_changes(self, cursor: str | None = None, *, limit: int = 500) -> ChangePage[RunStatusChange]:
        """Keyset on ``(updatedAt, workflow_name, run_id)`` up to the settled time: Mastra's
        ``persistWorkflowSnapshot`` upserts the row and moves ``updatedAt``, so a status change
        brings the run again (``dashboard_idx_runs_updated`` makes it a range scan)."""
        check_changes_limit(limit)
        position = decode_change_cursor(RUN_FEED, cursor, size=3)
        if position is not None and not all(isinstance(v, str) for v in position):
            raise InvalidRequest("That change-feed cursor is not valid; start that feed again from None.")
        where = ['"updatedAt" <= ?']
        params: list[Any] = [to_iso(settled_before(self._settle))]
        if position is not None:
            where.append('("updatedAt", workflow_name, run_id) > (?, ?, ?)')
            params.extend(position)
        with self._pool.read() as conn:
            found = conn.execute(
                f'SELECT workflow_name, run_id, "updatedAt", {_STATUS} AS status FROM {RUNS} '
                f'WHERE {" AND ".join(where)} ORDER BY "updatedAt", workflow_name, run_id LIMIT ?',
                [*params, limit + 1],
            ).fetchall()
        more = len(found) > limit
        found = found[:limit]
        # Only text keys go into a cursor (a hostile row may hold a BLOB or a number).
        text = [
            r for r in found if all(isinstance(r[c], str) for c in ("workflow_name", "run_id", "updatedAt"))
        ]
        last = found[-1] if found else None
        next_position = (
            [str(last["updatedAt"]), str(last["workflow_name"]), str(last["run_id"])]
            if last is not None
            else (position or ["", "", ""])
        )
        return ChangePage(
            items=[
                RunStatusChange(
                    r["workflow_name"],
                    r["run_id"],
                    r["status"] if isinstance(r["status"], str) else "unknown",
                    r["updatedAt"],
                )
                for r in text
            ],
            cursor=encode_change_cursor(RUN_FEED, next_position),
            has_more=more,
        )

    def existing_runs(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these ``(workflow_name, run_id)`` still exist (at most 1,000 per call)."""
        wanted = list(dict.fromkeys(keys))
        if len(wanted) > MAX_RUN_KEYS:
            raise InvalidRequest(
                f"existing_runs takes at most {MAX_RUN_KEYS} keys per call, not {len(wanted)}."
            )
        present: set[tuple[str, str]] = set()
        with self._pool.read() as conn:
            for i in range(0, len(wanted), 400):
                chunk = wanted[i : i + 400]
                marks = ", ".join("(?, ?)" for _ in chunk)
                present.update(
                    (r[0], r[1])
                    for r in conn.execute(
                        f"SELECT workflow_name, run_id FROM {RUNS} WHERE (workflow_name, run_id) IN (VALUES {marks})",
                        [v for key in chunk for v in key],
                    )
                )
        return present

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
        """Mastra's upsert on ``(workflow_name, run_id)``: a second persist keeps ``createdAt`` and
        the old ``resourceId`` when none is given, and replaces ``snapshot`` and ``updatedAt``."""
        stamp = now()
        text = _snapshot_text(snapshot)
        with self._pool.write() as conn:
            conn.execute(
                f'INSERT INTO {RUNS} (workflow_name, run_id, "resourceId", snapshot, "createdAt", "updatedAt") '
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(workflow_name, run_id) DO UPDATE SET "
                f'"resourceId" = COALESCE(excluded."resourceId", {RUNS}."resourceId"), '
                'snapshot = excluded.snapshot, "updatedAt" = excluded."updatedAt"',
                (
                    workflow_name,
                    run_id,
                    resource_id,
                    text,
                    to_iso(created_at or stamp),
                    to_iso(updated_at or stamp),
                ),
            )

    def load_workflow_snapshot(self, workflow_name: str, run_id: str) -> dict[str, Any] | None:
        """The decoded snapshot; ``None`` when the run is unknown or its snapshot is not a JSON
        object (``get_workflow_run_by_id`` shows such a snapshot raw, with the reason)."""
        with self._pool.connection() as conn:
            row = conn.execute(
                f"SELECT snapshot FROM {RUNS} WHERE workflow_name = ? AND run_id = ?", (workflow_name, run_id)
            ).fetchone()
        if row is None:
            return None
        value, error = decode_json_cell(row["snapshot"])
        if isinstance(value, str) and error is None:
            try:
                value = loads(value)
            except ValueError:
                return None
        return value if isinstance(value, dict) else None

    def _filters(
        self,
        *,
        workflow_name: str | None,
        resource_id: str | None,
        status: str | None,
        from_date: datetime | str | None,
        to_date: datetime | str | None,
        thread_id: str | None = None,
    ) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if workflow_name:
            where.append("workflow_name = ?")
            params.append(workflow_name)
        if status:
            where.append(f"{_STATUS} = ?")
            params.append(status)
        if from_date is not None:
            where.append('"createdAt" >= ?')
            params.append(iso(from_date))
        if to_date is not None:
            where.append('"createdAt" <= ?')
            params.append(iso(to_date))
        if resource_id and self._ctx.columns.has(RUNS, "resourceId"):
            where.append('"resourceId" = ?')
            params.append(resource_id)
        if thread_id:
            where.append("dashboard_run_thread_match(snapshot, ?)")
            params.append(thread_id)
        return where, params

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
        thread_id: str | None = None,
    ) -> RunList:
        """Mastra's ``listWorkflowRuns``. ``thread_id`` (Mastra's ``threadId`` filter) matches runs
        started from that thread's message list or suspended with its stream state."""
        paginate = (
            page is not None and per_page is not None and per_page is not False and not isinstance(page, bool)
        )
        if page is not None:
            check_page_number(page)
        if per_page is not None:
            check_per_page(per_page)
        where, params = self._filters(
            workflow_name=workflow_name,
            resource_id=resource_id,
            status=status,
            from_date=from_date,
            to_date=to_date,
            thread_id=thread_id,
        )
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f'SELECT {self._select} FROM {RUNS}{clause} ORDER BY "createdAt" DESC, run_id DESC, workflow_name DESC'
        total = 0
        with self._pool.read() as conn:
            if paginate:
                assert page is not None and isinstance(per_page, int)
                total = conn.execute(f"SELECT COUNT(*) FROM {RUNS}{clause}", params).fetchone()[0]
                found = conn.execute(
                    sql + " LIMIT ? OFFSET ?", [*params, per_page, page * per_page]
                ).fetchall()
            else:
                found = conn.execute(sql, params).fetchall()
        runs = [rows.run(r) for r in found]
        return RunList(runs=runs, total=total or len(runs))

    def get_workflow_run_by_id(self, run_id: str, *, workflow_name: str | None = None) -> WorkflowRun | None:
        where, params = ["run_id = ?"], [run_id]
        if workflow_name:
            where.append("workflow_name = ?")
            params.append(workflow_name)
        with self._pool.connection() as conn:
            row = conn.execute(
                f'SELECT {self._select} FROM {RUNS} WHERE {" AND ".join(where)} ORDER BY "createdAt" DESC LIMIT 1',
                params,
            ).fetchone()
        return rows.run(row) if row else None

    def delete_workflow_run_by_id(self, run_id: str, *, workflow_name: str) -> None:
        with self._pool.write() as conn:
            conn.execute(
                f"DELETE FROM {RUNS} WHERE workflow_name = ? AND run_id = ?", (workflow_name, run_id)
            )

    # --- dashboard additions ------------------------------------------------------------------

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
        """Runs newest first by ``(createdAt, run_id, workflow_name)``; runs without ``createdAt``
        (never written by Mastra) come last. Rows without a run id or workflow name (allowed by the
        DDL, never written by Mastra, and not addressable by a page link) are left out.

        With a workflow (else resource) prefix: that column's index ranges, grouped by it and
        newest first within (``storeclient.prefix``); runs without ``createdAt`` are left out there."""
        workflow_match = Prefix.of(workflow_prefix, what="workflow name prefix")
        resource_match = Prefix.of(resource_prefix, what="resource id prefix")
        where, params = self._filters(
            workflow_name=workflow_name,
            resource_id=resource_id,
            status=status,
            from_date=from_date,
            to_date=to_date,
        )
        where += ["run_id IS NOT NULL", "workflow_name IS NOT NULL"]
        self._add_prefixes(where, params, workflow_match, resource_match, ranged_first=True)
        ranged = workflow_match or resource_match
        if resource_match is not None and not self._ctx.columns.has(RUNS, "resourceId"):
            return Feed(items=[])  # an older Mastra file without the column: no run has one
        with self._pool.connection() as conn:
            if ranged is None:
                found, next_cursor = _RUN_FEED.page(
                    conn,
                    select=self._select,
                    table=RUNS,
                    where=where,
                    params=params,
                    cursor=cursor,
                    limit=limit,
                )
            else:
                found, next_cursor = prefix_page(
                    conn,
                    _RUNS_BY_WORKFLOW_PREFIX if workflow_match is not None else _RUNS_BY_RESOURCE_PREFIX,
                    select=self._select,
                    table=RUNS,
                    where=[*where, '"createdAt" IS NOT NULL'],
                    params=params,
                    prefix=ranged,
                    cursor=cursor,
                    limit=limit,
                )
        return Feed(items=[rows.run(r) for r in found], next_cursor=next_cursor)

    def _add_prefixes(
        self,
        where: list[str],
        params: list[Any],
        workflow_match: Prefix | None,
        resource_match: Prefix | None,
        *,
        ranged_first: bool,
    ) -> None:
        """The prefix conditions a query needs besides the ranges ``prefix_page`` reads itself
        (``ranged_first``: the workflow prefix, else the resource prefix, is read as ranges)."""
        has_resource = self._ctx.columns.has(RUNS, "resourceId")
        conditions = [
            ("workflow_name", workflow_match),
            ("resourceId", resource_match if has_resource else None),
        ]
        if ranged_first:
            conditions = conditions[1:] if workflow_match is not None else []
        for column, match in conditions:
            if match is not None:
                sql, args = prefix_where(column, match)
                where.append(sql)
                params.extend(args)

    def workflow_names(self) -> list[str]:
        """Distinct names by skipping through the ``UNIQUE (workflow_name, run_id)`` index: one
        index seek per name, not a scan of every run."""
        with self._pool.connection() as conn:
            found = conn.execute(
                f"WITH RECURSIVE names(n) AS ("
                f"SELECT (SELECT MIN(workflow_name) FROM {RUNS}) "
                f"UNION ALL SELECT (SELECT MIN(workflow_name) FROM {RUNS} WHERE workflow_name > n) "
                f"FROM names WHERE n IS NOT NULL) SELECT n FROM names WHERE n IS NOT NULL"
            ).fetchall()
        return [str(r[0]) for r in found]

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
        """Counts per status over the newest ``cap`` runs under the filter, in one SQL statement.
        When more runs match, every count is a lower bound (``at_least``)."""
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
            raise InvalidRequest(f"cap must be a whole number >= 1, not {cap!r}.")
        workflow_match = Prefix.of(workflow_prefix, what="workflow name prefix")
        resource_match = Prefix.of(resource_prefix, what="resource id prefix")
        if resource_match is not None and not self._ctx.columns.has(RUNS, "resourceId"):
            return {}
        where, params = self._filters(
            workflow_name=workflow_name,
            resource_id=resource_id,
            status=None,
            from_date=from_date,
            to_date=to_date,
        )
        self._add_prefixes(where, params, workflow_match, resource_match, ranged_first=False)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._pool.read() as conn:
            counted = conn.execute(
                # The LIMIT keeps the subquery from being flattened, so the status is read once a row.
                f"SELECT CASE WHEN typeof(s) = 'text' THEN s ELSE 'unknown' END AS status, COUNT(*) AS n "
                f'FROM (SELECT {_STATUS} AS s FROM {RUNS}{clause} ORDER BY "createdAt" DESC LIMIT ?) '
                "GROUP BY 1 ORDER BY 1",
                [*params, cap],
            ).fetchall()
            seen = sum(r["n"] for r in counted)
            more = (
                seen >= cap
                and conn.execute(f"SELECT 1 FROM {RUNS}{clause} LIMIT 1 OFFSET ?", [*params, cap]).fetchone()
                is not None
            )
        return {str(r["status"]): Count(int(r["n"]), at_least=more) for r in counted}
