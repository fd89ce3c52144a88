"""Workflow run snapshots through Mastra's storage handler; the dashboard additions through the
dashboard's Convex module when it is deployed (``module.py``), else through the handler."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..changes import check_changes_limit, encode_change_cursor
from ..codec import dumps_compact, loads, now, parse_json_lenient, sortable_iso, to_iso, without_none
from ..errors import InvalidRequest
from ..models import ChangePage, Count, Feed, PerPage, RunList, RunStatusChange, WorkflowRun
from ..prefix import Prefix
from ..records import run_from_record
from ..semantics import paginate
from .handler import SNAPSHOTS, StorageHandler
from .memory import CAPPED_NOTE
from .module import DashboardModule, ModuleUnavailable, handler_feed

#: A status filter reads snapshots whole (the status is inside the JSON): at most this many runs
#: per module call, and this many for one page.
RUN_WINDOW = 100
RUN_SCAN_BUDGET = 2_000
#: Runs per ``runStatusCounts`` call.
STATUS_COUNT_WINDOW = 200


def _run_filters(
    workflow_name: str | None, resource_id: str | None, from_date: datetime | None, to_date: datetime | None
) -> dict[str, Any]:
    return without_none(
        {
            "workflowName": workflow_name or None,
            "resourceId": resource_id or None,
            "fromDate": to_iso(from_date) if from_date is not None else None,
            "toDate": to_iso(to_date) if to_date is not None else None,
        }
    )


def _status_search_note(scanned: int) -> str:
    return (
        f"The filter looked through {scanned:,} runs, newest first, without filling this page; "
        "load more to keep looking at older runs."
    )


def _stored_status(row: Mapping[str, Any]) -> str | None:
    """The run status inside a stored snapshot (a JSON string, or an object in older rows)."""
    snapshot, _ = parse_json_lenient(row.get("snapshot"))
    status = snapshot.get("status") if isinstance(snapshot, dict) else None
    return status if isinstance(status, str) else None


def _in_range(run: WorkflowRun, from_date: datetime | None, to_date: datetime | None) -> bool:
    return not (
        (from_date is not None and run.created_at < from_date)
        or (to_date is not None and run.created_at > to_date)
    )


RUN_CHANGES_NOTE = (
    "Mastra's Convex schema has no index on a run's updatedAt, and a status change patches the run in "
    "place, so no bounded read finds the runs that changed: run-status counts are read from the store."
)


class ConvexWorkflows:
    def __init__(self, handler: StorageHandler, module: DashboardModule) -> None:
        self._h = handler
        self._m = module

    def run_changes(self, cursor: str | None = None, *, limit: int = 500) -> ChangePage[RunStatusChange]:
        """Always empty and ``limited``: see ``RUN_CHANGES_NOTE``."""
        check_changes_limit(limit)
        return ChangePage(
            items=[],
            cursor=encode_change_cursor("convex.run_changes", []),
            limited=True,
            note=RUN_CHANGES_NOTE,
        )

    def existing_runs(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these ``(workflow_name, run_id)`` still exist: one lookup each."""
        present: set[tuple[str, str]] = set()
        for workflow_name, run_id in dict.fromkeys(keys):
            if self._h.load(SNAPSHOTS, {"workflow_name": workflow_name, "run_id": run_id}):
                present.add((workflow_name, run_id))
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
        existing = self._h.load(SNAPSHOTS, {"workflow_name": workflow_name, "run_id": run_id})
        stamp = to_iso(now())
        created = (
            to_iso(created_at)
            if created_at is not None
            else (str(existing["createdAt"]) if existing and existing.get("createdAt") else stamp)
        )
        record = without_none(
            {
                "id": f"{workflow_name}-{run_id}",
                "workflow_name": workflow_name,
                "run_id": run_id,
                "resourceId": resource_id,
                # A JSON string, as @mastra/convex >= 1.0.10 writes it: Convex rejects keys such as
                # "$schema" inside stored objects.
                "snapshot": snapshot if isinstance(snapshot, str) else dumps_compact(snapshot),
                "createdAt": created,
                "updatedAt": to_iso(updated_at) if updated_at is not None else stamp,
            }
        )
        self._h.insert(SNAPSHOTS, record)

    def load_workflow_snapshot(self, workflow_name: str, run_id: str) -> dict[str, Any] | None:
        row = self._h.load(SNAPSHOTS, {"workflow_name": workflow_name, "run_id": run_id})
        if row is None:
            return None
        snapshot = row.get("snapshot")
        if isinstance(snapshot, str):
            try:
                snapshot = loads(snapshot)
            except ValueError:
                return None
        return snapshot if isinstance(snapshot, dict) else None

    def _runs(self, workflow_name: str | None, resource_id: str | None) -> tuple[list[WorkflowRun], bool]:
        filters: dict[str, Any] = {}
        if workflow_name:
            filters["workflow_name"] = workflow_name
        if resource_id:
            filters["resourceId"] = resource_id
        rows, capped = self._h.query(SNAPSHOTS, filters or None)
        return [run_from_record(r) for r in rows], capped

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
        if page is not None and page < 0:
            raise InvalidRequest("page must be >= 0")
        filters = {k: v for k, v in (("workflow_name", workflow_name), ("resourceId", resource_id)) if v}
        rows, capped = self._h.query(SNAPSHOTS, filters or None)
        # Filter and sort on the raw rows and decode only the page, as Mastra's own store does:
        # snapshots are the largest records, and decoding every one is most of the client's time.
        start = to_iso(from_date) if from_date is not None else None
        end = to_iso(to_date) if to_date is not None else None
        dated = [(sortable_iso(r.get("createdAt")), r) for r in rows]
        dated = [
            (created, r)
            for created, r in dated
            if not (start is not None and created < start)
            and not (end is not None and created > end)
            and (status is None or _stored_status(r) == status)
        ]
        dated.sort(key=lambda pair: pair[0], reverse=True)
        total = len(dated)
        if page is not None and per_page is not None:
            dated, total, _ = paginate(dated, page, per_page)
        return RunList(runs=[run_from_record(r) for _, r in dated], total=total, capped=capped)

    def get_workflow_run_by_id(self, run_id: str, *, workflow_name: str | None = None) -> WorkflowRun | None:
        if workflow_name:
            row = self._h.load(SNAPSHOTS, {"workflow_name": workflow_name, "run_id": run_id})
            return run_from_record(row) if row else None
        rows, _ = self._h.query(SNAPSHOTS, {"run_id": run_id})
        if not rows:
            return None
        return max((run_from_record(r) for r in rows), key=lambda r: r.created_at)

    def delete_workflow_run_by_id(self, run_id: str, *, workflow_name: str) -> None:
        self._h.delete_many(SNAPSHOTS, [f"{workflow_name}-{run_id}"])

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
        workflow_match = Prefix.of(workflow_prefix, what="workflow name prefix")
        resource_match = Prefix.of(resource_prefix, what="resource id prefix")
        filters = _run_filters(workflow_name, resource_id, from_date, to_date)
        if status:
            filters["status"] = status
        if workflow_match is not None:
            filters["workflowPrefix"] = workflow_match.text
        if resource_match is not None:
            filters["resourcePrefix"] = resource_match.text
        route = self._m.route_feed(
            "runs",
            filters,
            cursor,
            limit,
            decode=run_from_record,
            window=RUN_WINDOW,
            scan_budget=RUN_SCAN_BUDGET,
            early_note=_status_search_note,
        )
        if isinstance(route, Feed):
            return route
        runs, capped = self._runs(workflow_name, resource_id)
        runs = [
            r
            for r in runs
            if _in_range(r, from_date, to_date)
            and (status is None or r.status == status)
            and (workflow_match is None or workflow_match.matches(r.workflow_name))
            and (resource_match is None or resource_match.matches(r.resource_id))
        ]
        if workflow_match is not None:
            runs.sort(key=lambda r: (r.workflow_name, r.created_at, r.run_id), reverse=True)
        elif resource_match is not None:
            runs.sort(key=lambda r: (r.resource_id or "", r.created_at, r.run_id), reverse=True)
        else:
            runs.sort(key=lambda r: (r.created_at, r.run_id), reverse=True)
        return handler_feed(runs, route, limit, capped=capped, note=CAPPED_NOTE if capped else None)

    def workflow_names(self) -> list[str]:
        if self._m.available():
            try:
                return sorted(set(self._m.distinct("workflowNames")))
            except ModuleUnavailable:
                pass
        runs, _ = self._runs(None, None)
        return sorted({r.workflow_name for r in runs})

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
        """With the module: windows of runs under the filter until all are counted or ``cap`` runs
        were read (each count is then ``at_least``); with a prefix, windows of its index ranges."""
        workflow_match = Prefix.of(workflow_prefix, what="workflow name prefix")
        resource_match = Prefix.of(resource_prefix, what="resource id prefix")
        if self._m.available():
            filters = _run_filters(workflow_name, resource_id, from_date, to_date)
            if workflow_match is not None:
                filters["workflowPrefix"] = workflow_match.text
            if resource_match is not None:
                filters["resourcePrefix"] = resource_match.text
            try:
                return self._module_status_counts(filters, cap)
            except ModuleUnavailable:
                pass
        runs, capped = self._runs(workflow_name, resource_id)
        counter = Counter(
            (r.status or "unknown")
            for r in runs
            if _in_range(r, from_date, to_date)
            and (workflow_match is None or workflow_match.matches(r.workflow_name))
            and (resource_match is None or resource_match.matches(r.resource_id))
        )
        return {status: Count(n, at_least=capped or n >= cap) for status, n in sorted(counter.items())}

    def _module_status_counts(self, filters: dict[str, Any], cap: int) -> dict[str, Count]:
        counter: Counter[str] = Counter()
        cursor: str | None = None
        scanned = 0
        while True:
            window = max(1, min(STATUS_COUNT_WINDOW, cap - scanned))
            reply = self._m.query("runStatusCounts", {**filters, "cursor": cursor, "window": window})
            counter.update({str(k): int(v) for k, v in (reply.get("counts") or {}).items()})
            scanned += int(reply.get("scanned") or 0)
            cursor = reply.get("continueCursor")
            done = bool(reply.get("isDone"))
            if done or scanned >= cap:
                break
        return {status: Count(n, at_least=not done) for status, n in sorted(counter.items())}
