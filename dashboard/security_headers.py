"""The security headers on every response the site serves, not only on the pages Django renders.

Django's own middleware adds them from where it sits in settings.MIDDLEWARE, so responses made
before it never get them: WhiteNoise answers static files without calling the middleware after it,
and the 400 for a Host outside ALLOWED_HOSTS is raised inside CommonMiddleware, below
XFrameOptionsMiddleware. This middleware is the outermost one and fills in whatever is still
missing, from the same settings; headers already set (a page's CSP with its nonce) are kept.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.csp import CSP, build_policy


def _fixed_headers() -> dict[str, str]:
    headers = {"X-Frame-Options": settings.X_FRAME_OPTIONS}
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers["X-Content-Type-Options"] = "nosniff"
    if settings.SECURE_REFERRER_POLICY:
        headers["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for name, value in _fixed_headers().items():
            if name == "X-Frame-Options" and getattr(response, "xframe_options_exempt", False):
                continue
            response.headers.setdefault(name, value)
        # A view may turn the policy off on purpose (an empty csp_override): keep that.
        config = getattr(response, "_csp_config", settings.SECURE_CSP)
        if config and CSP.HEADER_ENFORCE not in response:
            # No nonce: nothing served without one runs inline script.
            response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(config)
        return response
