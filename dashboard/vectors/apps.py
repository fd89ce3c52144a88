from __future__ import annotations

from django.apps import AppConfig


class VectorsConfig(AppConfig):
    name = "dashboard.vectors"
    label = "vectors"
    verbose_name = "Vector indexes (semantic recall)"
