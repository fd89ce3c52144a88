from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("dashboard.core.urls")),
    path("accounts/", include("dashboard.accounts.urls")),
    path("threads/", include("dashboard.threads.urls")),
    path("resources/", include("dashboard.resources.urls")),
    path("scores/", include("dashboard.scores.urls")),
    path("workflows/", include("dashboard.workflows.urls")),
]
