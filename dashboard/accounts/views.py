from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from dashboard.core.store_errors import is_partial_request

_login_view = auth_views.LoginView.as_view(
    template_name="accounts/login.html", redirect_authenticated_user=True
)


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    if is_partial_request(request) and request.method == "GET":
        # An htmx request whose session expired was redirected here by LoginRequiredMiddleware; the
        # browser followed the redirect inside the XHR. Swapping the login form into a table cell
        # helps no one: send the whole tab to the login page, returning to the page it was on.
        return HttpResponseClientRedirect(_login_url_for(request.htmx.current_url))  # type: ignore[attr-defined]
    return _login_view(request)


def _login_url_for(page_url: str | None) -> str:
    login_url = resolve_url(settings.LOGIN_URL)
    if not page_url:
        return login_url
    parts = urlsplit(page_url)
    next_path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not next_path.startswith("/") or not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None):
        return login_url
    return f"{login_url}?{urlencode({'next': next_path})}"


logout = auth_views.LogoutView.as_view()
