from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from . import ratelimit
from .sign_in_audit import record_failed_sign_in

RATE_LIMITED = "rate_limited"


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Django's login form, taking an attempt from the sign-in limits before the password is
    checked, and refusing without checking it when none is left."""

    #: Set when the limits refused this attempt (the view answers 429 with Retry-After).
    refused: ratelimit.Refused | None = None

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        # Reserved only when the parent form will really check a password.
        if self.request is not None and username and password:
            taken = ratelimit.reserve(self.request, username)
            if isinstance(taken, ratelimit.Refused):
                self.refused = taken
                ratelimit.log_refusal(self.request, username, taken)
                record_failed_sign_in(self.request, username, f"refused: too many attempts ({taken.scope})")
                raise forms.ValidationError(_refusal_message(taken), code=RATE_LIMITED)
        return super().clean()


def _refusal_message(refused: ratelimit.Refused) -> str:
    if refused.scope == "account":
        minutes = max(1, -(-refused.seconds // 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        return (
            "Too many failed sign-in attempts. For your account's safety, signing in is paused: "
            f"try again in {wait}."
        )
    seconds = refused.seconds
    return (
        "Too many failed sign-in attempts from your network. Please wait a moment: try again in "
        f"{seconds} second{'s' if seconds != 1 else ''}."
    )
