"""The workflow pages' view state, read from the query string."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from dashboard.core.filter_dates import FilterDateField
from dashboard.core.filter_prefix import IdPrefixField
from dashboard.core.paging import CursorForm


class RunFilterForm(CursorForm):
    # Free text rather than choices: a run may carry a status or name this list has never seen
    # (older Mastra versions, the conformance suite's "completed"), and a link to it must work.
    workflow = forms.CharField(max_length=256, required=False, label="Workflow")
    #: The start of a workflow name, ASCII case ignored ("order" finds "orderRefund", "OrderSync").
    name = IdPrefixField(label="Workflow name")
    status = forms.CharField(max_length=64, required=False, label="Status")
    #: The start of a resource id, ASCII case ignored: a whole id still finds its own runs.
    resource = IdPrefixField(
        label="Resource", widget=forms.TextInput(attrs={"placeholder": "e.g. user_8f2c1a"})
    )
    since = FilterDateField(label="From")
    until = FilterDateField(label="To")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filters(self) -> dict[str, Any]:
        """The filters as query parameters (for links), empty ones left out."""
        data = self.cleaned_data
        return {
            key: data[key].isoformat() if isinstance(data.get(key), date) else data[key]
            for key in ("workflow", "name", "status", "resource", "since", "until")
            if data.get(key)
        }

    def store_filters(self, *, with_status: bool = True) -> dict[str, Any]:
        """The filters as ``run_feed``/``status_counts`` keyword arguments."""
        data = self.cleaned_data
        filters: dict[str, Any] = {
            "workflow_name": data.get("workflow") or None,
            "workflow_prefix": data.get("name") or None,
            "resource_prefix": data.get("resource") or None,
            "from_date": _day_start(data["since"]) if data.get("since") else None,
            "to_date": _day_start(data["until"] + timedelta(days=1)) - timedelta(microseconds=1000)
            if data.get("until")
            else None,
        }
        if with_status:
            filters["status"] = data.get("status") or None
        return filters


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in the dashboard's time zone (the dates people pick are local)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class RunPageForm(forms.Form):
    #: The selected step's key (``step-id``, or ``nested-id.step-id`` inside a nested workflow).
    step = forms.CharField(max_length=512, required=False)
    raw = forms.BooleanField(required=False)
