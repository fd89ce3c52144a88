from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from dashboard.core.store_errors import is_partial_request

from . import oidc
from .forms import RATE_LIMITED, RateLimitedAuthenticationForm
from .middleware import login_url_returning_to
from .sign_in_audit import record_sign_in


def _sso_context() -> dict[str, Any]:
    cfg = oidc.config()
    return {"sso_name": cfg.provider_name if cfg else None}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    form_class = RateLimitedAuthenticationForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | _sso_context()

    def form_valid(self, form: RateLimitedAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        record_sign_in(self.request, form.get_user(), "password")
        return response

    def form_invalid(self, form: RateLimitedAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, RATE_LIMITED):
            response.status_code = 429
            if form.refused is not None:
                response["Retry-After"] = str(form.refused.seconds)
        return response


_login_view = LoginView.as_view()


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    if is_partial_request(request) and request.method == "GET":
        # Fallback for an htmx request that still followed a redirect here (LoginRequiredMiddleware
        # answers those with HX-Redirect itself): send the whole tab, not a form in a table cell.
        return HttpResponseClientRedirect(
            login_url_returning_to(resolve_url(settings.LOGIN_URL), request.htmx.current_url)  # type: ignore[attr-defined]
        )
    return _login_view(request)


logout = auth_views.LogoutView.as_view()


@login_not_required
@never_cache
@require_GET
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Start single sign-on: off to the identity provider."""
    if oidc.config() is None:
        raise Http404("Single sign-on is not set up.")
    try:
        return HttpResponseRedirect(oidc.start(request))
    except oidc.OIDCError as error:
        oidc.log_failure(request, error)
        return _sso_failed(request, error)


@login_not_required
@never_cache
@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code (or an error)."""
    if oidc.config() is None:
        raise Http404("Single sign-on is not set up.")
    try:
        result = oidc.finish(request)
    except oidc.OIDCError as error:
        oidc.log_failure(request, error)
        return _sso_failed(request, error)
    # login() rotates the session key (and so drops the flow state with the old session).
    auth_login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    record_sign_in(request, result.user, "single sign-on")
    return HttpResponseRedirect(result.next_url)


def _sso_failed(request: HttpRequest, error: oidc.OIDCError) -> HttpResponse:
    context = {
        "form": RateLimitedAuthenticationForm(request),
        "next": "",
        "sso_error": error.message,
        **_sso_context(),
    }
    return render(request, "accounts/login.html", context, status=error.status)
