"""Admins become staff (the user administration at /admin/ asks for staff and ``manage_users``),
and the ``shared`` cache gets its table, so ``migrate`` is the only database step of a deploy."""

from __future__ import annotations

from django.core.management import call_command
from django.db import migrations

#: The table of the "shared" DatabaseCache (dashboard/settings.py CACHES); copied, as migrations must.
CACHE_TABLE = "dashboard_cache"


def admins_are_staff(apps, schema_editor):
    User = apps.get_model("auth", "User")
    User.objects.filter(groups__name="admin").update(is_staff=True)


def create_cache_table(apps, schema_editor):
    # `manage.py createcachetable` for this one table, on the migration's database (a no-op when the
    # table exists; Django's test database set-up runs it too).
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.connection.ops.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_oidc_identity"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(admins_are_staff, migrations.RunPython.noop),
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
