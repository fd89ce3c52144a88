from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dashboard.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # System checks, and the signal receivers that count failed sign-ins.
        from . import checks, ratelimit  # noqa: F401
