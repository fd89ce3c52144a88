"""Fill the configured store with demo data, through the store interface only (so it works on the
SQLite file and on a Convex deployment alike)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.core.store import get_store
from dashboard.demo import dataset
from storeclient.errors import StoreError


class ProgressBar:
    """One line on stderr per phase, redrawn in place on a terminal; a plain line per phase otherwise."""

    WIDTH = 28

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.phase: str | None = None
        self.started = time.monotonic()
        self.last_draw = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.finish()
            self.phase, self.started = phase, time.monotonic()
        now = time.monotonic()
        if done < total and (not self.tty or now - self.last_draw < 0.1):
            return
        self.last_draw = now
        elapsed = now - self.started
        rate = f"{done / elapsed:>9,.0f}/s" if elapsed > 0.2 else ""
        filled = int(self.WIDTH * done / total) if total else self.WIDTH
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        line = f"{phase:<14} {bar} {done:>9,}/{total:,}  {rate}"
        if self.tty:
            self.stream.write("\r" + line)
        elif done >= total:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.phase is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()
        self.phase = None


class Command(BaseCommand):
    help = (
        "Write demo threads, messages, working memory, workflow runs and scores into the configured "
        "store (the SQLite file, or Convex when CONVEX_URL is set)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=["small", "large"],
            default="small",
            help="small: ~30 threads covering every message and run shape; large: 100k threads, 1M messages, 100k scores.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the store already holds anything (threads, runs, scores, ...).",
        )
        parser.add_argument(
            "--only-local-demo-store",
            action="store_true",
            help="Do nothing unless the store is the default local file (var/mastra.db): what `make run` "
            "uses, so pointing it at your own Convex deployment or mastra.db never adds demo data there.",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="Same seed, same data (times are relative to now)."
        )

    def handle(
        self, *args: Any, scale: str, if_empty: bool, only_local_demo_store: bool, seed: int, **options: Any
    ) -> None:
        store = get_store()
        where = store.describe()
        if only_local_demo_store and not _is_local_demo_store():
            self.stdout.write(f"Not adding demo data: the store is your own data ({where}).")
            return
        try:
            if if_empty and any(count.value for count in store.counts(cap=1).values()):
                self.stdout.write(f"The store already holds data; not adding demo data ({where}).")
                return
            self.stdout.write(f"Writing {scale} demo data (seed {seed}) to {where}…")
            progress = ProgressBar(sys.stderr)
            started = time.monotonic()
            if scale == "small":
                dataset.write_small(store, seed=seed, progress=progress)
            else:
                dataset.write_large(store, seed=seed, progress=progress)
            progress.finish()
        except StoreError as exc:
            raise CommandError(f"Could not write demo data: {exc}") from exc
        counts = store.counts(cap=10_000_000)
        summary = ", ".join(
            f"{counts[key]} {key}" for key in ("resources", "threads", "messages", "runs", "scores")
        )
        self.stdout.write(
            self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s. The store now holds {summary}.")
        )


def _is_local_demo_store() -> bool:
    """The embedded store at its default path, which only demos and local trials use."""
    default = (settings.BASE_DIR / "var" / "mastra.db").resolve()
    return settings.STORE_BACKEND == "sqlite" and Path(settings.MASTRA_SQLITE_PATH).resolve() == default
