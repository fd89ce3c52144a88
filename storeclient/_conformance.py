"""Static proof that both stores implement ``Store``: mypy (strict) checks these assignments.

Nothing here runs; the module exists so a signature drift in either store fails ``make lint``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .convex import ConvexStore
    from .interface import Store
    from .sqlite import SQLiteStore

    def _convex_is_a_store(store: ConvexStore) -> Store:
        return store

    def _sqlite_is_a_store(store: SQLiteStore) -> Store:
        return store
