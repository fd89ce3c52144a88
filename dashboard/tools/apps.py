from __future__ import annotations

from django.apps import AppConfig


class ToolsConfig(AppConfig):
    name = "dashboard.tools"
    label = "tools"
    verbose_name = "Tool calls"
