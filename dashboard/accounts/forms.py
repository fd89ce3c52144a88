from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from . import ratelimit

RATE_LIMITED = "rate_limited"


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing (without checking the password) while too many attempts for
    this username or from this address have failed."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if self.request is not None:
            wait = ratelimit.retry_after(self.request, username)
            if wait:
                minutes = max(1, -(-wait // 60))
                raise forms.ValidationError(
                    "Too many failed sign-in attempts. For your account's safety, signing in is "
                    f"paused: try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                    code=RATE_LIMITED,
                )
        return super().clean()
