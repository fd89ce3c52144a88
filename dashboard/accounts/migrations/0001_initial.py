from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="DashboardPermission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
            ],
            options={
                "managed": False,
                "default_permissions": (),
                "permissions": [
                    ("edit_working_memory", "Can edit resource and thread working memory"),
                    ("view_audit", "Can view the audit log"),
                    ("manage_users", "Can add users and change their roles"),
                ],
            },
        ),
    ]
