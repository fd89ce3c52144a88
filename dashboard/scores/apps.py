from __future__ import annotations

from django.apps import AppConfig


class ScoresConfig(AppConfig):
    name = "dashboard.scores"
    label = "scores"
    verbose_name = "Scores"
