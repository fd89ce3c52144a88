from __future__ import annotations

from django.apps import AppConfig


class MemoryEditorConfig(AppConfig):
    name = "dashboard.memory_editor"
    label = "memory_editor"
    verbose_name = "Working memory editor"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dashboard.search.indexer import EXTRA_FEEDS

        from .snapshots import SNAPSHOT_FEED

        if SNAPSHOT_FEED not in EXTRA_FEEDS:
            EXTRA_FEEDS.append(SNAPSHOT_FEED)
