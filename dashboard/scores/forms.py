"""The scores pages' view state, read from the query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from dashboard.core.filter_prefix import IdPrefixField
from dashboard.core.paging import CursorForm

#: Preset ranges of the scorer page, newest data last.
RANGES: dict[str, tuple[str, timedelta | None]] = {
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
    "90d": ("Last 90 days", timedelta(days=90)),
    "all": ("All time", None),
}
DEFAULT_RANGE = "30d"

#: Periods of the overview cards: each card compares this period with the one before it.
PERIODS: dict[str, tuple[str, timedelta]] = {
    "24h": ("24 hours", timedelta(hours=24)),
    "7d": ("7 days", timedelta(days=7)),
    "30d": ("30 days", timedelta(days=30)),
    "90d": ("90 days", timedelta(days=90)),
}
DEFAULT_PERIOD = "7d"

SOURCES = ("LIVE", "TEST")
#: entityType values Mastra writes; others are accepted too (the field is free text).
ENTITY_TYPES = ("AGENT", "WORKFLOW")
ORDERS = {"newest": "Newest first", "lowest": "Lowest scores first"}


class OverviewForm(forms.Form):
    period = forms.ChoiceField(choices=[(k, v[0]) for k, v in PERIODS.items()], required=False)
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)


class ScoreFilterForm(CursorForm):
    """The scorer page's filters, plus the table's order and page (``cursor``/``back``)."""

    range = forms.ChoiceField(
        choices=[*((k, v[0]) for k, v in RANGES.items()), ("custom", "Custom dates")], required=False
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.ChoiceField(choices=[("", "Any source"), *((s, s) for s in SOURCES)], required=False)
    entity_type = forms.CharField(
        max_length=64,
        required=False,
        label="Entity type",
        widget=forms.TextInput(attrs={"list": "entity-types", "placeholder": "AGENT, WORKFLOW…"}),
    )
    #: The start of an entity id, ASCII case ignored ("support" finds "supportAgent"); a whole id
    #: still narrows to that entity (and any whose id extends it).
    entity_id = IdPrefixField(
        label="Entity id", widget=forms.TextInput(attrs={"placeholder": "e.g. supportAgent"})
    )
    order = forms.ChoiceField(choices=list(ORDERS.items()), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        # Dates without a range (a hand-made link) mean custom dates.
        if not data.get("range") and (since or until):
            data["range"] = "custom"
        if data.get("range") == "custom":
            if not since and not until:
                self.add_error("since", "Pick a start date, an end date, or both for a custom range.")
            elif since and until and since > until:
                self.add_error("until", "The end date is before the start date.")
        return data


@dataclass(frozen=True)
class ScoreQuery:
    """What the scorer page shows: the validated filters, as store arguments and as a query string."""

    range: str = DEFAULT_RANGE
    since: date | None = None
    until: date | None = None
    source: str = ""
    entity_type: str = ""
    entity_id: str = ""
    order: str = "newest"
    cursor: str = ""
    #: Cursors of the table pages before this one (dashboard.core.paging), for "newer" links.
    back: tuple[str, ...] = ()

    @classmethod
    def from_form(cls, form: ScoreFilterForm) -> ScoreQuery:
        """The query of a valid form (``dashboard.core.htmx.read_query`` refuses the others)."""
        data = form.cleaned_data
        range_ = data["range"] or DEFAULT_RANGE
        return cls(
            range=range_,
            since=data["since"] if range_ == "custom" else None,
            until=data["until"] if range_ == "custom" else None,
            source=data["source"],
            entity_type=data["entity_type"].strip(),
            entity_id=data["entity_id"].strip(),
            order=data["order"] or "newest",
            cursor=data["cursor"],
            back=tuple(data["back"]),
        )

    @property
    def lowest_first(self) -> bool:
        return self.order == "lowest"

    @property
    def narrowed(self) -> bool:
        """Whether anything but the whole history of the scorer is asked for."""
        return self.range != "all" or bool(self.source or self.entity_type or self.entity_id)

    def bounds(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """``(from, to)`` for the store, inclusive; custom dates cover whole days in the site's zone."""
        if self.range == "custom":
            zone = timezone.get_current_timezone()
            start = datetime.combine(self.since, time.min, zone) if self.since else None
            end = datetime.combine(self.until, time.max, zone) if self.until else None
            return start, end
        span = RANGES[self.range][1]
        return (now - span, now) if span else (None, None)

    def store_filters(self, now: datetime) -> dict[str, Any]:
        start, end = self.bounds(now)
        return {
            "source": self.source or None,
            "entity_type": self.entity_type or None,
            "entity_prefix": self.entity_id or None,
            "from_date": start,
            "to_date": end,
        }

    def params(self, **changes: Any) -> dict[str, str]:
        """The query-string parameters of this view (defaults left out), with ``changes`` applied;
        the table position (``cursor``, ``back``) is left to the pager."""
        values: dict[str, Any] = {
            "range": self.range,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "source": self.source,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "order": self.order,
        }
        values.update(changes)
        defaults = {"range": DEFAULT_RANGE, "order": "newest"}
        return {k: str(v) for k, v in values.items() if v not in ("", None) and defaults.get(k) != v}

    @property
    def table_state(self) -> dict[str, Any]:
        return {"cursor": self.cursor, "back": list(self.back)}

    def querystring(self, **changes: Any) -> str:
        params = self.params(**changes)
        return "?" + urlencode(params) if params else ""
