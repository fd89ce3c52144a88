"""Working-memory values the indexer saw in the store (``snapshots.py``).

Current Mastra drops an agent's ``updateWorkingMemory`` calls from the messages it saves, so the
messages no longer say what an agent wrote, or when. The store keeps only the newest value; each
snapshot here is one value the indexer read, at the record's ``updatedAt``. The timeline shows the
ones no agent turn and no dashboard edit accounts for.
"""

from __future__ import annotations

from django.db import models


class MemorySnapshot(models.Model):
    #: "resource" or "thread" (a thread in thread scope keeps its memory in its metadata).
    target_type = models.CharField(max_length=16)
    target_id = models.TextField()
    text = models.TextField()
    #: sha256 of ``text``: a poll compares it with the newest snapshot instead of reading texts.
    text_hash = models.CharField(max_length=64)
    #: The store record's ``updatedAt`` when it was read: when the value was written.
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["target_type", "target_id", "seen_at"], name="memory_snapshot_target")
        ]

    def __str__(self) -> str:
        return f"{self.target_type} {self.target_id} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class SnapshotFeedState(models.Model):
    """Where the snapshot feed resumes in the store's resource and thread change feeds."""

    name = models.CharField(max_length=32, unique=True)
    resource_cursor = models.TextField(default="")
    thread_cursor = models.TextField(default="")
    #: Values not kept (too large to restore through the editor, or not storable text).
    skipped = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
