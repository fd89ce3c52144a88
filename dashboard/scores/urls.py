from __future__ import annotations

from urllib.parse import quote, unquote

from django.urls import path, register_converter

from . import views

app_name = "scores"

#: The path segment of an empty id (a scorer id is whatever an agent wrote, "" included). quote()
#: turns "(" into "%28", so no other id's segment can read like this.
EMPTY_SEGMENT = "(none)"


class IdSegment:
    """Any id as one path segment: "/" and "%" are percent-encoded here (then once more by reverse),
    so "team/relevancy" gets its own page instead of being read as a scorer and a score id."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return "" if value == EMPTY_SEGMENT else unquote(value)

    def to_url(self, value: str) -> str:
        return quote(value, safe="") if value else EMPTY_SEGMENT


register_converter(IdSegment, "scores_id")

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<scores_id:scorer_id>/", views.scorer, name="scorer"),
    # "(" is never left unquoted in an id segment, so no score id can shadow this address.
    path("<scores_id:scorer_id>/(direction)/", views.set_scorer_direction, name="direction"),
    path("<scores_id:scorer_id>/export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("<scores_id:scorer_id>/export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("<scores_id:scorer_id>/<scores_id:score_id>/", views.score_detail, name="score"),
]
