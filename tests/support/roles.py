"""The roles the migrations make, made again when a flush took them.

A transactional test (every live_server browser test) flushes the database when it ends, and the
flush takes the groups and permissions that migrations 0002_roles (accounts), 0002_roles (reviews)
and 0006_act_on_workflow_runs (accounts) created. Tests that run after one — pytest-django puts tests
whose database use it cannot see up front (fixtures asked for by name at run time) at the end — then
find no roles. ``ensure_roles()`` makes them again, exactly as those migrations do.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps as django_apps
from django.contrib.auth.models import Group

from dashboard.accounts.roles import ROLES


def ensure_roles() -> None:
    if Group.objects.filter(name__in=ROLES).count() == len(ROLES):
        return
    import_module("dashboard.accounts.migrations.0002_roles").create_roles(django_apps, None)
    import_module("dashboard.reviews.migrations.0002_roles").grant(django_apps, None)
    import_module("dashboard.accounts.migrations.0006_act_on_workflow_runs").grant(django_apps, None)
