"""The "id starts with" filters of the lists (``storeclient.prefix``), read from the query string.

The store refuses a prefix no stored id can start with (too long, a lone surrogate); the field
refuses the same values first, so such a link gets the 400 panel (``core.htmx.read_query``), not an
error from the store.
"""

from __future__ import annotations

from typing import Any

from django import forms

from storeclient.errors import InvalidRequest
from storeclient.prefix import MAX_PREFIX_CHARS, Prefix


class IdPrefixField(forms.CharField):
    """An optional id prefix: matched from the start of the id, ASCII case ignored."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=MAX_PREFIX_CHARS, label=label, **kwargs)

    def clean(self, value: object) -> str:
        text: str = super().clean(value)
        try:
            Prefix.of(text, what=self.label.lower() if self.label else "prefix")
        except InvalidRequest as exc:
            raise forms.ValidationError(exc.message, code="invalid_prefix") from exc
        return text
