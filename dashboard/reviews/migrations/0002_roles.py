"""Give the review permissions to the roles: editors and admins review, admins also manage labels
and scorer review settings. Viewers read reviews and agreement (signing in is all reading needs).

Values are copied here, not imported, so the migration keeps doing what it did when written.
"""

from __future__ import annotations

from django.db import migrations

PERMISSIONS = {
    "review_scores": "Can review scores and start review queues",
    "manage_reviews": "Can edit review labels and scorer review settings",
}
ROLES = {"editor": ("review_scores",), "admin": ("review_scores", "manage_reviews")}
#: Offered from the start; admins edit the set at /scores/(reviews)/labels/.
LABELS = {
    "correct": "The judge got it right",
    "hallucination": "The answer states things that are not true or not in the context",
    "wrong tool": "The agent called the wrong tool, or the right one wrongly",
    "tone": "Rude, curt or off-brand",
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Created now rather than by post_migrate so the groups can hold them (as accounts 0002 does).
    content_type, _ = ContentType.objects.get_or_create(app_label="reviews", model="reviewqueue")
    permissions = {
        codename: Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in PERMISSIONS.items()
    }
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(permissions[codename] for codename in codenames))
    ReviewLabel = apps.get_model("reviews", "ReviewLabel")
    for name, description in LABELS.items():
        ReviewLabel.objects.get_or_create(name=name, defaults={"description": description})


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="reviews", codename__in=PERMISSIONS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
