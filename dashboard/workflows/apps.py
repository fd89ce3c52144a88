from __future__ import annotations

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "dashboard.workflows"
    label = "workflows"
    verbose_name = "Workflow runs"
