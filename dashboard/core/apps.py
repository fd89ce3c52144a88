from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dashboard.core"
    label = "core"
    verbose_name = "Dashboard core"

    def ready(self) -> None:
        # Connects the settings-change receiver that rebuilds the store under override_settings.
        from . import store  # noqa: F401
