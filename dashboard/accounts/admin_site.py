"""The Django admin, narrowed to user management for the admin role.

``/admin/`` answers only to an active *staff* user who also holds ``accounts.manage_users`` (the
admin role; ``set_role`` keeps ``is_staff`` in step with it). A signed-in editor or viewer gets 403,
not the admin's own login form, and there is no second login form: signing in always goes through
the dashboard's (rate-limited, SSO-aware) login page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.http import url_has_allowed_host_and_scheme

MANAGE_USERS = "accounts.manage_users"


class DashboardAdminSite(AdminSite):
    site_header = "Mastra dashboard · users"
    site_title = "Mastra dashboard users"
    index_title = "User management"
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.has_perm(MANAGE_USERS))

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("User management needs the admin role.")
            return inner(request, *args, **kwargs)  # type: ignore[no-any-return]

        return update_wrapper(guarded, inner)

    def get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super().get_urls()
        _use_dashboard_login(urls)
        return urls

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Not marked login_not_required: LoginRequiredMiddleware sends anonymous visitors to the
        # dashboard's login page before this runs.
        target = request.GET.get("next", "")
        if not self.has_permission(request):
            if request.user.is_authenticated:
                raise PermissionDenied("User management needs the admin role.")
            return redirect_to_login(
                target or reverse("admin:index", current_app=self.name), settings.LOGIN_URL
            )
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(target)


def _use_dashboard_login(patterns: list[URLPattern | URLResolver]) -> None:
    """Admin views name the admin's login page for LoginRequiredMiddleware (``view.login_url``):
    point them at the dashboard's, so an anonymous visitor gets one redirect to the one login form."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _use_dashboard_login(pattern.url_patterns)
        elif hasattr(pattern.callback, "login_url"):
            pattern.callback.login_url = settings.LOGIN_URL
