from __future__ import annotations

from django.urls import path

from . import views

app_name = "workflows"

# /workflows/
urlpatterns = [
    path("", views.run_list, name="runs"),
    # A workflow id is whatever the code named it, "/" included ("billing/refund"): <path:> carries
    # it. Run ids are Mastra's UUIDs; one holding "/" has no page (its link is left out).
    path("<path:workflow_name>/<str:run_id>/", views.run_detail, name="run"),
]
