from __future__ import annotations

from django.conf import settings
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
            ("act_on_workflow_runs", "Can resume, cancel and re-run workflow runs"),
            ("view_audit", "Can view the audit log"),
            ("manage_users", "Can add users and change their roles"),
        ]

    def __str__(self) -> str:
        return "dashboard permissions"


class OIDCIdentity(models.Model):
    """Which identity at which OpenID provider signs in as which user.

    A person is recognised by the provider's ``sub`` claim (stable and unique per issuer), never by
    an email address or a username, which can be reassigned or typed by anyone at some providers.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "single sign-on identity"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class SignInCounter(models.Model):
    """Sign-in attempts for one key (a username at an address, or an address) in the current window.

    Counted with single conditional UPDATE statements (dashboard/accounts/ratelimit.py), so workers
    racing on one key can never both take the last allowed attempt. Not the cache: the database
    cache's ``incr`` is a read followed by a write.
    """

    counter_key = models.CharField(max_length=64, primary_key=True)
    attempts = models.IntegerField(default=0)
    #: Seconds since the epoch: when this window's count stops mattering.
    window_ends = models.FloatField(default=0, db_index=True)
    #: For an address past its allowance, the earliest time of its next attempt.
    next_at = models.FloatField(default=0)

    def __str__(self) -> str:
        return self.counter_key
