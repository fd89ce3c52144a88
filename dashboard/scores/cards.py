"""The overview's card per scorer: its figures over a period, compared with the period before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from dashboard.core.store import get_store
from storeclient.models import Score, ScoreSeries

from . import charts, stats
from .forms import PERIODS, ScoreQuery
from .models import Direction

#: Points per overview card (two periods' worth).
OVERVIEW_MAX_POINTS = 2_000


#: What the pages call a scorer whose rows have an empty ``scorerId``.
NO_SCORER_ID = "(no scorer id)"


def scorer_label(scorer_id: str) -> str:
    return scorer_id or NO_SCORER_ID


def scorer_info(score: Score | None) -> dict[str, str]:
    """Name and description from the score's ``scorer`` object, when it has them."""
    scorer = score.get("scorer") if score else None
    if not isinstance(scorer, dict):
        return {}
    return {k: v for k in ("name", "description") if isinstance(v := scorer.get(k), str) and v}


@dataclass
class ScorerCard:
    scorer_id: str
    url: str
    name: str
    description: str
    latest: datetime | None
    count: int
    count_estimated: bool
    summary: stats.Summary
    change: stats.Change
    sparkline: charts.Sparkline
    series: ScoreSeries
    direction: Direction = Direction.HIGHER

    @property
    def change_quality(self) -> str:
        """``better``, ``worse`` or ``""`` (no change, or nothing to compare): the sign of the
        change read through the scorer's direction."""
        return change_quality(self.change.delta, self.direction)


def change_quality(delta: float | None, direction: Direction) -> str:
    if not delta:
        return ""
    improved = delta > 0 if direction == Direction.HIGHER else delta < 0
    return "better" if improved else "worse"


def scorer_card(
    scorer_id: str, moment: datetime, period_key: str, direction: Direction = Direction.HIGHER
) -> ScorerCard:
    """One card, with two store calls: a bounded series over two periods and the latest score."""
    store = get_store()
    period = PERIODS[period_key][1]
    series = store.scores.score_series(
        scorer_id, from_date=moment - 2 * period, to_date=moment, max_points=OVERVIEW_MAX_POINTS
    )
    latest = store.scores.score_feed(scorer_id, limit=1).items
    current, _ = stats.split_periods(series.points, moment, period)
    count = len(current)
    if series.sampled and series.points:
        # The sample is spread evenly over the scores in time order, so the share of it falling in
        # this period is the share of all scores that do (to within one sampling step).
        count = round(series.total * len(current) / len(series.points))
    size = stats.bucket_size_for(period)
    in_period = [p for p in series.points if p.created_at > moment - period]
    trend = stats.fill_buckets(stats.bucket_points(in_period, size), moment - period, moment, size)
    info = scorer_info(latest[0] if latest else None)
    return ScorerCard(
        scorer_id=scorer_id,
        url=reverse("scores:scorer", args=[scorer_id]) + ScoreQuery(range=period_key).querystring(),
        name=info.get("name", scorer_label(scorer_id)),
        description=info.get("description", ""),
        latest=latest[0].created_at if latest else None,
        count=count,
        count_estimated=series.sampled,
        summary=stats.summarize(current),
        change=stats.mean_change(series.points, moment, period),
        sparkline=charts.sparkline(
            trend, label=f"Mean score per {charts.BUCKET_NAMES[size]}, last {PERIODS[period_key][0]}"
        ),
        series=series,
        direction=direction,
    )
