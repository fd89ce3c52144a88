"""``{% index_status %}``: the search index's state, for the overview (core's template loads it
by name, so core needs no import of this app)."""

from __future__ import annotations

import logging
from typing import Any

from django import template
from django.db import DatabaseError

from dashboard.search.indexer import status

logger = logging.getLogger(__name__)
register = template.Library()


@register.inclusion_tag("search/index_status.html")
def index_status() -> dict[str, Any]:
    try:
        return {"index": status(), "rebuild_command": "python manage.py index --rebuild"}
    except DatabaseError:  # the overview must not fall over with the index (e.g. not migrated)
        logger.exception("Could not read the search index status")
        return {"index": None}
