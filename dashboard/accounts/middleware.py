"""Deny by default, and say so in a way htmx and the logs understand.

``LoginRequiredMiddleware`` replaces Django's in settings.MIDDLEWARE (same place, same rules: every
view needs a signed-in user unless it is marked ``@login_not_required``) with two additions:

* an htmx request whose session has expired gets ``HX-Redirect`` to the login page (returning to
  the page the tab shows) instead of a 302 that htmx would follow inside the XHR and swap the login
  form into a table cell;
* every ``PermissionDenied`` a view raises is logged as one ``authz_fail`` line (OWASP logging
  vocabulary): status, who, which method and path, the reason, never request content (and without
  Django's traceback, see request_log.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from .addresses import client_ip
from .request_log import ALREADY_LOGGED

security_log = logging.getLogger("dashboard.security")


def is_htmx_fragment_request(request: HttpRequest) -> bool:
    """An htmx request that swaps a fragment (read from the headers: this runs before HtmxMiddleware)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def login_url_returning_to(login_url: str, page_url: str | None) -> str:
    """``login_url?next=<path of page_url>``, or the bare login URL when the page is not ours."""
    if not page_url:
        return login_url
    parts = urlsplit(page_url)
    next_path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not next_path.startswith("/") or not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None):
        return login_url
    return f"{login_url}?{urlencode({'next': next_path})}"


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    def handle_no_permission(self, request: HttpRequest, view_func: Callable[..., Any]) -> HttpResponse:
        if is_htmx_fragment_request(request):
            login_url = resolve_url(self.get_login_url(view_func))
            # The page the tab shows, not the fragment URL: after signing in the user lands on a
            # whole page again.
            return HttpResponseClientRedirect(
                login_url_returning_to(login_url, request.headers.get("HX-Current-URL"))
            )
        return super().handle_no_permission(request, view_func)  # type: ignore[no-any-return]

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            user = getattr(request, "user", None)
            security_log.warning(
                'authz_fail status=403 user=%s method=%s path=%s ip=%s reason="%s"',
                user.get_username() if user is not None and user.is_authenticated else "-",
                request.method,
                request.path,
                client_ip(request),
                str(exception).replace('"', "'")[:200] or "Permission denied",
            )
            # The one line for this refusal: Django's own "Forbidden" line for it is dropped.
            setattr(request, ALREADY_LOGGED, True)
        return None
