"""The indexer's working-memory feed: each new value of a resource's or a thread-scoped thread's
working memory becomes a ``MemorySnapshot`` (issue #23's follow-up: agent writes have no other record).

It reads the store's ``resource_changes`` and ``thread_changes`` with cursors of its own, under the
indexer's lease and poll (``dashboard.search.indexer.EXTRA_FEEDS``). A value is kept when it differs
from the newest snapshot of the same memory; a thread whose ``updatedAt`` moved because of a new
message, with its memory unchanged, adds nothing. A value the indexer did not poll between two
writes is not seen: ``index --follow`` polls every second or so. Each memory keeps its newest
``MAX_SNAPSHOTS``; ``index --rebuild`` reads every memory again and keeps them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Max

from dashboard.search.models import MAX_ID_CHARS

from .editing import MAX_WORKING_MEMORY_BYTES
from .models import MemorySnapshot, SnapshotFeedState

if TYPE_CHECKING:
    from dashboard.search.indexer import Indexer

STATE_NAME = "main"
RESOURCE_PAGE = 200
THREAD_PAGE = 200
#: Snapshots kept per memory (the timeline reads at most its MAX_VERSIONS of each source).
MAX_SNAPSHOTS = 500


def _storable_id(value: object) -> bool:
    return isinstance(value, str) and bool(value) and len(value) <= MAX_ID_CHARS and "\x00" not in value


def _restorable(text: str) -> bool:
    """Whether the dashboard can keep and later restore ``text`` as it is: every database takes it
    (no NUL, no lone surrogate) and the editor would save it (within its size limit)."""
    if "\x00" in text:
        return False
    try:
        return len(text.encode("utf-8")) <= MAX_WORKING_MEMORY_BYTES
    except UnicodeEncodeError:
        return False


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SnapshotFeed:
    """The indexer's extra feed (``dashboard.search.indexer.ExtraFeed``)."""

    def page(self, indexer: Indexer) -> bool:
        state, _ = SnapshotFeedState.objects.get_or_create(name=STATE_NAME)
        memory = indexer.store.memory
        resources = memory.resource_changes(state.resource_cursor or None, limit=RESOURCE_PAGE)
        threads = memory.thread_changes(state.thread_cursor or None, limit=THREAD_PAGE)
        seen = [("resource", r.id, r.working_memory, r.updated_at) for r in resources.items]
        seen += [("thread", t.id, t.working_memory, t.updated_at) for t in threads.items]
        with transaction.atomic():
            skipped = write_snapshots(seen)
            SnapshotFeedState.objects.filter(name=STATE_NAME).update(
                resource_cursor=resources.cursor, thread_cursor=threads.cursor, skipped=F("skipped") + skipped
            )
            indexer.fence()
        return resources.has_more or threads.has_more

    def reset(self) -> None:
        """Read every memory again, but keep the snapshots: unlike the rest of the index they are a
        record the store no longer holds (it keeps only the newest value). A value read again is
        the newest snapshot's and adds nothing."""
        SnapshotFeedState.objects.filter(name=STATE_NAME).update(
            resource_cursor="", thread_cursor="", skipped=0
        )


SNAPSHOT_FEED = SnapshotFeed()


def write_snapshots(seen: Iterable[tuple[str, str, str | None, datetime]]) -> int:
    """Keep each (target type, id, memory text, updatedAt) whose text is new for its memory; the
    number of values that could not be kept."""
    newest: dict[tuple[str, str], tuple[str, datetime]] = {}
    skipped = 0
    for target_type, target_id, text, updated_at in seen:
        if text is None or not _storable_id(target_id):
            continue  # No memory (a resource-scope thread), or an id no page could link to.
        if not _restorable(text):
            skipped += 1
            continue
        # The same memory twice in a page: the later read is the newer value.
        newest[(target_type, target_id)] = (text, updated_at)
    if not newest:
        return skipped
    last = _newest_hashes(newest)
    fresh = [
        MemorySnapshot(target_type=t, target_id=i, text=text, text_hash=h, seen_at=updated_at)
        for (t, i), (text, updated_at) in newest.items()
        if (h := text_hash(text)) != last.get((t, i))
    ]
    MemorySnapshot.objects.bulk_create(fresh)
    _prune({(s.target_type, s.target_id) for s in fresh})
    return skipped


def _newest_hashes(targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    by_type: dict[str, list[str]] = {}
    for target_type, target_id in targets:
        by_type.setdefault(target_type, []).append(target_id)
    newest_pks: list[int] = []
    for target_type, ids in by_type.items():
        newest_pks += (
            MemorySnapshot.objects.filter(target_type=target_type, target_id__in=ids)
            .values("target_id")
            .annotate(newest=Max("pk"))
            .values_list("newest", flat=True)
        )
    rows = MemorySnapshot.objects.filter(pk__in=newest_pks).values_list(
        "target_type", "target_id", "text_hash"
    )
    return {(t, i): h for t, i, h in rows}


def _prune(targets: Iterable[tuple[str, str]]) -> None:
    for target_type, target_id in targets:
        mine = MemorySnapshot.objects.filter(target_type=target_type, target_id=target_id)
        keep_from = mine.order_by("-pk").values_list("pk", flat=True)[MAX_SNAPSHOTS : MAX_SNAPSHOTS + 1]
        if keep_from:
            mine.filter(pk__lte=keep_from[0]).delete()


def snapshots_of(target_type: str, target_id: str, limit: int) -> Sequence[MemorySnapshot]:
    """The newest ``limit`` snapshots of one memory, newest first."""
    return list(
        MemorySnapshot.objects.filter(target_type=target_type, target_id=target_id).order_by(
            "-seen_at", "-pk"
        )[:limit]
    )
