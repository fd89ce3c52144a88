"""`manage.py index`: keep the dashboard's search index up to date with the Mastra store.

    manage.py index --follow     poll every SEARCH_INDEX_INTERVAL seconds until stopped (the worker)
    manage.py index --once       one poll: catch up with everything written so far, then exit
    manage.py index --rebuild    empty the index and build it again from the first record

Only one worker indexes at a time (a lease in the dashboard's database); a second one waits its turn,
so starting one per host is safe. The Mastra store is only read.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.core.store import get_store
from dashboard.search.indexer import Indexer, status


class Command(BaseCommand):
    help = "Index the Mastra store for search: --follow (the worker), --once, or --rebuild."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--follow", action="store_true", help="Poll until stopped (Ctrl-C or SIGTERM).")
        mode.add_argument("--once", action="store_true", help="Catch up once, then exit.")
        mode.add_argument("--rebuild", action="store_true", help="Empty the index and build it again.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between polls with --follow (default: SEARCH_INDEX_INTERVAL).",
        )

    def handle(
        self, *args: Any, follow: bool, once: bool, rebuild: bool, interval: float | None, **options: Any
    ) -> None:
        indexer = Indexer(get_store())
        if follow:
            self._follow(indexer, interval if interval is not None else settings.SEARCH_INDEX_INTERVAL)
            return
        started = time.monotonic()
        if rebuild:
            result = indexer.rebuild()
        else:
            total = 0
            while True:
                result = indexer.poll(sweep=True)
                total += result.messages
                if not result.worked or result.error or result.drained:
                    break
            result = type(result)(result.worked, total, result.drained, result.error)
        indexer.release()
        if not result.worked:
            raise CommandError(
                "Another indexer holds the lease; it keeps the index up to date. Try again later."
            )
        if result.error:
            raise CommandError(f"The store failed: {result.error}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Indexed {result.messages:,} messages in {elapsed:.1f} s; "
            f"{status().messages_indexed:,} messages in the index."
        )

    def _follow(self, indexer: Indexer, interval: float) -> None:
        if interval < 0.1:
            raise CommandError("--interval must be at least 0.1 seconds.")
        stop = threading.Event()

        def _stop(signum: int, frame: object) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.stdout.write(f"Indexing the store every {interval:g} s (Ctrl-C stops).")
        indexer.follow(interval, stop)
        self.stdout.write("Indexer stopped.")
