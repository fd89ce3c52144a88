"""The vector index page's view state, read from the query string."""

from __future__ import annotations

from django import forms


class NeighbourForm(forms.Form):
    #: The stored vector whose nearest neighbours to show (semantic recall: a message id).
    of = forms.CharField(max_length=256, required=False, label="Vector id")
