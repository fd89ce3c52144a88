from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class DashboardAdminConfig(AdminConfig):
    """``django.contrib.admin`` (in INSTALLED_APPS) with the admin-role-only site as ``admin.site``."""

    default_site = "dashboard.accounts.admin_site.DashboardAdminSite"
