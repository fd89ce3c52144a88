"""The site's URLs as they were before the working-memory editor existed (pages must not link to it)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("dashboard.core.urls")),
    path("accounts/", include("dashboard.accounts.urls")),
    path("threads/", include("dashboard.threads.urls")),
    path("resources/", include("dashboard.resources.urls")),
]
