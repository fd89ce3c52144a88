"""CSV downloads: cells a spreadsheet will not run as formulas, streamed row by row.

Stored text is agent-written and the audit log holds what people typed; either may start with
``=`` and become a formula when the file is opened in a spreadsheet (CSV injection), so such a
cell is prefixed with an apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

#: Spreadsheet apps run a cell starting with these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` as a safe CSV cell: ``None`` empty, structures as JSON, formulas defused."""
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header and each row as CSV text, one line at a time, every cell through ``csv_cell``."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])
