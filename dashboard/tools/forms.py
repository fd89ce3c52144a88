from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from dashboard.core.filter_dates import FilterDateField
from dashboard.core.filter_prefix import IdPrefixField

from .stats import ToolFilters


class ToolFilterForm(forms.Form):
    agent = forms.CharField(required=False, max_length=500, label="Agent", strip=True)
    resource = IdPrefixField(label="Resource starts with", strip=True)
    since = FilterDateField(label="From")
    until = FilterDateField(label="To")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise forms.ValidationError("“To” is before “From”.")
        return data

    def tool_filters(self, tool: str = "") -> ToolFilters:
        data = self.cleaned_data
        return ToolFilters(
            agent=data["agent"],
            resource=data["resource"],
            since=_midnight(data["since"]),
            until=_midnight(data["until"], next_day=True),
            tool=tool,
        )

    def search_params(self) -> dict[str, str]:
        """The filters /search/ understands (it has no agent filter), as its query string spells them."""
        data = self.cleaned_data
        return {
            "resource": data["resource"],
            "since": data["since"].isoformat() if data["since"] else "",
            "until": data["until"].isoformat() if data["until"] else "",
        }

    def query_params(self) -> dict[str, str]:
        data = self.cleaned_data
        return {"agent": data["agent"], **self.search_params()}

    @property
    def has_filters(self) -> bool:
        return any(self.query_params().values())


def _midnight(day: Any, *, next_day: bool = False) -> datetime | None:
    if day is None:
        return None
    if next_day:
        day = day + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))
