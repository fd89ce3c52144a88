"""CSV downloads: cells a spreadsheet will not run as formulas, streamed row by row.

Stored text is agent-written and the audit log holds what people typed; either may start with
``=`` and become a formula when the file is opened in a spreadsheet (CSV injection), so such a
cell is prefixed with an apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
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


#: Rows written per piece of the stream: one piece per row cost a Django encode (and a test
#: client join) per row, a third of an export's time; a few hundred rows is still a steady trickle.
ROWS_PER_PIECE = 500


def _safe_row(row: Sequence[Any]) -> list[Any]:
    # Most cells are plain text that is no formula and goes out as it is; only the rest (numbers,
    # None, structures, formulas) need ``csv_cell``, so the check here is the cheapest one first.
    return [
        value if type(value) is str and not value.startswith(FORMULA_START) else csv_cell(value)
        for value in row
    ]


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header, then the rows as CSV text, ``ROWS_PER_PIECE`` lines at a time, every cell
    through ``csv_cell``."""
    lines: list[str] = []
    writer = csv.writer(_Lines(lines))
    writer.writerow(header)
    yield lines.pop()
    rows = iter(rows)
    while piece := list(islice(rows, ROWS_PER_PIECE)):
        writer.writerows(map(_safe_row, piece))
        yield "".join(lines)
        lines.clear()


class _Lines:
    """A file-like object that keeps what csv.writer writes, line by line, for streaming."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append
