from __future__ import annotations

from django.urls import path

from . import views

app_name = "scores"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<str:scorer_id>/", views.scorer, name="scorer"),
    path("<str:scorer_id>/export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("<str:scorer_id>/export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("<str:scorer_id>/<str:score_id>/", views.score_detail, name="score"),
]
