from __future__ import annotations

from django.db import models


class DashboardPermission(models.Model):
    """No table: Django's auth hangs permissions on a model, and these belong to no stored model.

    Check them as ``user.has_perm("accounts.edit_working_memory")``. Which role holds which is in
    ``dashboard/accounts/roles.py`` (and the migration that created the groups).
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("edit_working_memory", "Can edit resource and thread working memory"),
            ("view_audit", "Can view the audit log"),
            ("manage_users", "Can add users and change their roles"),
        ]

    def __str__(self) -> str:
        return "dashboard permissions"
