from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    # An app only so Django finds its management commands (seed_demo, run_with_convex_dev).
    name = "dashboard.demo"
    label = "demo"
    verbose_name = "Demo data and dev tooling"
