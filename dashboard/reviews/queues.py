"""Building a review queue from a scorer page's filters, and handing each reviewer their next item.

A queue keeps the ids of the scores it was built from (``QueueItem`` rows), not a store cursor:
  * the list stays the same while the agent keeps scoring, so "item 7 of 40", "previous", a reload
    and a shared link all mean the same score for every reviewer;
  * next-item is then a query on the dashboard's database plus one ``get_score_by_id``, whatever
    the store holds (a cursor would re-read store pages to skip what was already reviewed);
  * two reviewers coordinate through rows they can update atomically (claims), which a cursor has
    nowhere to keep.
Building reads ``ceil(size / FEED_PAGE)`` chunks of score rows per scorer (ids, times and values
only), more only to skip reviewed scores ("unreviewed only"), and never more than ``MAX_LOOKED_AT``
scores (the queue is then shorter, and says so).
A random sample of N is drawn from the newest ``SAMPLE_POOL`` matching scores: at most
``SAMPLE_POOL / FEED_PAGE`` store reads per scorer, and the queue's description says what it was
drawn from.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from math import ceil, isfinite
from operator import attrgetter

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboard.audit.models import Action, AuditEvent, Outcome, TargetType
from dashboard.core.store import get_store
from dashboard.scores.forms import ScoreQuery
from dashboard.scores.models import Direction, direction_for

from .models import QueueItem, Review, ReviewQueue

#: Longest queue (a queue is a working session, not an export).
MAX_QUEUE = 200
#: Most scores per store read while building.
FEED_PAGE = 500
#: Scores looked at per scorer while building, at most (bounds "unreviewed only" on a scorer whose
#: newest or worst scores are all reviewed; only ids and values are read, ``FEED_PAGE`` at a time).
MAX_LOOKED_AT = 25 * FEED_PAGE
#: A random sample is drawn from this many of the newest matching scores.
SAMPLE_POOL = 1_000
#: How long an opened item stays with its reviewer before another may be handed it.
CLAIM = timedelta(minutes=10)

#: What a queue can be built from: the keys are the ``pick`` values of the start form.
PICKS = {
    "worst": "Worst first",
    "newest": "Newest first",
    "sample": "Random sample",
}


def worst_is_lowest(scorer_id: str) -> bool:
    """Whether ``scorer_id``'s worst results are its lowest ones: the scorer's direction (set by
    admins on the scorer page; higher is better unless they said otherwise)."""
    return direction_for(scorer_id) is Direction.HIGHER


@dataclass(frozen=True)
class QueueRequest:
    """What the start form asked for."""

    scorer_id: str
    query: ScoreQuery
    pick: str
    size: int
    unreviewed_only: bool
    reviews_wanted: int = 1


@dataclass(frozen=True)
class Built:
    queue: ReviewQueue
    #: Store reads made while building.
    reads: int
    #: Why the queue is shorter than asked, when it is.
    note: str = ""


def describe(request: QueueRequest, scorer_label: str) -> str:
    parts = [PICKS[request.pick].lower()]
    if request.pick == "sample":
        parts[0] = f"random sample of {request.size} from the newest {SAMPLE_POOL:,} matching scores"
    query = request.query
    parts.append("all time" if query.range == "all" else f"range {query.range}")
    if query.range == "custom":
        parts[-1] = f"{query.since or '…'} to {query.until or '…'}"
    for label, value in (
        ("source", query.source),
        ("entity type", query.entity_type),
        ("entity", query.entity_id),
    ):
        if value:
            parts.append(f"{label} {value}")
    if request.unreviewed_only:
        parts.append("unreviewed only")
    return f"{scorer_label}: " + ", ".join(parts)


def build_queue(request: QueueRequest, user: AbstractBaseUser, *, name: str, now: datetime) -> Built:
    """Read the scores the request picks (bounded, see the module's docstring) and save the queue."""
    store = get_store()
    scorer_ids = [request.scorer_id] if request.scorer_id else store.scores.scorer_ids()
    wanted = SAMPLE_POOL if request.pick == "sample" else request.size
    per_scorer = wanted if request.scorer_id else max(wanted // max(len(scorer_ids), 1), request.size)
    chosen: list[Candidate] = []
    reads = 0
    #: Scores looked at in a scorer where the search stopped at MAX_LOOKED_AT (the most of any).
    stopped_after = 0
    for scorer_id in scorer_ids:
        scores, scorer_reads, looked_at = _scores(request, scorer_id, per_scorer, now)
        chosen.extend(scores)
        reads += scorer_reads
        stopped_after = max(stopped_after, looked_at)
    if request.pick == "sample":
        chosen = random.sample(chosen, min(request.size, len(chosen)))
        chosen.sort(key=attrgetter("created_at"), reverse=True)
    elif request.pick == "worst":
        chosen.sort(key=Candidate.worst_first)
    else:
        chosen.sort(key=attrgetter("created_at"), reverse=True)
    chosen = chosen[: request.size]
    note = ""
    if len(chosen) < request.size:
        note = f"Only {len(chosen)} matching score{'s' if len(chosen) != 1 else ''} found"
        note += f" among the {stopped_after:,} looked at (the most a queue reads)." if stopped_after else "."
    with transaction.atomic():
        queue = ReviewQueue.objects.create(
            name=name,
            scorer_id=request.scorer_id,
            # The shortfall stays with the queue: everyone who opens it sees why it is short.
            description=describe(request, request.scorer_id or "every scorer")
            + (f". {note}" if note else ""),
            filters={
                **request.query.params(),
                "pick": request.pick,
                "size": request.size,
                "unreviewed_only": request.unreviewed_only,
            },
            reviews_wanted=request.reviews_wanted,
            created_by=user if user.pk else None,
        )
        QueueItem.objects.bulk_create(
            QueueItem(queue=queue, position=i, score_id=s.id, scorer_id=s.scorer_id)
            for i, s in enumerate(chosen, start=1)
        )
        event = AuditEvent.start(
            user,
            Action.REVIEW_QUEUE_CREATE,
            TargetType.REVIEW_QUEUE,
            str(queue.pk),
            before="",
            after=f"{queue.name}\n{queue.description}\n{len(chosen)} scores",
        )
        event.finish(Outcome.APPLIED)
    return Built(queue, reads, note)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What building a queue needs of a score: who it is, when, and how bad (a queue item keeps
    only the id and scorer; the item page reads the whole score when it is opened)."""

    id: str
    scorer_id: str
    #: ``canonical_iso`` text (or ""): one fixed format, so text order is time order.
    created_at: str
    #: How bad the score is for its scorer's direction, lowest first; a score that is not a finite
    #: number (NaN, text) counts as the worst, as in ``score_feed``'s worst-first order.
    badness: float

    def worst_first(self) -> tuple[float, str]:
        return (self.badness, self.created_at)


#: The columns a queue is built from (``score_rows`` decodes only these: a queue that has to skip
#: thousands of reviewed scores reads ids and numbers, not whole score records).
_CANDIDATE_COLUMNS = ("id", "scorerId", "createdAt", "score")


def _scores(
    request: QueueRequest, scorer_id: str, wanted: int, now: datetime
) -> tuple[list[Candidate], int, int]:
    """Up to ``wanted`` scores of one scorer in the request's order; (scores, store reads, how many
    scores were looked at when ``MAX_LOOKED_AT`` stopped the search, else 0)."""
    store = get_store()
    worst = request.pick == "worst"
    lowest_first = worst and worst_is_lowest(scorer_id)
    highest_first = worst and not lowest_first
    # Without skipping, one read of what is wanted; skipping reviewed scores reads full pages.
    chunk = FEED_PAGE if request.unreviewed_only else max(1, min(wanted, FEED_PAGE))
    rows = store.scores.score_rows(
        scorer_id,
        _CANDIDATE_COLUMNS,
        **request.query.store_filters(now),
        lowest_first=lowest_first,
        highest_first=highest_first,
        chunk=chunk,
    )
    found: list[Candidate] = []
    looked_at = 0
    try:
        while len(found) < wanted and looked_at < MAX_LOOKED_AT:
            batch = [_candidate(row, highest_first) for row in islice(rows, chunk)]
            if not batch:
                break
            looked_at += len(batch)
            if request.unreviewed_only:
                reviewed = set(
                    Review.objects.filter(score_id__in=[c.id for c in batch]).values_list(
                        "score_id", flat=True
                    )
                )
                batch = [c for c in batch if c.id not in reviewed]
            found.extend(batch[: wanted - len(found)])
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    reads = max(1, ceil(looked_at / chunk))
    stopped = looked_at >= MAX_LOOKED_AT and len(found) < wanted
    return found, reads, looked_at if stopped else 0


def _candidate(row: Sequence[object], highest_first: bool) -> Candidate:
    score_id, scorer_id, created_at, value = row
    if type(value) is float and isfinite(value):
        badness = -value if highest_first else value
    else:
        badness = float("-inf")
    return Candidate(str(score_id), str(scorer_id or ""), str(created_at or ""), badness)


# --- reviewers in a queue --------------------------------------------------------------------------


def items_with_progress(queue: ReviewQueue, user: AbstractBaseUser) -> QuerySet[QueueItem]:
    """The queue's items, each with ``mine`` (this user reviewed it) and ``review_count``."""
    reviews_of_item = (
        Review.objects.filter(score_id=OuterRef("score_id"))
        .order_by()
        .values("score_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queue.items.annotate(
        mine=Exists(Review.objects.filter(score_id=OuterRef("score_id"), reviewer=user)),
        review_count=Coalesce(Subquery(reviews_of_item, output_field=IntegerField()), Value(0)),
    ).order_by("position")


def next_item(queue: ReviewQueue, user: AbstractBaseUser, *, after: int = 0) -> QueueItem | None:
    """The first item after position ``after`` (then from the start) that this user has not
    reviewed, that still wants reviews, and that nobody else has open; claimed for this user.

    The claim is one conditional UPDATE, so two reviewers asking at the same moment get two
    different items. With ``reviews_wanted`` above 1 items are not claimed: everyone reviews them.
    """
    now = timezone.now()
    todo = items_with_progress(queue, user).filter(mine=False, review_count__lt=queue.reviews_wanted)
    if queue.reviews_wanted > 1:
        item = todo.filter(position__gt=after).first() or todo.first()
        return item
    free = Q(claimed_by__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=user)
    for part in (todo.filter(position__gt=after), todo.filter(position__lte=after)):
        for item in part.filter(free)[:20]:
            if claim(item, user, now=now):
                return item
    return None


def claim(item: QueueItem, user: AbstractBaseUser, *, now: datetime | None = None) -> bool:
    """Give ``item`` to ``user`` for ``CLAIM`` unless someone else holds it; release their other
    claims in the queue (a reviewer holds one item at a time)."""
    now = now or timezone.now()
    if item.claimed_by_id == user.pk and item.claimed_until and item.claimed_until > now + CLAIM / 2:
        # Already this reviewer's (the queue handed it over a moment ago): no write needed.
        return True
    free = Q(claimed_by__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=user)
    taken = QueueItem.objects.filter(free, pk=item.pk).update(claimed_by=user, claimed_until=now + CLAIM)
    if taken:
        QueueItem.objects.filter(queue_id=item.queue_id, claimed_by=user).exclude(pk=item.pk).update(
            claimed_by=None, claimed_until=None
        )
        item.claimed_by_id, item.claimed_until = user.pk, now + CLAIM
    return bool(taken)


def holder(item: QueueItem, user: AbstractBaseUser, *, now: datetime | None = None) -> str:
    """The username of someone else who has ``item`` open now, or ``""``."""
    now = now or timezone.now()
    if item.claimed_by_id in (None, user.pk) or not item.claimed_until or item.claimed_until < now:
        return ""
    return item.claimed_by.get_username() if item.claimed_by else ""


@dataclass(frozen=True)
class Progress:
    total: int
    mine: int
    complete: int

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 100


def progress(queue: ReviewQueue, user: AbstractBaseUser) -> Progress:
    items: Sequence[QueueItem] = list(items_with_progress(queue, user))
    return Progress(
        total=len(items),
        mine=sum(1 for i in items if i.mine),  # type: ignore[attr-defined]
        complete=sum(1 for i in items if i.review_count >= queue.reviews_wanted),  # type: ignore[attr-defined]
    )
