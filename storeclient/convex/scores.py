"""Scorer results through Mastra's storage handler.

Mastra's own TypeScript store scans the oldest 10,000 scores and filters in JS; sending the filters
lets the handler (>= 1.0.5) use its ``by_scorer``/``by_entity``/``by_run`` indexes instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ..changes import DEFAULT_SETTLE_SECONDS
from ..codec import parse_datetime, to_iso, without_none
from ..errors import InvalidRequest
from ..models import (
    ChangePage,
    Feed,
    PerPage,
    Score,
    ScoreBucket,
    ScoreBuckets,
    ScoreList,
    ScorePoint,
    ScoreRow,
    ScoreSeries,
)
from ..prefix import Prefix
from ..records import check_score_columns, decode_score, new_score_record, score_from_record, score_row
from ..semantics import check_buckets, check_page, decode_cursor, offset_of, page_at
from .changes import ConvexChanges
from .handler import SCORES, StorageHandler
from .memory import CAPPED_NOTE
from .module import DashboardModule, HandlerStart, ModuleUnavailable, handler_feed
from .score_pages import score_page
from .storage_api import ConvexScoreSpans

#: Filtered score feeds read at most this many scores per module call, and this many for one page.
SCORE_WINDOW = 200
SCORE_SCAN_BUDGET = 4_000
#: Scores a series (or bucket aggregate) reads through the module, newest first.
SERIES_READ_CAP = 20_000
#: Scores read to order a feed by score (no index orders by score).
LOWEST_READ_CAP = 2_000


def _module_filters(
    scorer_id: str,
    source: str | None,
    entity_type: str | None,
    entity_id: str | None,
    from_date: datetime | None,
    to_date: datetime | None,
    entity_prefix: Prefix | None = None,
) -> dict[str, Any]:
    return without_none(
        {
            "entityPrefix": entity_prefix.text if entity_prefix else None,
            "scorerId": scorer_id,
            "source": source or None,
            "entityType": entity_type or None,
            "entityId": entity_id or None,
            "fromDate": to_iso(from_date) if from_date is not None else None,
            "toDate": to_iso(to_date) if to_date is not None else None,
        }
    )


def _score_search_note(scanned: int) -> str:
    return (
        f"The filter looked through {scanned:,} scores, newest first, without filling this page; "
        "load more to keep looking at older scores."
    )


def even_sample[T](items: list[T], max_points: int) -> list[T]:
    """Keep ``max_points`` items spread evenly over the list (first and last included)."""
    if len(items) <= max_points or max_points <= 0:
        return items
    if max_points == 1:
        return [items[-1]]
    step = (len(items) - 1) / (max_points - 1)
    return [items[round(i * step)] for i in range(max_points)]


class ConvexScores(ConvexScoreSpans):
    def __init__(
        self,
        handler: StorageHandler,
        module: DashboardModule,
        *,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    ) -> None:
        self._h = handler
        self._m = module
        self._changes = ConvexChanges(handler, module, settle_seconds=settle_seconds)

    def score_changes(self, cursor: str | None = None, *, limit: int = 500) -> ChangePage[Score]:
        return self._changes.score_changes(cursor, limit)

    def save_score(self, score: Mapping[str, Any], *, created_at: datetime | None = None) -> Score:
        record = new_score_record(score, created_at=created_at)
        self._h.insert(SCORES, record)
        return score_from_record(record)

    def save_scores(self, scores: Sequence[tuple[Mapping[str, Any], datetime | None]]) -> list[str]:
        """The handler's ``batchInsert``, in chunks it can take in one transaction."""
        records = [new_score_record(score, created_at=created_at) for score, created_at in scores]
        self._h.batch_insert(SCORES, records)
        return [str(r["id"]) for r in records]

    def get_score_by_id(self, score_id: str) -> Score | None:
        row = self._h.load(SCORES, {"id": score_id})
        return score_from_record(row) if row else None

    def _query(self, filters: dict[str, Any]) -> tuple[list[Score], bool]:
        rows, capped = self._h.query(SCORES, filters)
        return [score_from_record(r) for r in rows], capped

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
        check_page(page, per_page, what="list_scores_by_scorer_id")
        filters: dict[str, Any] = {"scorerId": scorer_id}
        if entity_id:
            filters["entityId"] = entity_id
        if entity_type:
            filters["entityType"] = entity_type
        rows, capped = self._h.query(SCORES, filters)
        if source:
            rows = [r for r in rows if r.get("source") == source]
        return score_page(rows, page, per_page, capped)

    def list_scores_by_run_id(self, run_id: str, *, page: int = 0, per_page: PerPage = 100) -> ScoreList:
        check_page(page, per_page, what="list_scores_by_run_id")
        rows, capped = self._h.query(SCORES, {"runId": run_id})
        return score_page(rows, page, per_page, capped)

    def list_scores_by_entity_id(
        self, entity_id: str, entity_type: str, *, page: int = 0, per_page: PerPage = 100
    ) -> ScoreList:
        check_page(page, per_page, what="list_scores_by_entity_id")
        rows, capped = self._h.query(SCORES, {"entityId": entity_id, "entityType": entity_type})
        return score_page(rows, page, per_page, capped)

    # --- dashboard additions ------------------------------------------------------------------

    def scorer_ids(self) -> list[str]:
        if self._m.available():
            try:
                return sorted(set(self._m.distinct("scorerIds")))
            except ModuleUnavailable:
                pass
        rows, _ = self._h.query(SCORES)
        # An empty scorerId is an id too: its scores are listed under a label, not hidden.
        return sorted({r["scorerId"] for r in rows if isinstance(r.get("scorerId"), str)})

    def _filtered(
        self,
        scorer_id: str,
        source: str | None,
        entity_type: str | None,
        entity_id: str | None,
        from_date: datetime | None,
        to_date: datetime | None,
        entity_prefix: Prefix | None = None,
    ) -> tuple[list[Score], bool]:
        filters: dict[str, Any] = {"scorerId": scorer_id}
        if entity_id:
            filters["entityId"] = entity_id
        if entity_type:
            filters["entityType"] = entity_type
        scores, capped = self._query(filters)
        return [
            s
            for s in scores
            if (source is None or s.source == source)
            and (from_date is None or s.created_at >= from_date)
            and (to_date is None or s.created_at <= to_date)
            and (entity_prefix is None or entity_prefix.matches(s.entity_id))
        ], capped

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
        """With the module, newest first comes from an index page by page; lowest first (no index
        orders by score) sorts the newest ``LOWEST_READ_CAP`` scores and says so when there are more.
        An entity prefix reads the case variants' ranges of ``by_entity``."""
        if lowest_first and highest_first:
            raise InvalidRequest("Ask for the lowest or the highest scores first, not both.")
        by_score = lowest_first or highest_first
        prefix = Prefix.of(entity_prefix, what="entity id prefix")
        filters = _module_filters(scorer_id, source, entity_type, entity_id, from_date, to_date, prefix)
        if by_score:
            # No index orders by score, so both paths rank a list in memory and page it by offset.
            start = HandlerStart(offset_of(decode_cursor(cursor)))
            if self._m.available():
                try:
                    rows, complete = self._m.collect(
                        "scores", filters, max_items=LOWEST_READ_CAP, window=SCORE_WINDOW
                    )
                except ModuleUnavailable:
                    pass
                else:
                    rows.sort(
                        key=lambda r: (
                            score_rank(decode_score(r.get("score"))[0], highest_first=highest_first),
                            str(r.get("createdAt")),
                            str(r.get("id")),
                        )
                    )
                    page, next_cursor = page_at(rows, start.offset, limit)
                    note = (
                        None
                        if complete
                        else (
                            f"Ordered by score among the newest {LOWEST_READ_CAP:,} scores in range; narrow the "
                            "date range to rank older ones."
                        )
                    )
                    return Feed(
                        items=[score_from_record(r) for r in page],
                        next_cursor=next_cursor,
                        capped=not complete,
                        note=note,
                    )
        else:
            route = self._m.route_feed(
                "scores",
                filters,
                cursor,
                limit,
                decode=score_from_record,
                window=SCORE_WINDOW,
                scan_budget=SCORE_SCAN_BUDGET,
                early_note=_score_search_note,
            )
            if isinstance(route, Feed):
                return route
            start = route
        scores, capped = self._filtered(scorer_id, source, entity_type, entity_id, from_date, to_date, prefix)
        if by_score:
            scores.sort(key=lambda s: (score_rank(s.score, highest_first=highest_first), s.created_at, s.id))
        elif prefix is not None:
            scores.sort(key=lambda s: (s.entity_id or "", s.created_at, s.id), reverse=True)
        else:
            scores.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return handler_feed(scores, start, limit, capped=capped, note=CAPPED_NOTE if capped else None)

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
        """``score_feed``'s pages of ``chunk`` to the end, each score cut down to ``columns``."""
        wanted = check_score_columns(columns)
        filters: dict[str, Any] = {
            "source": source,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "from_date": from_date,
            "to_date": to_date,
            "lowest_first": lowest_first,
            "highest_first": highest_first,
            "entity_prefix": entity_prefix,
        }
        first = self.score_feed(scorer_id, **filters, limit=chunk)

        def stream(page: Feed[Score]) -> Iterator[ScoreRow]:
            while True:
                for score in page.items:
                    yield score_row(score, wanted)
                if not page.next_cursor:
                    return
                page = self.score_feed(scorer_id, **filters, cursor=page.next_cursor, limit=chunk)

        return stream(first)

    def _points(
        self,
        scorer_id: str,
        source: str | None,
        entity_type: str | None,
        entity_id: str | None,
        from_date: datetime | None,
        to_date: datetime | None,
        read_cap: int,
        entity_prefix: Prefix | None = None,
    ) -> tuple[list[ScorePoint], bool, int]:
        """Every ``(createdAt, score)`` in range with a finite score, oldest first, whether the read
        was cut, and how many in range had a score that is not a finite number (left out): the
        module's projected series (newest ``read_cap``), or the handler's one bounded read."""
        if self._m.available():
            try:
                pairs, complete = self._m.collect(
                    "scoreSeries",
                    _module_filters(
                        scorer_id, source, entity_type, entity_id, from_date, to_date, entity_prefix
                    ),
                    max_items=read_cap,
                )
            except ModuleUnavailable:
                pass
            else:
                decoded = [(parse_datetime(created), decode_score(score)[0]) for created, score in pairs]
                points = [ScorePoint(created, score) for created, score in decoded if math.isfinite(score)]
                points.sort(key=lambda p: p.created_at)
                return points, not complete, len(decoded) - len(points)
        scores, capped = self._filtered(
            scorer_id, source, entity_type, entity_id, from_date, to_date, entity_prefix
        )
        scores.sort(key=lambda s: (s.created_at, s.id))
        points = [ScorePoint(s.created_at, s.score) for s in scores if s.has_finite_score]
        return points, capped, len(scores) - len(points)

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
        points, capped, not_finite = self._points(
            scorer_id,
            source,
            entity_type,
            entity_id,
            from_date,
            to_date,
            max(SERIES_READ_CAP, max_points),
            Prefix.of(entity_prefix, what="entity id prefix"),
        )
        sampled = even_sample(points, max_points)
        return ScoreSeries(
            points=sampled,
            total=len(points),
            sampled=len(sampled) < len(points),
            total_at_least=capped,
            not_finite=not_finite,
        )

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
        """Neither the handler nor the module aggregates, so this is the same bounded read as
        ``score_series`` (``capped`` when it may have been cut), aggregated here."""
        size, start = check_buckets(bucket_seconds, origin)
        points, capped, _ = self._points(
            scorer_id,
            source,
            entity_type,
            entity_id,
            from_date,
            to_date,
            SERIES_READ_CAP,
            Prefix.of(entity_prefix, what="entity id prefix"),
        )
        return ScoreBuckets(
            buckets=aggregate_buckets(points, size, start), bucket_seconds=size, capped=capped
        )


