"""Editors and admins may resume, cancel and re-run workflow runs (through the Mastra server).

As in 0002_roles, the values are written out here rather than imported from roles.py.
"""

from __future__ import annotations

from django.db import migrations

CODENAME = "act_on_workflow_runs"
NAME = "Can resume, cancel and re-run workflow runs"
GRANTED_TO = ("editor", "admin")


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="dashboardpermission")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    for group in Group.objects.filter(name__in=GRANTED_TO):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="accounts", codename=CODENAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_signin_counter")]

    operations = [
        migrations.AlterModelOptions(
            name="dashboardpermission",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("edit_working_memory", "Can edit resource and thread working memory"),
                    ("act_on_workflow_runs", "Can resume, cancel and re-run workflow runs"),
                    ("view_audit", "Can view the audit log"),
                    ("manage_users", "Can add users and change their roles"),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
