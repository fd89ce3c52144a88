"""The dashboard's own index of the Mastra store (DESIGN 5b), kept in the dashboard's database.

One row per message, thread and resource, written only by the indexer (``indexer.py``). Full-text
matching is not a Django field: migration 0002 adds an FTS5 table over ``body`` on SQLite, or a
generated ``tsvector`` column with a GIN index on PostgreSQL (``backends.py`` queries either).

Ids are kept as stored and as a lowercase copy with an index of their own, for case-insensitive
prefix lookups ("user_d82" finds "user_d82C07"). Tool calls get a table of their own so tool
statistics can aggregate them without re-reading messages.
"""

from __future__ import annotations

from django.db import models

#: Longest id the index keeps (an index entry must fit in a PostgreSQL btree page); a record with a
#: longer id is skipped and counted, never allowed to stop the indexer.
MAX_ID_CHARS = 1_000


class IndexedThread(models.Model):
    thread_id = models.TextField(unique=True)
    thread_id_lower = models.TextField(db_index=True)
    resource_id = models.TextField(default="")
    resource_id_lower = models.TextField(default="", db_index=True)
    title = models.TextField(default="")
    #: ``metadata.agentId`` of the thread, as the thread pages show it ("" when none).
    agent = models.TextField(default="", db_index=True)
    created_at = models.DateTimeField(null=True)
    #: The store's ``updatedAt`` last seen; a later one means the thread may have been edited.
    updated_at = models.DateTimeField(null=True)
    #: Its messages must be read again (an edit or a deleted message is only seen that way).
    needs_reconcile = models.BooleanField(default=False, db_index=True)

    def __str__(self) -> str:
        return self.thread_id


class IndexedMessage(models.Model):
    message_id = models.TextField(unique=True)
    message_id_lower = models.TextField(db_index=True)
    thread_id = models.TextField(db_index=True)
    thread_id_lower = models.TextField(db_index=True)
    resource_id = models.TextField(default="")
    resource_id_lower = models.TextField(default="", db_index=True)
    role = models.CharField(max_length=40)
    agent = models.TextField(default="")
    created_at = models.DateTimeField(db_index=True)
    #: Part kinds present, space-separated between spaces (" text tool "), from ``KINDS``.
    kinds = models.TextField(default=" ")
    #: Names of the tools called, space-separated between spaces (for display; filters use ToolCall).
    tool_names = models.TextField(default=" ")
    has_error = models.BooleanField(default=False, db_index=True)
    #: The searchable text, flattened from the parts (documents.py). Shown only escaped.
    body = models.TextField(default="")
    #: Of what was indexed (body and fields), to skip unchanged messages when a thread is re-read.
    content_hash = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.message_id


class ToolCall(models.Model):
    """One tool invocation of a message, in a form tool statistics can aggregate."""

    message_id = models.TextField(db_index=True)
    thread_id = models.TextField(db_index=True)
    resource_id = models.TextField(default="")
    agent = models.TextField(default="")
    tool_name = models.TextField(db_index=True)
    call_id = models.TextField(default="")
    state = models.CharField(max_length=40, default="")
    is_error = models.BooleanField(default=False)
    error_text = models.TextField(default="")
    #: The arguments as JSON text (bounded; "" when none were stored).
    args_json = models.TextField(default="")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["tool_name", "created_at"], name="search_toolcall_name_time"),
            # Which calls a result answers (tool_days reads them for every result it counts).
            models.Index(fields=["thread_id", "call_id"], name="search_toolcall_call"),
        ]

    def __str__(self) -> str:
        return f"{self.tool_name} ({self.message_id})"


class IndexedResource(models.Model):
    resource_id = models.TextField(unique=True)
    resource_id_lower = models.TextField(db_index=True)
    working_memory = models.TextField(default="")
    updated_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.resource_id


class IndexerState(models.Model):
    """The indexer's one row: where each feed resumes, who holds the lease, and what to report.

    Cursors are written in the same transaction as the rows they cover, so a worker that dies
    resumes exactly after the last page it committed: no gap, no duplicate.
    """

    name = models.CharField(max_length=40, unique=True, default="main")
    message_cursor = models.TextField(default="")
    thread_cursor = models.TextField(default="")
    resource_cursor = models.TextField(default="")
    #: The last ``IndexedThread.id`` checked for deletion (the sweep goes round in id order).
    sweep_after = models.BigIntegerField(default=0)
    #: Which store the cursors belong to (``Store.describe()``): another store needs a rebuild.
    store_identity = models.TextField(default="")
    lease_holder = models.CharField(max_length=200, default="")
    lease_expires_at = models.DateTimeField(null=True)
    messages_indexed = models.BigIntegerField(default=0)
    records_skipped = models.BigIntegerField(default=0)
    last_poll_at = models.DateTimeField(null=True)
    #: When a poll last found every feed drained: the index held all the store had then.
    synced_at = models.DateTimeField(null=True)
    #: What the store said its feeds miss (Convex without the dashboard module), "" when exact.
    feed_note = models.TextField(default="")
    last_error = models.TextField(default="")
    last_error_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name


class ToolCallDay(models.Model):
    """Tool calls per day (in the site's zone, ``DJANGO_TIME_ZONE``), tool and agent, kept current
    by ``tool_days.py`` as the indexer writes and deletes ``ToolCall`` rows, so /tools/ reads
    O(days × tools) rows whatever the number of calls (O(days × tools) of one agent's rows with an
    agent filter): each call is counted under its agent and once more under ``every_agent``."""

    day = models.DateField()
    tool_name = models.TextField()
    #: "" in the ``every_agent`` rows.
    agent = models.TextField(default="")
    every_agent = models.BooleanField(default=False)
    calls = models.BigIntegerField(default=0)
    failures = models.BigIntegerField(default=0)
    #: Calls in a waiting state that no other part of their thread answers (``tool_days``).
    waiting = models.BigIntegerField(default=0)
    last_call_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["every_agent", "agent", "day", "tool_name"], name="search_toolcallday_key"
            )
        ]
        indexes = [models.Index(fields=["every_agent", "tool_name", "day"], name="search_toolcallday_tool")]

    def __str__(self) -> str:
        return f"{self.tool_name} {self.day} ({self.agent})"


class ToolErrorDay(models.Model):
    """Failed calls per day, tool, agent and normalised error message (``tool_days.error_key``),
    counted under the agent and under ``every_agent`` as ``ToolCallDay`` is."""

    day = models.DateField()
    tool_name = models.TextField()
    agent = models.TextField(default="")
    every_agent = models.BooleanField(default=False)
    error_key = models.TextField()
    #: One exact text of the group, as stored (bounded), for the drill-down search.
    example = models.TextField(default="")
    failures = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["every_agent", "agent", "day", "tool_name", "error_key"],
                name="search_toolerrorday_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tool_name} {self.day}: {self.error_key[:40]}"
