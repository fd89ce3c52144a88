"""What the three SQLite domains share: the pool, the table columns, and small SQL helpers."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRequest
from ..models import PerPage
from ..semantics import check_metadata_filter, date_bound
from ..semantics import check_per_page as check_per_page
from .connection import ConnectionPool
from .rows import Columns

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Context:
    path: str
    pool: ConnectionPool
    columns: Columns


#: Shared with the Convex store (one place for Mastra's date-bound and perPage rules).
iso = date_bound


def check_page_number(page: int) -> None:
    if isinstance(page, bool) or not isinstance(page, int) or page < 0:
        raise InvalidRequest(f"page must be >= 0, not {page!r}.")


def limit_offset(page: int, per_page: PerPage, total: int) -> tuple[int, int]:
    """``LIMIT``/``OFFSET`` as ``calculatePagination`` computes them (``False``: everything)."""
    if per_page is False:
        return total, 0
    return per_page, page * per_page


def check_metadata_values(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """Mastra's metadata filter checks: safe keys (they become JSON paths in SQL) and scalar values."""
    if not metadata:
        return {}
    check_metadata_filter(metadata)
    for key, value in metadata.items():
        if not _KEY.fullmatch(key):  # also rejects a trailing newline, which "$" would let through
            raise InvalidRequest(f"Invalid metadata filter key {key!r}.")
        scalar = value is None or isinstance(value, str | bool)
        if isinstance(value, int | float) and not isinstance(value, bool):
            scalar = math.isfinite(value)
        if not scalar:
            raise InvalidRequest(
                f"Metadata filter value for key {key!r} must be a string, finite number, boolean or null, "
                f"not {type(value).__name__}."
            )
    return dict(metadata)


def order(field: str | None, direction: str | None, default_direction: str) -> tuple[str, str]:
    """``parseOrderBy``: unknown fields fall back to ``createdAt``, unknown directions to the default."""
    f = field if field in ("createdAt", "updatedAt") else "createdAt"
    d = direction.upper() if isinstance(direction, str) else ""
    return f, d if d in ("ASC", "DESC") else default_direction


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