def score_rank(score: float, *, highest_first: bool = False) -> tuple[int, float]:
    """Lowest (or highest) first with NaN (a score that is not a number) last: NaN compares false
    with everything, which would leave a sort in no order at all."""
    if math.isnan(score):
        return (1, 0.0)
    return (0, -score if highest_first else score)


def finite_mean(values: list[float]) -> float:
    """The mean of finite values; scores near the largest double overflow the plain sum."""
    try:
        return math.fsum(values) / len(values)
    except OverflowError:
        return math.fsum(v / len(values) for v in values)


def aggregate_buckets(scores: Iterable[Score | ScorePoint], size: int, origin: int) -> list[ScoreBucket]:
    """Per-bucket count/mean/min/max with the SQLite store's arithmetic: whole seconds since
    ``origin``, floored to ``size``."""
    found: dict[int, list[float]] = {}
    for s in scores:
        if not math.isfinite(s.score):
            continue
        key = (math.floor(s.created_at.timestamp()) - origin) // size
        found.setdefault(key, []).append(s.score)
    return [
        ScoreBucket(
            start=datetime.fromtimestamp(origin + key * size, tz=UTC),
            count=len(values),
            mean=finite_mean(values),
            min=min(values),
            max=max(values),
        )
        for key, values in sorted(found.items())
    ]
