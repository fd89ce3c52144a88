from __future__ import annotations

from django.apps import AppConfig


class ThreadsConfig(AppConfig):
    name = "dashboard.threads"
    label = "threads"
    verbose_name = "Threads and messages"
