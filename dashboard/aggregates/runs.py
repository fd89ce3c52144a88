"""The indexer's run feed: ``run_changes`` into each run's last-known status (``RunState``) and
counts per workflow and status (``RunStatusCount``), which the run list reads in O(workflows).

A page is written in one transaction with its cursor, fenced by the lease. Every workflow a page
touches has its counts recomputed from ``RunState`` (never patched), so a status change or a run
seen twice cannot make them drift. Deleted runs are found by a bounded sweep (``existing_runs``)
at most every ``SWEEP_EVERY`` seconds; they leave both tables.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Sum

from dashboard.search.models import MAX_ID_CHARS
from storeclient.models import RunStatusChange

from .models import AggregateState, RunState, RunStatusCount

if TYPE_CHECKING:
    from dashboard.search.indexer import Indexer

STATE_NAME = "main"
RUN_PAGE = 500
#: Runs checked for deletion per sweep, at most every SWEEP_EVERY seconds.
SWEEP_BATCH = 1_000
SWEEP_EVERY = 10.0
#: Longest status kept (a hostile snapshot may hold a very long one).
MAX_STATUS = 200


def _storable(value: object) -> bool:
    return isinstance(value, str) and bool(value) and len(value) <= MAX_ID_CHARS and "\x00" not in value


class RunRollups:
    """The indexer's extra feed (``dashboard.search.indexer.ExtraFeed``)."""

    def __init__(self) -> None:
        self._last_sweep = 0.0

    def page(self, indexer: Indexer) -> bool:
        state, _ = AggregateState.objects.get_or_create(name=STATE_NAME)
        page = indexer.store.workflows.run_changes(state.run_cursor or None, limit=RUN_PAGE)
        with transaction.atomic():
            write_runs(page.items)
            AggregateState.objects.filter(name=STATE_NAME).update(
                run_cursor=page.cursor,
                run_note=(page.note or "The store can only approximate its run feed.")
                if page.limited
                else "",
            )
            indexer.fence()
        if not page.has_more and not page.limited and time.monotonic() - self._last_sweep >= SWEEP_EVERY:
            self._sweep(indexer)
            self._last_sweep = time.monotonic()
        return page.has_more

    def _sweep(self, indexer: Indexer) -> None:
        after = AggregateState.objects.get(name=STATE_NAME).run_sweep_after
        batch = list(
            RunState.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "workflow_name", "run_id")[:SWEEP_BATCH]
        )
        present = indexer.store.workflows.existing_runs([(w, r) for _, w, r in batch]) if batch else set()
        gone = [(pk, w) for pk, w, r in batch if (w, r) not in present]
        with transaction.atomic():
            if gone:
                RunState.objects.filter(pk__in=[pk for pk, _ in gone]).delete()
                recount({w for _, w in gone})
            next_after = batch[-1][0] if len(batch) == SWEEP_BATCH else 0
            AggregateState.objects.filter(name=STATE_NAME).update(run_sweep_after=next_after)
            indexer.fence()

    def reset(self) -> None:
        RunState.objects.all().delete()
        RunStatusCount.objects.all().delete()
        AggregateState.objects.filter(name=STATE_NAME).update(run_cursor="", run_note="", run_sweep_after=0)
        self._last_sweep = 0.0


RUN_ROLLUPS = RunRollups()


def write_runs(changes: Sequence[RunStatusChange]) -> None:
    """Upsert each run's status (the latest in the page wins) and recount the workflows touched."""
    latest = {
        (c.workflow_name, c.run_id): c for c in changes if _storable(c.workflow_name) and _storable(c.run_id)
    }
    if not latest:
        return
    RunState.objects.bulk_create(
        [
            RunState(
                workflow_name=c.workflow_name,
                run_id=c.run_id,
                status=c.status[:MAX_STATUS] if _storable(c.status) else "unknown",
                updated_at=c.updated_at if isinstance(c.updated_at, str) else "",
            )
            for c in latest.values()
        ],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["workflow_name", "run_id"],
        update_fields=["status", "updated_at"],
    )
    recount({workflow for workflow, _ in latest})


def recount(workflows: Iterable[str]) -> None:
    for workflow in workflows:
        RunStatusCount.objects.filter(workflow_name=workflow).delete()
        RunStatusCount.objects.bulk_create(
            [
                RunStatusCount(workflow_name=workflow, status=row["status"], count=row["n"])
                for row in RunState.objects.filter(workflow_name=workflow)
                .values("status")
                .annotate(n=Count("pk"))
            ]
        )


def status_counts(workflow_name: str | None = None) -> dict[str, int]:
    """Runs per status, of one workflow or of all: O(workflows × statuses) rows."""
    rows = RunStatusCount.objects.all()
    if workflow_name is not None:
        rows = rows.filter(workflow_name=workflow_name)
    return {
        row["status"]: row["n"]
        for row in rows.values("status").annotate(n=Sum("count")).order_by("status")
        if row["n"]
    }


def run_feed_note() -> str | None:
    """Why the run counts cannot be trusted as exact (``None`` when they can)."""
    state = AggregateState.objects.filter(name=STATE_NAME).first()
    if state is None or not state.run_cursor:
        return "The run-status counts have not been built yet."
    return state.run_note or None
