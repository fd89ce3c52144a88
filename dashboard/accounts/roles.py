"""Roles are auth Groups with fixed permissions (created by migration 0002_roles).

* viewer — reads everything, changes nothing (signing in is all reading needs).
* editor — also edits working memory and resumes, cancels and re-runs workflow runs.
* admin — also reads the audit log and manages users.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group

ROLES: dict[str, tuple[str, ...]] = {
    "viewer": (),
    "editor": ("edit_working_memory", "act_on_workflow_runs"),
    "admin": ("edit_working_memory", "act_on_workflow_runs", "view_audit", "manage_users"),
}


def set_role(user: AbstractBaseUser, role: str) -> None:
    """Make ``role`` the user's only role (other groups are left alone).

    The admin role also makes the user staff: the user administration at /admin/ asks for staff
    *and* the ``manage_users`` permission (see admin_site.py); other roles are not staff.
    """
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    groups = user.groups  # type: ignore[attr-defined]
    groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
    groups.add(Group.objects.get(name=role))
    staff = role == "admin" or bool(getattr(user, "is_superuser", False))
    if getattr(user, "is_staff", staff) != staff:
        user.is_staff = staff  # type: ignore[attr-defined]
        user.save(update_fields=["is_staff"])


def role_of(user: AbstractBaseUser) -> str | None:
    """The user's role name, the strongest one if several are set."""
    names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
    for role in reversed(ROLES):
        if role in names:
            return role
    return None
