from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("dashboard.core.urls")),
    path("accounts/", include("dashboard.accounts.urls")),
    # User management for the admin role only (dashboard/accounts/admin_site.py).
    path("admin/", admin.site.urls),
    # Before threads/ and resources/: their <id>/ routes must not see .../memory/ first.
    path("", include("dashboard.memory_editor.urls")),
    path("threads/", include("dashboard.threads.urls")),
    path("resources/", include("dashboard.resources.urls")),
    path("audit/", include("dashboard.audit.urls")),
    # Before scores/: "(reviews)" is a segment no scorer id can produce (dashboard/reviews/urls.py).
    path("scores/(reviews)/", include("dashboard.reviews.urls")),
    path("scores/", include("dashboard.scores.urls")),
    path("workflows/", include("dashboard.workflows.urls")),
    path("health/", include("dashboard.health.urls")),
    path("vectors/", include("dashboard.vectors.urls")),
    path("preferences/", include("dashboard.preferences.urls")),
    path("search/", include("dashboard.search.urls")),
    path("tools/", include("dashboard.tools.urls")),
    path("activity/", include("dashboard.tools.activity_urls")),
]
