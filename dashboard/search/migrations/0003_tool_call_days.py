"""Stored daily tool-call counts (dashboard/search/tool_days.py), counted once here from the calls
already indexed; from then on the indexer keeps them current. And an index over the few calls still
waiting for a result."""

from typing import Any

from django.db import migrations, models

from dashboard.search.tool_days import ERROR_CHARS, WAITING_STATES, day_of, error_key


def count_indexed_calls(apps: Any, schema_editor: Any) -> None:
    # The historical models, with only the pure helpers of tool_days: this stays right however the
    # models change later. Each call counts under its agent and under every agent; a call waits
    # while in a waiting state and no other part of its thread carries its result.
    tool_call = apps.get_model("search", "ToolCall")
    tool_call_day = apps.get_model("search", "ToolCallDay")
    tool_error_day = apps.get_model("search", "ToolErrorDay")
    answered = set(
        tool_call.objects.exclude(call_id="")
        .exclude(state__in=WAITING_STATES)
        .values_list("thread_id", "call_id")
        .iterator(chunk_size=5_000)
    )
    days: dict[tuple[Any, str, str, bool], list[Any]] = {}
    errors: dict[tuple[Any, str, str, bool, str], list[Any]] = {}
    rows = tool_call.objects.values_list(
        "created_at", "tool_name", "agent", "is_error", "error_text", "thread_id", "call_id", "state"
    )
    for created_at, tool_name, agent, is_error, error_text, thread_id, call_id, state in rows.iterator(
        chunk_size=5_000
    ):
        day = day_of(created_at)
        waiting = (
            state in WAITING_STATES
            and not is_error
            and bool(call_id)
            and (thread_id, call_id) not in answered
        )
        for key in ((day, tool_name, agent, False), (day, tool_name, "", True)):
            counts = days.setdefault(key, [0, 0, 0, created_at])
            counts[0] += 1
            counts[2] += waiting
            counts[3] = max(counts[3], created_at)
            if is_error:
                counts[1] += 1
                group = errors.setdefault(
                    (*key, error_key(error_text or "")), [0, (error_text or "")[:ERROR_CHARS]]
                )
                group[0] += 1
    tool_call_day.objects.bulk_create(
        [
            tool_call_day(
                day=d, tool_name=t, agent=a, every_agent=e, calls=c, failures=f, waiting=w, last_call_at=last
            )
            for (d, t, a, e), (c, f, w, last) in days.items()
        ],
        batch_size=2_000,
    )
    tool_error_day.objects.bulk_create(
        [
            tool_error_day(
                day=d, tool_name=t, agent=a, every_agent=e, error_key=k, example=example, failures=n
            )
            for (d, t, a, e, k), (n, example) in errors.items()
        ],
        batch_size=2_000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_full_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="ToolCallDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("tool_name", models.TextField()),
                ("agent", models.TextField(default="")),
                ("every_agent", models.BooleanField(default=False)),
                ("calls", models.BigIntegerField(default=0)),
                ("failures", models.BigIntegerField(default=0)),
                ("waiting", models.BigIntegerField(default=0)),
                ("last_call_at", models.DateTimeField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name="ToolErrorDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("tool_name", models.TextField()),
                ("agent", models.TextField(default="")),
                ("every_agent", models.BooleanField(default=False)),
                ("error_key", models.TextField()),
                ("example", models.TextField(default="")),
                ("failures", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="toolcall",
            index=models.Index(fields=["thread_id", "call_id"], name="search_toolcall_call"),
        ),
        migrations.AddIndex(
            model_name="toolcallday",
            index=models.Index(fields=["every_agent", "tool_name", "day"], name="search_toolcallday_tool"),
        ),
        migrations.AddConstraint(
            model_name="toolcallday",
            constraint=models.UniqueConstraint(
                fields=("every_agent", "agent", "day", "tool_name"), name="search_toolcallday_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="toolerrorday",
            constraint=models.UniqueConstraint(
                fields=("every_agent", "agent", "day", "tool_name", "error_key"),
                name="search_toolerrorday_key",
            ),
        ),
        migrations.RunPython(count_indexed_calls, migrations.RunPython.noop),
    ]
