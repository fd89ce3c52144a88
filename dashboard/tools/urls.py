from __future__ import annotations

from django.urls import path

from . import views

app_name = "tools"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<path:tool_name>/", views.tool, name="tool"),
]
