from __future__ import annotations

from django.urls import path

from . import views

app_name = "workflows"

# /workflows/
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("<str:workflow_name>/<str:run_id>/", views.run_detail, name="run"),
]
