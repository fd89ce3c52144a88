"""What every streamed CSV export shares: cells that a spreadsheet cannot run as formulas, and the
file-like object that lets ``csv.writer`` stream rows."""

from __future__ import annotations

import json
from typing import Any

#: Spreadsheet apps run a cell starting with these as a formula; stored text is untrusted.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell: text that would start a formula gets a leading ``'``, ``None`` is
    empty, and anything that is not text or a number goes out as JSON."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if not isinstance(value, str | int | float):
        return json.dumps(value, ensure_ascii=False)
    return value


class Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value
