from __future__ import annotations

from django.apps import AppConfig


class MemoryEditorConfig(AppConfig):
    name = "dashboard.memory_editor"
    label = "memory_editor"
    verbose_name = "Working memory editor"
