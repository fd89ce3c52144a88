from __future__ import annotations

from typing import Any

from django import forms

from .models import Preferences, Theme
from .zones import zone_choices


class PreferencesForm(forms.ModelForm):
    theme = forms.ChoiceField(choices=Theme.choices, widget=forms.RadioSelect, label="Theme")
    time_zone = forms.ChoiceField(required=False, label="Time zone")

    class Meta:
        model = Preferences
        fields = ["theme", "time_zone"]

    def __init__(self, *args: Any, browser_zone: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        detected = f" (now {browser_zone.replace('_', ' ')})" if browser_zone else ""
        self.fields["time_zone"].choices = [("", f"Your browser's{detected}"), *zone_choices()]


class ThemeForm(forms.Form):
    """The header's quick switch."""

    theme = forms.ChoiceField(choices=Theme.choices)
    next = forms.CharField(required=False, max_length=2000)
