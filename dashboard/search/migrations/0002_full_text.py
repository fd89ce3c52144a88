"""Full-text matching for the index, in whichever engine the dashboard's database has.

SQLite: an external-content FTS5 table per searchable column (the text lives once, in the model's
table) kept in step by triggers, so every ORM write is searchable in the same transaction.
PostgreSQL: a generated ``tsvector`` column with a GIN index. Both tokenise on letters and digits
alone (FTS5's unicode61; on PostgreSQL everything else becomes a space first), so "A-18896",
"user_d82" and URLs split the same way in both and a query matches the same words.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

#: (model table, searchable column, FTS5 table / tsvector column).
SEARCHABLE = (
    ("search_indexedmessage", "body", "search_message_fts"),
    ("search_indexedthread", "title", "search_thread_fts"),
    ("search_indexedresource", "working_memory", "search_resource_fts"),
)


def _sqlite_sql(table: str, column: str, fts: str) -> list[str]:
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN {delete} {insert} END",
    ]


def _postgres_sql(table: str, column: str, fts: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN {column}_tsv tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('simple', regexp_replace({column}, '[^[:alnum:]]+', ' ', 'g'))) STORED",
        f"CREATE INDEX {table}_{column}_tsv ON {table} USING GIN ({column}_tsv)",
    ]


def create(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table, column, fts in SEARCHABLE:
        if vendor == "sqlite":
            statements = _sqlite_sql(table, column, fts)
        elif vendor == "postgresql":
            statements = _postgres_sql(table, column, fts)
        else:
            raise RuntimeError(f"The search index needs SQLite or PostgreSQL, not {vendor}.")
        for statement in statements:
            schema_editor.execute(statement)


def drop(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table, column, fts in SEARCHABLE:
        if vendor == "sqlite":
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")
        elif vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}_tsv")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
