from __future__ import annotations

from django.apps import AppConfig


class PreferencesConfig(AppConfig):
    name = "dashboard.preferences"
    label = "preferences"
    verbose_name = "Personal preferences"
