"""What /tools/ and /activity/ share: how current the index is, and links to one message."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings

from dashboard.search.indexer import IndexStatus


@dataclass
class IndexFreshness:
    """How current the figures are: the index's own lag (the overview's "Search index" card)."""

    status: IndexStatus

    @property
    def seconds_behind(self) -> float | None:
        return self.status.seconds_behind

    @property
    def stale(self) -> bool:
        behind = self.seconds_behind
        return behind is None or behind > max(5.0, 3 * settings.SEARCH_INDEX_INTERVAL)


def message_link(thread_url: str, message_id: str) -> str:
    """The thread page opened at one message (the thread view reads ``at``)."""
    return (
        f"{thread_url}?{urlencode({'at': message_id})}#msg-{quote(message_id, safe='')}" if thread_url else ""
    )
