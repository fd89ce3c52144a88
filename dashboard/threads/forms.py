from __future__ import annotations

from django import forms

from dashboard.core.paging import MAX_CURSOR, CursorForm


class ThreadListForm(CursorForm):
    resource = forms.CharField(required=False, max_length=500, label="Resource")
    q = forms.CharField(required=False, max_length=200, label="Title contains")

    def filters(self) -> dict[str, str]:
        return {"resource": self.cleaned_data["resource"], "q": self.cleaned_data["q"]}


class MessagePageForm(forms.Form):
    #: Where the shown page of messages starts (``None``: the newest page).
    cursor = forms.CharField(required=False, max_length=MAX_CURSOR)
    #: A message to open the thread at, with its neighbours (a link from search).
    at = forms.CharField(required=False, max_length=1_000)
