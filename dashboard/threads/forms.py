from __future__ import annotations

from django import forms

from dashboard.core.filter_prefix import IdPrefixField
from dashboard.core.paging import MAX_CURSOR, CursorForm


class ThreadListForm(CursorForm):
    # Both ids match from their start, ASCII case ignored ("user_d82" finds "user_d82c07"), so a
    # whole id still finds exactly its own threads (and those of ids that extend it).
    resource = IdPrefixField(label="Resource id")
    thread = IdPrefixField(label="Thread id")
    q = forms.CharField(required=False, max_length=200, label="Title contains")

    def filters(self) -> dict[str, str]:
        return {
            "resource": self.cleaned_data["resource"],
            "thread": self.cleaned_data["thread"],
            "q": self.cleaned_data["q"],
        }

    @property
    def grouped_by(self) -> str | None:
        """Which id a prefix search groups the list by (the index it reads), if any."""
        if self.cleaned_data["thread"]:
            return "thread id"
        return "resource id" if self.cleaned_data["resource"] else None


class MessagePageForm(forms.Form):
    #: Where the shown page of messages starts (``None``: the newest page).
    cursor = forms.CharField(required=False, max_length=MAX_CURSOR)
    #: A message to open the thread at, with its neighbours (a link from search).
    at = forms.CharField(required=False, max_length=1_000)
