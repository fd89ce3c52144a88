"""How well a judge agrees with people, from the reviews alone (pure functions, no database).

Each review gives the judge's score (copied when the review was made) and what the person said:
a verdict (agree/disagree), their own score, or both. At an admin-set threshold both become
pass/fail classes: the judge's by its score; the person's by their score when they gave one, else
by the verdict (agree: the judge's class, disagree: the other one).

A figure that is undefined for the data is ``None`` with the reason beside it, never a 0 or a NaN:
Cohen's κ when chance agreement is 1 (both raters used one class only), Pearson's r with fewer
than two pairs or when either side never varies.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations


@dataclass(frozen=True)
class Judged:
    """One review as the statistics see it."""

    score_id: str
    reviewer: str
    judge: float | None
    verdict: str
    human: float | None
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class Figure:
    value: float | None
    #: Why ``value`` is ``None``; what it was computed from otherwise.
    why: str = ""

    @property
    def defined(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Agreement:
    reviews: int
    #: Share of verdicts that agree with the judge (reviews without a verdict left out).
    rate: Figure
    #: Mean absolute difference between the judge's score and the person's.
    mae: Figure
    kappa: Figure
    pearson: Figure
    #: Pairs of people who judged the same score the same way, out of all such pairs.
    inter_reviewer: Figure
    threshold: float


def judge_passes(judge: float, threshold: float) -> bool:
    return judge >= threshold


def human_passes(review: Judged, threshold: float) -> bool | None:
    """The person's pass/fail, from their score, else from their verdict; ``None`` when neither."""
    if review.human is not None:
        return review.human >= threshold
    if review.judge is None or review.verdict not in ("agree", "disagree"):
        return None
    judge = judge_passes(review.judge, threshold)
    return judge if review.verdict == "agree" else not judge


def agrees(review: Judged, threshold: float) -> bool | None:
    """Whether the person agrees with the judge: the verdict when given, else the classes."""
    if review.verdict in ("agree", "disagree"):
        return review.verdict == "agree"
    person = human_passes(review, threshold)
    if person is None or review.judge is None:
        return None
    return person == judge_passes(review.judge, threshold)


def agreement_rate(reviews: Sequence[Judged], threshold: float) -> Figure:
    verdicts = [a for a in (agrees(r, threshold) for r in reviews) if a is not None]
    if not verdicts:
        return Figure(None, "no review has a verdict or a score to compare")
    return Figure(sum(verdicts) / len(verdicts), f"{sum(verdicts)} of {len(verdicts)}")


def mean_absolute_difference(reviews: Sequence[Judged]) -> Figure:
    pairs = [(r.judge, r.human) for r in reviews if r.judge is not None and r.human is not None]
    if not pairs:
        return Figure(None, "no review gives a score of its own")
    return Figure(sum(abs(j - h) for j, h in pairs) / len(pairs), f"{len(pairs)} scored review{_s(pairs)}")


def cohens_kappa(pairs: Sequence[tuple[bool, bool]]) -> Figure:
    """κ = (p_o − p_e) / (1 − p_e) for two raters' pass/fail on the same items."""
    n = len(pairs)
    if n == 0:
        return Figure(None, "no review can be classed as pass or fail")
    observed = sum(a == b for a, b in pairs) / n
    a_pass = sum(a for a, _ in pairs) / n
    b_pass = sum(b for _, b in pairs) / n
    chance = a_pass * b_pass + (1 - a_pass) * (1 - b_pass)
    if chance >= 1:
        return Figure(None, "judge and people used one class only (all pass or all fail), so κ is undefined")
    return Figure((observed - chance) / (1 - chance), f"{n} classed review{_s(pairs)}")


def judge_human_kappa(reviews: Sequence[Judged], threshold: float) -> Figure:
    pairs = []
    for review in reviews:
        person = human_passes(review, threshold)
        if review.judge is not None and person is not None:
            pairs.append((judge_passes(review.judge, threshold), person))
    return cohens_kappa(pairs)


def pearson(pairs: Sequence[tuple[float, float]]) -> Figure:
    n = len(pairs)
    if n < 2:
        return Figure(None, f"needs at least two reviews with a score of their own ({n} so far)")
    mean_x = sum(x for x, _ in pairs) / n
    mean_y = sum(y for _, y in pairs) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in pairs)
    syy = sum((y - mean_y) ** 2 for _, y in pairs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    if sxx == 0 or syy == 0:
        side = "the judge's scores" if sxx == 0 else "people's scores"
        return Figure(None, f"{side} never vary, so the correlation is undefined")
    return Figure(sxy / math.sqrt(sxx * syy), f"{n} scored reviews")


def judge_human_pearson(reviews: Sequence[Judged]) -> Figure:
    return pearson([(r.judge, r.human) for r in reviews if r.judge is not None and r.human is not None])


def inter_reviewer(reviews: Sequence[Judged], threshold: float) -> Figure:
    """Share of pairs of different people, on the same score, whose pass/fail matches."""
    by_score: dict[str, list[bool]] = defaultdict(list)
    for review in reviews:
        person = human_passes(review, threshold)
        if person is not None:
            by_score[review.score_id].append(person)
    pairs = [a == b for classes in by_score.values() for a, b in combinations(classes, 2)]
    if not pairs:
        return Figure(None, "no score has been reviewed by two or more people")
    shared = sum(1 for classes in by_score.values() if len(classes) > 1)
    return Figure(
        sum(pairs) / len(pairs), f"{len(pairs)} pair{_s(pairs)} on {shared} score{'s' if shared != 1 else ''}"
    )


def agreement(reviews: Sequence[Judged], threshold: float) -> Agreement:
    return Agreement(
        reviews=len(reviews),
        rate=agreement_rate(reviews, threshold),
        mae=mean_absolute_difference(reviews),
        kappa=judge_human_kappa(reviews, threshold),
        pearson=judge_human_pearson(reviews),
        inter_reviewer=inter_reviewer(reviews, threshold),
        threshold=threshold,
    )


# --- trend and disagreements ----------------------------------------------------------------------


@dataclass
class TrendPoint:
    start: date
    reviews: int
    rate: Figure
    mae: Figure


def period_start(moment: datetime, period: str) -> date:
    day = moment.date()
    if period == "day":
        return day
    if period == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def trend(reviews: Iterable[Judged], threshold: float, period: str = "week") -> list[TrendPoint]:
    """Agreement rate and MAE per period of the review's date, oldest first (empty periods left out)."""
    buckets: dict[date, list[Judged]] = defaultdict(list)
    for review in reviews:
        buckets[period_start(review.at, period)].append(review)
    return [
        TrendPoint(start, len(items), agreement_rate(items, threshold), mean_absolute_difference(items))
        for start, items in sorted(buckets.items())
    ]


@dataclass
class Disagreement:
    review: Judged
    #: |judge − person| when both scored, else ``None``.
    gap: float | None


def disagreements(reviews: Iterable[Judged], threshold: float, limit: int = 50) -> list[Disagreement]:
    """Reviews where the person disagrees with the judge, the widest gaps first."""
    found = [
        Disagreement(r, abs(r.judge - r.human) if r.judge is not None and r.human is not None else None)
        for r in reviews
        if agrees(r, threshold) is False
    ]
    found.sort(key=lambda d: (-(d.gap if d.gap is not None else -1), -d.review.at.timestamp()))
    return found[:limit]


def _s(items: Sequence[object]) -> str:
    return "" if len(items) == 1 else "s"
