"""Workflow runs: the list across workflows, and one run's snapshot (graph, timeline, steps).

Store calls: the list makes 3 (workflow names, status counts, one feed page) and 1 for a page of
rows; the run page makes 1 plus 1 per nested workflow in its graph (at most ``MAX_NESTED_LOADS``:
Mastra stores a nested run's snapshot under the nested workflow's id and the parent's run id).

Partial responses are picked by ``HX-Target``: ``run-table`` (a page of rows), ``run-results``
(the filters, counts and rows), ``run-live`` (the run's self-refreshing summary and graph, plus the
step panel out of band), ``step-panel`` and ``raw-snapshot``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboard.aggregates.runs import run_feed_note
from dashboard.aggregates.runs import status_counts as aggregated_counts
from dashboard.core.htmx import (
    HtmxHttpRequest,
    page_link_checked,
    partial_target,
    read_query,
    template_for,
    vary_on_htmx,
)
from dashboard.core.pages import not_found, url_or_empty
from dashboard.core.paging import Pager
from dashboard.core.store import get_store
from dashboard.search.freshness import Freshness
from dashboard.search.indexer import status as index_status
from storeclient.models import RUN_STATUSES, BackgroundTask, Count, Schedule, ScheduleTrigger, WorkflowRun

from .action_views import actions_configured, can_act
from .forms import RunFilterForm, RunPageForm, ScheduleFilterForm, TaskFilterForm
from .graph import build_graph, nested_workflow_ids
from .mastra_server import RERUN_OF_KEY
from .records import Node, RunGraph, RunSummary, status_slug
from .run_actions import CANCELLABLE, FINISHED, recently_acted_on, reruns_of
from .summary import run_summary

#: Status counts stop here; beyond it they read "10,000+".
COUNT_CAP = 10_000
#: Nested workflows whose own snapshots are loaded for one run page.
MAX_NESTED_LOADS = 3
#: Raw snapshot text shown for an unreadable snapshot, in characters.
RAW_TEXT_LIMIT = 64 * 1024


def poll_interval_ms() -> int:
    """How often a live run page refreshes while the tab is visible (tests shorten it)."""
    return int(getattr(settings, "WORKFLOWS_POLL_MS", 5_000))


def poll_hidden_interval_ms() -> int:
    """…and while the tab is hidden: rarely, so a forgotten tab costs the store little."""
    return int(getattr(settings, "WORKFLOWS_POLL_HIDDEN_MS", 60_000))


# --- the run list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRow:
    run: WorkflowRun
    summary: RunSummary


@dataclass(frozen=True)
class StatusChip:
    status: str
    css: str
    count: Count
    selected: bool


def status_chips(counts: dict[str, Count], selected: str | None) -> list[StatusChip]:
    """Known statuses in Mastra's order, then any others as they are stored; the selected status is
    shown even when nothing has it."""
    order = [s for s in RUN_STATUSES if s in counts or s == selected]
    order += sorted(s for s in counts if s not in RUN_STATUSES)
    if selected and selected not in order:
        order.append(selected)
    return [StatusChip(s, status_slug(s), counts.get(s, Count(0)), s == selected) for s in order]


@require_GET
def run_list(request: HtmxHttpRequest) -> HttpResponse:
    form = read_query(request, RunFilterForm)
    target = partial_target(request)
    store = get_store()
    context: dict[str, Any] = {"form": form}

    with page_link_checked(request):
        feed = store.workflows.run_feed(
            **form.store_filters(),
            cursor=form.cleaned_data["cursor"] or None,
            limit=form.cleaned_data["per_page"],
        )
    context.update(
        rows=[RunRow(run, run_summary(run)) for run in feed.items],
        feed=feed,
        pager=Pager.for_cursor(request.path, form.filters(), form.cleaned_data, feed.next_cursor),
        filtered=bool(form.filters()),
    )
    if target == "run-table":
        return vary_on_htmx(render(request, "workflows/runs.html#run-table", context), target=True)

    counted = run_status_counts(form)
    counts = counted.counts
    names = store.workflows.workflow_names()
    selected = form.cleaned_data.get("workflow")
    context.update(
        counted=counted,
        chips=status_chips(counts, form.cleaned_data.get("status") or None),
        total=Count(sum(c.value for c in counts.values()), at_least=any(c.at_least for c in counts.values())),
        workflow_names=names if not selected or selected in names else [*names, selected],
        statuses=_status_options(counts, form.cleaned_data.get("status")),
    )
    template = "workflows/runs.html#run-results" if target is not None else "workflows/runs.html"
    return vary_on_htmx(render(request, template, context), target=True)


@dataclass(frozen=True)
class StatusCounts:
    counts: dict[str, Count]
    #: "index" or "store" (said on the page), "" for a narrowed list (always the store).
    source: str = ""
    note: str = ""


def run_status_counts(form: RunFilterForm) -> StatusCounts:
    """Runs per status under the form's filters, and where they came from: the dashboard's index
    (exact, O(workflows)) when it is fresh and the filter is at most a workflow, else the store
    (at most ``COUNT_CAP`` runs read, "10,000+" beyond)."""
    data = form.cleaned_data
    narrowed = any(data.get(key) for key in ("name", "resource", "since", "until"))
    freshness = Freshness(index_status())
    note = run_feed_note()
    if not narrowed and not note and not freshness.stale and not freshness.problem:
        counts = aggregated_counts(data.get("workflow") or None)
        behind = freshness.seconds_behind or 0
        return StatusCounts(
            {k: Count(v) for k, v in counts.items()},
            "index",
            f"Counts from the dashboard's index, {behind:.0f} s behind the store.",
        )
    counts = get_store().workflows.status_counts(**form.store_filters(with_status=False), cap=COUNT_CAP)
    if narrowed:
        return StatusCounts(counts)
    reason = (note or "the dashboard's index is behind the store").rstrip(".")
    return StatusCounts(counts, "store", f"Counts read from the store: {reason}.")


def _status_options(counts: dict[str, Count], selected: str | None) -> list[str]:
    extra = sorted(s for s in counts if s not in RUN_STATUSES and s != "unknown")
    options = [*RUN_STATUSES, *extra]
    if selected and selected not in options:
        options.append(selected)
    return options


# --- one run ------------------------------------------------------------------------------------------


def _default_step(graph: RunGraph) -> str:
    """The step worth looking at first: where the run stopped or broke."""
    if graph.waits:
        return graph.waits[0].key
    for status in ("failed", "running", "waiting", "paused"):
        for node in graph.steps.values():
            if node.status == status:
                return node.key
    return ""


@dataclass(frozen=True)
class ActionsPanel:
    """What the run page offers to do with the run, and the runs it is linked to by "run again"."""

    configured: bool
    allowed: bool
    suspended_steps: list[str]
    can_cancel: bool
    can_rerun: bool
    #: The run this one repeats (from the request context the dashboard started it with).
    rerun_of: str
    #: Runs started from this one's input, newest first: ``(run id, username, when)``.
    reruns: list[tuple[str, str, Any]]

    @property
    def any(self) -> bool:
        return bool(self.suspended_steps or self.can_cancel or self.can_rerun)


def run_actions_panel(request: HtmxHttpRequest, run: WorkflowRun, graph: RunGraph | None) -> ActionsPanel:
    snapshot = run.snapshot if isinstance(run.snapshot, dict) else {}
    status = snapshot.get("status") if isinstance(snapshot.get("status"), str) else ""
    context = snapshot.get("requestContext")
    rerun_of = context.get(RERUN_OF_KEY) if isinstance(context, dict) else None
    return ActionsPanel(
        configured=actions_configured(),
        allowed=can_act(request),
        suspended_steps=[w.key for w in graph.waits if w.kind == "suspended"] if graph else [],
        can_cancel=status in CANCELLABLE,
        can_rerun=status in FINISHED
        and isinstance(snapshot.get("context"), dict)
        and "input" in snapshot["context"],
        rerun_of=rerun_of if isinstance(rerun_of, str) else "",
        reruns=reruns_of(run.workflow_name, run.run_id),
    )


@require_GET
def run_detail(request: HtmxHttpRequest, workflow_name: str, run_id: str) -> HttpResponse:
    form = read_query(request, RunPageForm)
    target = partial_target(request)
    store = get_store()
    run = store.workflows.get_workflow_run_by_id(run_id, workflow_name=workflow_name)
    if run is None:
        return vary_on_htmx(
            not_found(
                request,
                f"No run {run_id} of workflow {workflow_name}",
                "The store has no snapshot for this run. It may have been deleted, or the link names "
                "another workflow.",
                reverse("workflows:runs"),
                "All workflow runs",
            ),
            target=True,
        )

    snapshot = run.snapshot if isinstance(run.snapshot, dict) else None
    nested: dict[str, dict[str, Any]] = {}
    if snapshot is not None:
        for nested_id in [n for n in nested_workflow_ids(snapshot) if n != workflow_name][:MAX_NESTED_LOADS]:
            nested_run = store.workflows.get_workflow_run_by_id(run_id, workflow_name=nested_id)
            if nested_run is not None and isinstance(nested_run.snapshot, dict):
                nested[nested_id] = nested_run.snapshot
    graph = build_graph(snapshot, nested) if snapshot is not None else None
    summary = run_summary(run)

    requested = form.cleaned_data["step"]
    selected_key = requested or (_default_step(graph) if graph else "")
    selected: Node | None = graph.step(selected_key) if graph and selected_key else None
    raw_text = run.snapshot if isinstance(run.snapshot, str) else ""
    context = {
        "run": run,
        "summary": summary,
        "graph": graph,
        "nested_runs": sorted(nested),
        "selected_key": selected_key,
        "requested_step": requested,
        "selected": selected,
        "show_raw": form.cleaned_data["raw"] or target == "raw-snapshot",
        "raw_text": raw_text[:RAW_TEXT_LIMIT],
        "raw_truncated": len(raw_text) > RAW_TEXT_LIMIT,
        "poll_ms": poll_interval_ms(),
        "poll_hidden_ms": poll_hidden_interval_ms(),
        "actions": run_actions_panel(request, run, graph),
        # After a resume the store may say "suspended" for a moment longer: follow the run anyway.
        "following": not summary.live
        and summary.status not in FINISHED
        and recently_acted_on(run.workflow_name, run.run_id),
    }
    if target == "step-panel":
        template = "workflows/run.html#step-panel"
    elif target == "run-live":
        template = "workflows/run.html#run-poll"
    elif target == "raw-snapshot":
        template = "workflows/run.html#raw-snapshot"
    else:
        template = "workflows/run.html"
    return vary_on_htmx(render(request, template, context), target=True)


# --- schedules and background tasks ------------------------------------------------------------------
# Written by Mastra's scheduler and background-task manager; shown read-only. One store call per
# list; a schedule page two (the schedule, its recent triggers).

#: Triggers shown on a schedule's page, newest first.
TRIGGERS_SHOWN = 50
TASKS_PER_PAGE = 50
#: Trigger outcomes (core's ScheduleTriggerOutcome) -> badge colour; anything else is neutral.
TRIGGER_BADGES = {
    "published": "success",
    "succeeded": "success",
    "delivered": "success",
    "persisted": "success",
    "acked": "success",
    "failed": "failed",
    "aborted": "failed",
    "alerted": "failed",
    "skipped": "canceled",
    "discarded": "canceled",
    "dropped-stale": "canceled",
    "dropped-superseded": "canceled",
    "dropped-busy": "canceled",
    "deferred": "waiting",
    "appended-from-queue": "waiting",
}
#: Background task statuses -> badge colour.
TASK_BADGES = {
    "pending": "pending",
    "running": "running",
    "suspended": "suspended",
    "completed": "success",
    "failed": "failed",
    "cancelled": "canceled",
    "timed_out": "failed",
}


@dataclass(frozen=True)
class TriggerRow:
    trigger: ScheduleTrigger
    badge: str
    run_url: str


@dataclass(frozen=True)
class TaskRow:
    task: BackgroundTask
    badge: str
    thread_url: str


def _schedule_filter_options(schedules: list[Schedule]) -> tuple[list[str], list[str]]:
    statuses = sorted({s.status for s in schedules if s.status} | {"active", "paused"})
    workflows = sorted({s.workflow_id for s in schedules if s.workflow_id})
    return statuses, workflows


@require_GET
def schedule_list(request: HtmxHttpRequest) -> HttpResponse:
    form = read_query(request, ScheduleFilterForm)
    store = get_store()
    listed = store.schedules.list_schedules(
        status=form.cleaned_data["status"] or None, workflow_id=form.cleaned_data["workflow"] or None
    )
    statuses, workflows = _schedule_filter_options(list(listed.schedules))
    selected = form.cleaned_data["workflow"]
    context = {
        "form": form,
        "schedules": listed.schedules,
        "feed": listed,
        "statuses": statuses,
        "workflow_ids": workflows if not selected or selected in workflows else [*workflows, selected],
        "filtered": bool(form.filters()),
    }
    return vary_on_htmx(
        render(request, template_for(request, "workflows/schedules.html", "schedule-results"), context)
    )


@require_GET
def schedule_detail(request: HtmxHttpRequest, schedule_id: str) -> HttpResponse:
    store = get_store()
    schedule = store.schedules.get_schedule(schedule_id)
    if schedule is None:
        if store.workflows.get_workflow_run_by_id(schedule_id, workflow_name="schedules") is not None:
            return run_detail(request, "schedules", schedule_id)
        return vary_on_htmx(
            not_found(
                request,
                "Schedule not found",
                f"There is no schedule with the id “{schedule_id}”. It may have been deleted (Mastra "
                "removes the schedules of workflows it no longer declares).",
                reverse("workflows:schedules"),
                "All schedules",
            )
        )
    triggers = store.schedules.list_triggers(schedule.id, limit=TRIGGERS_SHOWN)
    rows = [
        TriggerRow(
            trigger=t,
            badge=TRIGGER_BADGES.get(t.outcome, "unknown"),
            run_url=url_or_empty("workflows:run", schedule.workflow_id, t.run_id)
            if schedule.workflow_id and t.run_id
            else "",
        )
        for t in triggers
    ]
    context = {
        "schedule": schedule,
        "triggers": rows,
        "triggers_cut": len(triggers) == TRIGGERS_SHOWN,
        "last_run_url": url_or_empty("workflows:run", schedule.workflow_id, schedule.last_run_id)
        if schedule.workflow_id and schedule.last_run_id
        else "",
        "thread_url": _target_thread_url(schedule),
    }
    return vary_on_htmx(render(request, "workflows/schedule.html", context))


def _target_thread_url(schedule: Schedule) -> str:
    thread_id = schedule.target.get("threadId") if isinstance(schedule.target, dict) else None
    return url_or_empty("threads:detail", thread_id) if isinstance(thread_id, str) and thread_id else ""


@require_GET
def task_list(request: HtmxHttpRequest) -> HttpResponse:
    form = read_query(request, TaskFilterForm)
    page = form.cleaned_data["page"] or 0
    listed = get_store().background_tasks.list_tasks(
        status=form.cleaned_data["status"] or None,
        thread_id=form.cleaned_data["thread"] or None,
        page=page,
        per_page=TASKS_PER_PAGE,
    )
    rows = [
        TaskRow(
            task=t,
            badge=TASK_BADGES.get(t.status, "unknown"),
            thread_url=url_or_empty("threads:detail", t.thread_id) if t.thread_id else "",
        )
        for t in listed.tasks
    ]

    def page_url(number: int) -> str:
        query = QueryDict(mutable=True)
        query.update(form.filters())
        if number:
            query["page"] = str(number)
        return f"{request.path}?{query.urlencode()}" if query else request.path

    pages = max(1, -(-listed.total // TASKS_PER_PAGE))
    pager = Pager(
        next_url=page_url(page + 1) if listed.has_more else None,
        previous_url=page_url(page - 1) if page > 0 else None,
        first_url=page_url(0) if page > 1 else None,
        summary=f"Page {page + 1} of {pages}" if pages > 1 else "",
    )
    context = {
        "form": form,
        "rows": rows,
        "feed": listed,
        "total": listed.total,
        "pager": pager,
        "statuses": sorted(set(TASK_BADGES) | ({form.cleaned_data["status"]} - {""})),
        "filtered": bool(form.filters()),
    }
    return vary_on_htmx(
        render(request, template_for(request, "workflows/tasks.html", "task-results"), context)
    )
