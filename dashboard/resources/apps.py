from __future__ import annotations

from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "dashboard.resources"
    label = "resources"
    verbose_name = "Resources and working memory"
