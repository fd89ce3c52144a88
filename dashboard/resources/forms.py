"""The resources pages' view state, read from the query string."""

from __future__ import annotations

from dashboard.core.filter_prefix import IdPrefixField
from dashboard.core.paging import CursorForm


class ResourceListForm(CursorForm):
    #: Matched from the start of the id, ASCII case ignored ("user_d82" finds "user_d82c07").
    q = IdPrefixField(label="Resource id")

    def filters(self) -> dict[str, str]:
        return {"q": self.cleaned_data["q"]}
