from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dashboard.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # System checks, the signal receivers that count failed sign-ins, and those that audit them.
        from . import checks, ratelimit, sign_in_audit  # noqa: F401
