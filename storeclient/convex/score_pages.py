"""One page of a Convex score list: what every ``list_scores_by_*`` of the Convex store shares."""

from __future__ import annotations

from typing import Any

from ..codec import sortable_iso
from ..models import PerPage, ScoreList
from ..records import score_from_record
from ..semantics import paginate


def score_page(rows: list[dict[str, Any]], page: int, per_page: PerPage, capped: bool) -> ScoreList:
    # Sort and slice the raw rows, then decode only the page: decoding every score of a large
    # scorer is most of the client's time otherwise.
    rows.sort(key=lambda r: sortable_iso(r.get("createdAt")), reverse=True)
    selected, total, has_more = paginate(rows, page, per_page)
    scores = [score_from_record(r) for r in selected]
    return ScoreList(
        scores=scores, total=total, page=page, per_page=per_page, has_more=has_more, capped=capped
    )
