"""The date a list's "From"/"To" filter takes from the query string.

Django's ``DateField`` takes any year from 1 to 9999, but a filter turns its day into a range
(midnight of the next day, in the dashboard's time zone, then UTC for the store), and at either end
of that calendar there is no next day to compute: ``?until=9999-12-31`` used to answer 500. The
field refuses what no run or audit event can carry, so such a link gets the one 400 panel
(``core.htmx.read_query``) instead.
"""

from __future__ import annotations

from datetime import date

from django import forms

#: No Mastra record predates the Unix epoch; dates before it only come from a mangled link.
EARLIEST_FILTER_DATE = date(1970, 1, 1)
#: The last day whose next midnight still exists in every time zone.
LATEST_FILTER_DATE = date(9999, 12, 30)


class FilterDateField(forms.DateField):
    """An optional date picker (``<input type="date">``) that refuses days a filter cannot range over."""

    def __init__(self, *, label: str) -> None:
        super().__init__(required=False, label=label, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self, value: object) -> date | None:
        day: date | None = super().clean(value)
        if day is not None and not EARLIEST_FILTER_DATE <= day <= LATEST_FILTER_DATE:
            raise forms.ValidationError(
                f"Pick a date between {EARLIEST_FILTER_DATE.isoformat()} and {LATEST_FILTER_DATE.isoformat()}.",
                code="out_of_range",
            )
        return day
