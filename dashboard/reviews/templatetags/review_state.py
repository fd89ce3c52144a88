"""Review state on the scores pages (scorer table, score panel), without the scores app importing
this one: ``{% load review_state %}`` in their templates.

    {% review_states rows as states %}            one query for a page of rows
    {% review_badge states row.score.id %}        "2 reviews · 1 disagree", or nothing
    {% score_reviews score %}                     the score panel's list of reviews
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import template
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..models import REVIEW_PERMISSION, Review, Verdict

register = template.Library()


@dataclass(frozen=True)
class ReviewSummary:
    reviews: int
    disagree: int

    @property
    def label(self) -> str:
        text = f"{self.reviews} review{'s' if self.reviews != 1 else ''}"
        return text + (f" · {self.disagree} disagree" if self.disagree else "")


@register.simple_tag
def review_states(rows: Iterable[Any]) -> dict[str, ReviewSummary]:
    """Review counts for the scores of ``rows`` (ScoreRow objects or scores), in one query."""
    ids = [getattr(row, "score", row).id for row in rows]
    counts = (
        Review.objects.filter(score_id__in=ids)
        .order_by()
        .values("score_id")
        .annotate(n=Count("id"), disagree=Count("id", filter=Q(verdict=Verdict.DISAGREE)))
    )
    return {c["score_id"]: ReviewSummary(c["n"], c["disagree"]) for c in counts}


@register.simple_tag
def review_badge(states: dict[str, ReviewSummary], score_id: str) -> SafeString | str:
    summary = states.get(score_id)
    if summary is None:
        return ""
    kind = "failed" if summary.disagree else "success"
    return format_html('<span class="badge badge-{}" data-review-state>{}</span>', kind, summary.label)


@register.inclusion_tag("reviews/score_reviews.html", takes_context=True)
def score_reviews(context: template.Context, score: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    reviews = list(
        Review.objects.filter(score_id=score.id).select_related("reviewer").prefetch_related("labels")
    )
    may_review = bool(user and user.has_perm(REVIEW_PERMISSION))
    return {
        "reviews": reviews,
        "review_url": reverse("reviews:score", args=[score.id]) if may_review else "",
    }
