from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from dashboard.core.filter_dates import FilterDateField

from .models import Action, AuditEvent, AuditEventQuerySet, Kind, Outcome, TargetType


class AuditFilterForm(forms.Form):
    """The audit log's query string. Every field is optional; an invalid value is ignored with a note."""

    kind = forms.ChoiceField(choices=[("", "any kind"), *Kind.choices], required=False, label="Kind")
    user = forms.ChoiceField(required=False, label="User")
    action = forms.ChoiceField(choices=[("", "any action"), *Action.choices], required=False)
    outcome = forms.ChoiceField(choices=[("", "any outcome"), *Outcome.choices], required=False)
    target = forms.CharField(
        required=False,
        max_length=300,
        label="Target",
        help_text="resource:<id>, thread:<id>, user:<name>, scorer:<id>, or an id",
        widget=forms.TextInput(attrs={"placeholder": "resource:user_8f2c1a"}),
    )
    since = FilterDateField(label="From")
    until = FilterDateField(label="To")
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Everyone who ever appears in the log, including deleted users (their username is kept).
        names = AuditEvent.objects.order_by("username").values_list("username", flat=True).distinct()
        self.fields["user"].choices = [("", "anyone"), *((name, name) for name in names)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "“To” is before “From”.")
        return data

    def filter(self, events: AuditEventQuerySet) -> AuditEventQuerySet:
        data = self.cleaned_data
        if data.get("kind"):
            events = events.of_kind(data["kind"])
        if data.get("user"):
            events = events.filter(username=data["user"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("outcome"):
            events = events.with_outcome(data["outcome"])
        target = (data.get("target") or "").strip()
        if target:
            kind, sep, target_id = target.partition(":")
            if sep and kind in TargetType.values:
                events = events.filter(target_type=kind, target_id=target_id)
            else:
                events = events.filter(Q(target_id=target) | Q(target_id__contains=target))
        tz = timezone.get_current_timezone()
        if data.get("since"):
            events = events.filter(created_at__gte=datetime.combine(data["since"], time.min, tz))
        if data.get("until"):
            events = events.filter(
                created_at__lt=datetime.combine(data["until"] + timedelta(days=1), time.min, tz)
            )
        return events
