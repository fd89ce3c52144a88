"""The embedded store: a SQLite file in ``@mastra/libsql``'s layout (Mastra's default storage).

``SQLiteStore(path)`` reads a ``mastra.db`` a Mastra app wrote, or creates a new file in the same
layout; records written here read correctly in Mastra's ``LibSQLStore`` and the reverse.
"""

from .schema import RECOMMENDED_INDEXES, RecommendedIndex
from .store import SQLiteStore

__all__ = ["RECOMMENDED_INDEXES", "RecommendedIndex", "SQLiteStore"]
