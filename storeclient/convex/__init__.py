"""The Convex backend: Mastra's storage handler over Convex's HTTP API."""

from .store import DEFAULT_STORAGE_FUNCTION, ConvexStore

__all__ = ["DEFAULT_STORAGE_FUNCTION", "ConvexStore"]
