"""What /tools/ and /activity/ share: links to one message (how current the index is lives in
``dashboard.search.freshness``)."""

from __future__ import annotations

from urllib.parse import quote, urlencode


def message_link(thread_url: str, message_id: str) -> str:
    """The thread page opened at one message (the thread view reads ``at``)."""
    return (
        f"{thread_url}?{urlencode({'at': message_id})}#msg-{quote(message_id, safe='')}" if thread_url else ""
    )
