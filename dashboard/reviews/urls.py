"""Review pages, mounted at ``/scores/(reviews)/`` (dashboard/urls.py, before the scores URLconf).

Why the parentheses: every other segment after /scores/ is a scorer id, and scorer ids are whatever
an agent wrote, "reviews" included. The scores URLconf percent-encodes "(" in ids
(dashboard/scores/urls.py), so no scorer's page can ever be at "(reviews)". Score ids (which may
hold "/") are the rest of the path.
"""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.queue_list, name="queues"),
    path("start/", views.start, name="start"),
    path("queues/<int:pk>/", views.queue, name="queue"),
    path("queues/<int:pk>/<int:position>/", views.item, name="item"),
    path("score/<path:score_id>/review/", views.save, name="save"),
    path("score/<path:score_id>/undo/", views.undo_save, name="undo"),
    # After review/ and undo/: a score id is the rest of the path.
    path("score/<path:score_id>/", views.score_review, name="score"),
    path("agreement/", views.agreement, name="agreement"),
    path("labels/", views.labels, name="labels"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export.jsonl", views.export, {"fmt": "jsonl"}, name="export_jsonl"),
]
