"""What needs a human: the checks behind the overview's "Needs attention" lanes and ``/health/``.

Every check reads a bounded number of records, whatever the size of the store: one page of the
most recent runs (``scan`` of them, every status: a status filter would scan the whole table on
SQLite, where a run's status lives inside its snapshot), one page of resources and of threads, and
one exact bucket query per scorer for at most ``MAX_SCORERS`` scorers. Failing tools are read from
the dashboard's own index (daily counts per tool: O(days × tools) rows, no store call). On Convex with the dashboard
module each of those reads O(page) documents; with Mastra's standard handler a list reads up to
10,000 rows, and the check says so. When a check looked at part of the data only, its ``scope``
says which part.

The checks only read; each returns a ``Check`` with a count, the first examples and a link to the
page where someone can act.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone

from dashboard.core.pages import url_or_empty
from dashboard.scores.models import Direction, directions_for
from dashboard.search.indexer import status as index_status
from dashboard.search.models import ToolCallDay, ToolErrorDay
from dashboard.workflows.records import RunSummary
from dashboard.workflows.summary import summarize
from dashboard.working_memory.rules import json_value
from storeclient.interface import Store
from storeclient.models import Count, Feed, Resource, Thread, WorkflowRun

#: Scorers compared against their previous period, at most (in id order).
MAX_SCORERS = 20
#: The period a scorer's mean is compared over (with the same period before it).
SCORE_PERIOD = timedelta(days=7)
#: Convex's document limit, the reference for "close to the limit" on stores that set none.
CONVEX_DOCUMENT_BYTES = 1024 * 1024
#: The handler's cap on one list (Convex's standard ``queryTable``).
HANDLER_ROW_CAP = 10_000

#: An ATX heading line; its closing "#"s and spaces are stripped in Python (a regex doing it would
#: backtrack quadratically on an agent-written line of a million spaces).
_HEADING = re.compile(r"^#{1,6}[ \t]+([^\n]*)$", re.M)


@dataclass(frozen=True)
class Example:
    """One record a check found: what it is, where to act on it and what is wrong."""

    label: str
    url: str
    detail: str
    moment: datetime | None = None
    run: RunSummary | None = None


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    #: What was looked at, when not everything ("the 200 newest running runs").
    scope: str
    count: Count
    examples: Sequence[Example] = ()
    link: str = ""
    link_text: str = ""
    #: Extra figures ("3 in the last 24 hours").
    note: str = ""
    #: False when the check cannot apply to this store (the note says why).
    applies: bool = True

    @property
    def found(self) -> bool:
        return self.applies and self.count.value > 0


@dataclass
class Survey:
    """The records the checks share, each list read once per page (named by what it holds, so a
    check can say which lists the handler cut)."""

    store: Store
    now: datetime
    scan: int
    examples: int
    _feeds: dict[str, Feed[Any]] = field(default_factory=dict)

    # --- reads ----------------------------------------------------------------------------------

    def recent_runs(self) -> Feed[WorkflowRun]:
        """The ``scan`` most recently created runs, of every status."""
        if "runs" not in self._feeds:
            self._feeds["runs"] = self.store.workflows.run_feed(limit=self.scan)
        return self._feeds["runs"]

    def runs_with(self, *statuses: str) -> list[WorkflowRun]:
        return [run for run in self.recent_runs().items if run.status in statuses]

    def runs_scope(self) -> str:
        return self.scope(self.recent_runs(), "runs")

    def resources(self) -> Feed[Resource]:
        if "resources" not in self._feeds:
            self._feeds["resources"] = self.store.memory.resource_feed(limit=self.scan)
        return self._feeds["resources"]

    def threads(self) -> Feed[Thread]:
        if "threads" not in self._feeds:
            self._feeds["threads"] = self.store.memory.thread_feed(limit=self.scan)
        return self._feeds["threads"]

    def capped_lists(self) -> list[str]:
        """The lists read so far that the backend cut (Mastra's standard handler's 10,000 rows)."""
        return sorted(name for name, feed in self._feeds.items() if feed.capped)

    @staticmethod
    def partial(feed: Feed[Any]) -> bool:
        """Whether ``feed`` holds only part of its list (more pages, or cut by the handler)."""
        return bool(feed.next_cursor or feed.capped)

    def scope(self, feed: Feed[Any], what: str) -> str:
        """ "" when ``feed`` held everything, else which part of it was looked at."""
        if feed.next_cursor:
            return f"looked at the {len(feed.items):,} most recent {what}"
        if feed.capped:
            return f"looked at the oldest {HANDLER_ROW_CAP:,} {what} only (Mastra's standard handler)"
        return ""

    def summary(self, run: WorkflowRun) -> RunSummary:
        return summarize(
            run, now=self.now, stuck_after=timedelta(minutes=settings.ATTENTION_RUN_STUCK_MINUTES)
        )


def _run_example(survey: Survey, run: WorkflowRun, detail: str) -> Example:
    return Example(
        label=f"{run.workflow_name} · {run.run_id[:8]}",
        url=url_or_empty("workflows:run", run.workflow_name, run.run_id),
        detail=detail,
        moment=run.updated_at,
        run=survey.summary(run),
    )


def _runs_link(status: str, since: datetime | None = None) -> str:
    """The runs list filtered to ``status`` (and created from the day of ``since``)."""
    query = {"status": status}
    if since is not None:
        query["since"] = timezone.localtime(since).date().isoformat()
    return reverse("workflows:runs") + "?" + urlencode(query)


def _join(parts: Iterable[str]) -> str:
    return "; ".join(p for p in parts if p)


# --- runs ---------------------------------------------------------------------------------------------


def failed_runs(survey: Survey) -> Check:
    """Recent runs that failed in the last 7 days (and how many of them in the last 24 hours)."""
    week, day = survey.now - timedelta(days=7), survey.now - timedelta(hours=24)
    failed = [r for r in survey.runs_with("failed") if r.created_at >= week]
    in_day = [r for r in failed if r.created_at >= day]
    feed = survey.recent_runs()
    # The page may end before the week (or the day) does: then the counts are lower bounds.
    oldest = feed.items[-1].created_at if feed.items else survey.now
    partial = survey.partial(feed)
    examples = []
    for run in failed[: survey.examples]:
        error = survey.summary(run).error
        examples.append(_run_example(survey, run, error.message[:160] if error else "failed"))
    return Check(
        key="failed-runs",
        title="Failed runs",
        scope=survey.runs_scope(),
        count=Count(len(failed), at_least=partial and oldest > week),
        examples=examples,
        link=_runs_link("failed", week),
        link_text="Failed runs of the last 7 days",
        note=f"{Count(len(in_day), at_least=partial and oldest > day)} in the last 24 hours, "
        f"{Count(len(failed), at_least=partial and oldest > week)} in the last 7 days",
    )


def stuck_runs(survey: Survey) -> Check:
    """Live runs whose snapshot has not been saved for longer than the threshold, and sleeping runs
    past their wake time."""
    found = [(run, survey.summary(run)) for run in survey.runs_with("running", "waiting", "pending")]
    found = [(run, summary) for run, summary in found if summary.needs_attention]
    found.sort(key=lambda pair: pair[0].updated_at)  # longest silent first
    examples = []
    for run, summary in found[: survey.examples]:
        if summary.overdue_wake is not None:
            detail = "sleeping past its wake time"
        else:
            detail = "no snapshot update since the last step: may be stuck"
        examples.append(_run_example(survey, run, detail))
    minutes = settings.ATTENTION_RUN_STUCK_MINUTES
    return Check(
        key="stuck-runs",
        title="Runs that look stuck",
        scope=survey.runs_scope(),
        count=Count(len(found), at_least=survey.partial(survey.recent_runs())),
        examples=examples,
        link=_runs_link("running"),
        link_text="Running runs",
        note=f"running, pending or waiting with no snapshot update for over {minutes} min, or asleep past "
        "their wake time",
    )


def long_suspended_runs(survey: Survey) -> Check:
    """Suspended runs waiting longer than the threshold for a resume, longest first."""
    threshold = timedelta(hours=settings.ATTENTION_SUSPENDED_HOURS).total_seconds() * 1000
    waiting = [(run, survey.summary(run)) for run in survey.runs_with("suspended")]
    waiting = [(r, s) for r, s in waiting if s.suspended_ms is not None and s.suspended_ms > threshold]
    waiting.sort(key=lambda pair: -(pair[1].suspended_ms or 0))
    return Check(
        key="suspended-runs",
        title="Suspended runs waiting longest",
        scope=survey.runs_scope(),
        count=Count(len(waiting), at_least=survey.partial(survey.recent_runs())),
        examples=[_run_example(survey, r, "waiting for a resume") for r, _ in waiting[: survey.examples]],
        link=_runs_link("suspended"),
        link_text="All suspended runs",
        note=f"suspended for more than {settings.ATTENTION_SUSPENDED_HOURS} h",
    )


# --- scores -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Regression:
    scorer_id: str
    direction: Direction
    previous: float
    current: float
    previous_count: int
    current_count: int

    @property
    def delta(self) -> float:
        return self.current - self.previous


def score_regressions(survey: Survey) -> Check:
    """Scorers whose mean over the last 7 days moved the wrong way (by each scorer's direction)
    by more than the threshold against the 7 days before: one exact bucket query per scorer."""
    scorer_ids = survey.store.scores.scorer_ids()
    looked_at = scorer_ids[:MAX_SCORERS]
    directions = directions_for(looked_at)
    threshold = settings.ATTENTION_SCORE_DROP
    # Two buckets, [now - 14 d, now - 7 d) and [now - 7 d, now), counted from a whole second.
    origin = (survey.now - 2 * SCORE_PERIOD).replace(microsecond=0)
    found = []
    cut = False
    for scorer_id in looked_at:
        result = survey.store.scores.score_buckets(
            scorer_id,
            from_date=origin,
            to_date=survey.now,
            bucket_seconds=int(SCORE_PERIOD.total_seconds()),
            origin=origin,
        )
        cut = cut or result.capped
        by_start = {b.start: b for b in result.buckets}
        previous, current = by_start.get(origin), by_start.get(origin + SCORE_PERIOD)
        if previous is None or current is None:
            continue
        regression = Regression(
            scorer_id, directions[scorer_id], previous.mean, current.mean, previous.count, current.count
        )
        worse = (
            regression.delta < -threshold
            if regression.direction == Direction.HIGHER
            else (regression.delta > threshold)
        )
        if worse:
            found.append(regression)
    found.sort(key=lambda r: -abs(r.delta))
    examples = [
        Example(
            label=r.scorer_id or "(no scorer id)",
            url=url_or_empty("scores:scorer", r.scorer_id) + "?range=30d",
            detail=f"mean {r.current:.3f} vs {r.previous:.3f} the 7 days before ({r.delta:+.3f}; "
            f"{r.direction.label.lower()}; {r.current_count} and {r.previous_count} scores)",
        )
        for r in found[: survey.examples]
    ]
    return Check(
        key="score-regressions",
        title="Scores that got worse",
        scope=_join(
            [
                f"compared the first {MAX_SCORERS} of {len(scorer_ids):,} scorers"
                if len(scorer_ids) > MAX_SCORERS
                else "",
                f"Mastra's standard handler read at most {HANDLER_ROW_CAP:,} scores per scorer"
                if cut
                else "",
            ]
        ),
        count=Count(len(found), at_least=len(scorer_ids) > MAX_SCORERS),
        examples=examples,
        link=reverse("scores:overview"),
        link_text="All scorers",
        note=f"mean of the last 7 days against the 7 days before, moved the wrong way by more than {threshold:g}",
    )


# --- working memory ------------------------------------------------------------------------------


def _headings(text: str) -> set[str]:
    return {h.rstrip().rstrip("#").strip().lower() for h in _HEADING.findall(text)} - {""}


@dataclass(frozen=True)
class _Record:
    """A record a check may report: its label and page (the URL is only built for the ones found)."""

    label: str
    view: str
    args: tuple[str, ...]

    def example(self, detail: str) -> Example:
        return Example(self.label, url_or_empty(self.view, *self.args), detail)


def memory_problems(survey: Survey) -> Check:
    """Working memory that no longer parses (JSON) or lost its template's headings (Markdown): the
    headings most scanned Markdown memories share stand for the template."""
    memories: list[tuple[_Record, str]] = []
    for resource in survey.resources().items:
        if resource.working_memory:
            memories.append(
                (_Record(resource.id, "memory:resource", (resource.id,)), resource.working_memory)
            )
    for thread in survey.threads().items:
        if thread.working_memory:
            memories.append(
                (_Record(f"thread {thread.id}", "memory:thread", (thread.id,)), thread.working_memory)
            )
    markdown = [text for _, text in memories if text.lstrip()[:1] not in ("{", "[")]
    shared = Counter(h for text in markdown for h in _headings(text))
    template = {h for h, n in shared.items() if len(markdown) >= 3 and n * 2 > len(markdown)}
    problems: list[tuple[_Record, str]] = []
    for record, text in memories:
        if text.lstrip()[:1] in ("{", "["):
            if json_value(text) is None:
                problems.append((record, "JSON working memory that no longer parses"))
        elif text.strip():
            headings = _headings(text)
            missing = sorted(template - headings)
            if not headings:
                problems.append((record, "Markdown working memory without any heading"))
            elif missing:
                quoted = ", ".join(f"“{m}”" for m in missing[:3])
                problems.append(
                    (record, f"lost the template heading{'s' if len(missing) > 1 else ''} {quoted}")
                )
    scope = _join([survey.scope(survey.resources(), "resources"), survey.scope(survey.threads(), "threads")])
    return Check(
        key="memory",
        title="Working memory that needs fixing",
        scope=scope,
        count=Count(len(problems), at_least=bool(scope)),
        examples=[record.example(detail) for record, detail in problems[: survey.examples]],
        link=reverse("resources:list"),
        link_text="All resources",
        note="JSON that does not parse, or Markdown missing the headings most memories share",
    )


# --- size and limits -----------------------------------------------------------------------------


def _size(value: Any) -> int:
    try:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        return 0
    return len(text.encode("utf-8", "surrogatepass"))


def large_documents(survey: Survey) -> Check:
    """Records close to the store's document limit (Convex: 1 MiB; stores without one are measured
    against Convex's, the limit a move to Convex would meet): the resources, threads and runs the
    other checks read."""
    limit = survey.store.max_document_bytes or CONVEX_DOCUMENT_BYTES
    share = settings.ATTENTION_DOCUMENT_SHARE
    sizes: list[tuple[int, _Record]] = []
    for resource in survey.resources().items:
        size = _size(resource.working_memory or "") + _size(resource.metadata)
        sizes.append((size, _Record(resource.id, "resources:detail", (resource.id,))))
    for thread in survey.threads().items:
        size = _size(thread.title) + _size(thread.metadata)
        sizes.append((size, _Record(f"thread {thread.id}", "threads:detail", (thread.id,))))
    for run in survey.recent_runs().items:
        record = _Record(
            f"{run.workflow_name} · {run.run_id[:8]}", "workflows:run", (run.workflow_name, run.run_id)
        )
        sizes.append((_size(run.snapshot), record))
    close = [(size, record) for size, record in sizes if size >= limit * share]
    close.sort(key=lambda pair: -pair[0])
    examples = [
        record.example(f"{size / 1024:,.0f} KiB, {size / limit:.0%} of the {limit // 1024:,} KiB limit")
        for size, record in close[: survey.examples]
    ]
    return Check(
        key="large-documents",
        title="Records close to the document limit",
        scope="the resources, threads and runs read by the other checks",
        count=Count(
            len(close), at_least=survey.partial(survey.resources()) or survey.partial(survey.threads())
        ),
        examples=examples,
        note=f"over {share:.0%} of {'this store’s' if survey.store.max_document_bytes else 'Convex’s'} "
        f"{limit // 1024:,} KiB limit per document",
    )


def capped_feeds(survey: Survey) -> Check:
    """Lists Mastra's standard handler cut at its 10,000 rows (read by the checks above)."""
    cut = survey.capped_lists()
    return Check(
        key="capped-feeds",
        title="Lists cut at 10,000 rows",
        scope="",
        count=Count(len(cut)),
        examples=[Example(name, "", "the handler returned only its oldest 10,000 rows") for name in cut],
        note="Deploy the dashboard module (README: “Deploy the dashboard module”) to read them in full",
    )


# --- tools ---------------------------------------------------------------------------------------------


#: Tools listed in the failing-tools lane's examples are the worst of at most this many.
MAX_TOOLS = 200


def failing_tools(survey: Survey) -> Check:
    """Tools whose calls of the last 7 days (in the site's zone, whole days) failed at least
    ``ATTENTION_TOOL_FAILURE_RATE`` of the time in at least ``ATTENTION_TOOL_MIN_FAILURES`` calls,
    worst first, each with its most frequent error: from the search index's daily counts."""
    rate, least = settings.ATTENTION_TOOL_FAILURE_RATE, settings.ATTENTION_TOOL_MIN_FAILURES
    week = timezone.localtime(survey.now).date() - timedelta(days=6)
    key, title = "failing-tools", "Failing tools"
    index = index_status()
    if index.synced_at is None and index.last_poll_at is None:
        return Check(
            key=key,
            title=title,
            scope="",
            count=Count(0),
            applies=False,
            note="Read from the search index, which has not been built: run `manage.py index --follow`.",
        )
    totals = (
        ToolCallDay.objects.filter(every_agent=True, day__gte=week)
        .values("tool_name")
        .annotate(calls=Sum("calls"), failures=Sum("failures"))
        .filter(failures__gte=least)
        .order_by("-failures", "tool_name")[:MAX_TOOLS]
    )
    failing = [row for row in totals if row["calls"] and row["failures"] / row["calls"] >= rate]
    failing.sort(key=lambda row: (-row["failures"] / row["calls"], -row["failures"], row["tool_name"]))
    shown = failing[: survey.examples]
    top_error = _top_errors([row["tool_name"] for row in shown], week)
    since = urlencode({"since": week.isoformat()})
    examples = []
    for row in shown:
        name, calls, failures = row["tool_name"], row["calls"], row["failures"]
        detail = f"{failures:,} of {calls:,} calls failed ({failures / calls:.0%})"
        if error := top_error.get(name):
            detail += f" · most often: {error[:120]}"
        url = url_or_empty("tools:tool", name)
        examples.append(Example(name, f"{url}?{since}" if url else "", detail))
    synced = index.synced_at or index.last_poll_at
    return Check(
        key=key,
        title=title,
        scope=""
        if synced is None
        else f"calls the search index had read by {timezone.localtime(synced):%Y-%m-%d %H:%M}",
        count=Count(len(failing)),
        examples=examples,
        link=f"{reverse('tools:overview')}?{since}",
        link_text="Tools of the last 7 days",
        note=f"{rate:.0%} or more of their calls failed in the last 7 days (at least {least})",
    )


def _top_errors(tool_names: list[str], since: date) -> dict[str, str]:
    """Each tool's most frequent normalised error since ``since`` (one example text of it)."""
    if not tool_names:
        return {}
    groups = (
        ToolErrorDay.objects.filter(every_agent=True, day__gte=since, tool_name__in=tool_names)
        .values("tool_name", "error_key")
        .annotate(failures=Sum("failures"), example=Max("example"))
        .order_by("tool_name", "-failures", "error_key")
    )
    top: dict[str, str] = {}
    for group in groups:
        top.setdefault(group["tool_name"], group["example"] or group["error_key"])
    return top


def run_checks(survey: Survey) -> list[Check]:
    """Every check, in the order the pages show them (runs first: they wait for someone)."""
    checks = [
        failed_runs(survey),
        stuck_runs(survey),
        long_suspended_runs(survey),
        score_regressions(survey),
        failing_tools(survey),
        memory_problems(survey),
        large_documents(survey),
    ]
    checks.append(capped_feeds(survey))
    return checks
