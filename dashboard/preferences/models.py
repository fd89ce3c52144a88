"""Each user's own settings of the dashboard's look: the theme and the time zone times are shown in.
Kept in the dashboard's database (never the Mastra store), so they follow the user to any browser."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Theme(models.TextChoices):
    SYSTEM = "system", "System"
    LIGHT = "light", "Light"
    DARK = "dark", "Dark"


class Preferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    theme = models.CharField(max_length=16, choices=Theme.choices, default=Theme.SYSTEM)
    #: An IANA zone name; empty: the browser's own zone (static/js/app.js reports it in a cookie).
    time_zone = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"{self.user}: {self.theme}, {self.time_zone or 'browser time zone'}"
