"""List (and with ``--apply`` create) the indexes the dashboard recommends for a Mastra SQLite file.

Mastra's LibSQL layout indexes almost nothing (threads and scores only by primary key), so on a big
``mastra.db`` the dashboard's lists would scan whole tables. The SQLite store adds its own
``dashboard_idx_*`` indexes to files it creates, but never to an existing Mastra file on its own:
this command shows what is missing and adds it when asked. The indexes are purely additive - Mastra
ignores them and keeps working - and ``DROP INDEX <name>`` removes one again.

    python manage.py sqlite_indexes            # list what is missing (and the SQL)
    python manage.py sqlite_indexes --apply    # create it
    python manage.py sqlite_indexes --path /path/to/mastra.db [--apply]
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from storeclient.errors import StoreError
from storeclient.sqlite import RECOMMENDED_INDEXES, SQLiteStore


class Command(BaseCommand):
    help = (
        "List the dashboard's recommended indexes missing from the Mastra SQLite file; --apply creates them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="create the missing indexes")
        parser.add_argument(
            "--path",
            help="the SQLite file (default: MASTRA_SQLITE_PATH, the file the dashboard uses)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["path"]:
            path = Path(options["path"])
        elif getattr(settings, "STORE_BACKEND", "sqlite") == "convex":
            raise CommandError(
                "The dashboard is configured for Convex (CONVEX_URL is set); this command is for the SQLite "
                "store. Pass --path to inspect a SQLite file anyway."
            )
        else:
            path = Path(settings.MASTRA_SQLITE_PATH)
        if not path.exists():
            raise CommandError(f"There is no SQLite file at {path} (set MASTRA_SQLITE_PATH or pass --path).")
        try:
            store = SQLiteStore(path, create=False)
        except StoreError as exc:
            raise CommandError(f"Cannot open {path}: {exc}") from exc
        try:
            self._run(store, path, apply=options["apply"])
        except StoreError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            store.close()

    def _run(self, store: SQLiteStore, path: Path, *, apply: bool) -> None:
        missing = store.missing_indexes()
        if not missing:
            self.stdout.write(
                self.style.SUCCESS(f"{path}: all {len(RECOMMENDED_INDEXES)} recommended indexes are present.")
            )
            return
        self.stdout.write(
            f"{path}: {len(missing)} of {len(RECOMMENDED_INDEXES)} recommended indexes are missing:"
        )
        for index in missing:
            cols = ", ".join(index.columns)
            self.stdout.write(f"  {index.name}  on {index.table} ({cols})  - {index.purpose}")
        if not apply:
            self.stdout.write("\nSQL (run `python manage.py sqlite_indexes --apply` to execute it):")
            for index in missing:
                self.stdout.write(f"  {index.sql};")
            return
        self.stdout.write(
            "\nCreating them; on a large file this takes a while and Mastra's writes wait meanwhile."
        )
        for index in missing:
            started = time.monotonic()
            store.add_indexes([index.name])
            self.stdout.write(f"  created {index.name} in {time.monotonic() - started:.2f} s")
        self.stdout.write(
            self.style.SUCCESS(f"{path}: all {len(RECOMMENDED_INDEXES)} recommended indexes are present.")
        )
