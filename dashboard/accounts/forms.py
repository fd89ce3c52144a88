from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
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


ROLE_CHOICES = [
    ("viewer", "viewer — reads everything, changes nothing"),
    ("editor", "editor — also edits and restores working memory"),
    ("admin", "admin — also reads the audit log and manages users"),
]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, label="Role")


class AddUserForm(forms.Form):
    """A new account: its name, an optional email, a role. Its password is set by the person,
    through the link the next page shows."""

    username = forms.CharField(
        max_length=150,
        label="Username",
        help_text="Letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    email = forms.EmailField(required=False, label="Email (optional)")
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="viewer", label="Role")

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        model = get_user_model()
        model.username_validator(username)  # type: ignore[attr-defined]
        if model._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError("There is already a user with that name.")
        return username
