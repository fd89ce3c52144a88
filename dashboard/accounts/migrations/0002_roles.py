"""Create the viewer/editor/admin groups and their permissions.

The values are copied here rather than imported from roles.py: a migration must keep doing what it
did when it was written. A later change of roles gets its own migration.
"""

from __future__ import annotations

from django.db import migrations

PERMISSIONS = {
    "edit_working_memory": "Can edit resource and thread working memory",
    "view_audit": "Can view the audit log",
    "manage_users": "Can add users and change their roles",
}
ROLES = {
    "viewer": (),
    "editor": ("edit_working_memory",),
    "admin": ("edit_working_memory", "view_audit", "manage_users"),
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are normally created after all migrations (post_migrate); create them now so the
    # groups can hold them. post_migrate then finds them and leaves them alone.
    content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="dashboardpermission")
    permissions = {
        codename: Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in PERMISSIONS.items()
    }
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(permissions[codename] for codename in codenames))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
