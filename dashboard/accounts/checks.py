"""The project's own system checks (``manage.py check``; ``--deploy`` adds the deploy-only ones).

They guard the properties the security tests rely on, so a settings edit that weakens one fails
``manage.py check`` at start instead of passing silently:

* ``dashboard.E001`` every view needs a signed-in user (a LoginRequiredMiddleware is installed);
* ``dashboard.E002`` the Content-Security-Policy is enforced and strict for scripts (nonces, no
  ``'unsafe-inline'``, ``'unsafe-eval'`` or wildcards), with ``object-src``/``base-uri`` locked and
  framing refused;
* ``dashboard.E003`` the ``shared`` cache (one table every worker and host sees) exists;
* ``dashboard.W004`` (deploy) the Convex admin key would travel over plain http to another machine.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.csp import CSP

from .oidc_config import _is_loopback

LOGIN_MIDDLEWARES = {
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "dashboard.accounts.middleware.LoginRequiredMiddleware",
}
CSP_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"
UNSAFE_SCRIPT_SOURCES = {
    CSP.UNSAFE_INLINE,
    CSP.UNSAFE_EVAL,
    CSP.UNSAFE_HASHES,
    "*",
    "http:",
    "https:",
    "data:",
}


@register(Tags.security)
def login_required_everywhere(app_configs: Any, **kwargs: Any) -> list[Error]:
    if LOGIN_MIDDLEWARES & set(settings.MIDDLEWARE):
        return []
    return [
        Error(
            "No LoginRequiredMiddleware in MIDDLEWARE: every page would be public.",
            hint="Add dashboard.accounts.middleware.LoginRequiredMiddleware after AuthenticationMiddleware.",
            id="dashboard.E001",
        )
    ]


def csp_problems(policy: dict[str, Any] | None, middleware: list[str]) -> list[str]:
    problems = []
    if CSP_MIDDLEWARE not in middleware:
        problems.append("ContentSecurityPolicyMiddleware is not in MIDDLEWARE")
    if not policy:
        return [*problems, "SECURE_CSP is empty"]
    script = list(policy.get("script-src") or policy.get("default-src") or [])
    if not script:
        problems.append("no script-src (nor default-src)")
    weak = sorted(set(script) & UNSAFE_SCRIPT_SOURCES)
    if weak:
        problems.append(f"script-src allows {', '.join(weak)}")
    style = list(policy.get("style-src") or policy.get("default-src") or [])
    if CSP.UNSAFE_INLINE in style:
        problems.append("style-src allows 'unsafe-inline'")
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if list(policy.get(directive) or []) != [CSP.NONE]:
            problems.append(f"{directive} is not 'none'")
    return problems


@register(Tags.security)
def strict_content_security_policy(app_configs: Any, **kwargs: Any) -> list[Error]:
    problems = csp_problems(getattr(settings, "SECURE_CSP", None), list(settings.MIDDLEWARE))
    return [
        Error(
            f"The Content-Security-Policy is weakened: {problem}.",
            hint="Untrusted LLM output is rendered on these pages; keep the policy of dashboard/settings.py.",
            id="dashboard.E002",
        )
        for problem in problems
    ]


@register(Tags.caches)
def shared_cache_configured(app_configs: Any, **kwargs: Any) -> list[Error]:
    if "shared" in settings.CACHES:
        return []
    return [
        Error(
            "CACHES has no 'shared' entry: the cache every worker and host sees.",
            hint="Keep the 'shared' DatabaseCache of dashboard/settings.py (its table is made by migrate).",
            id="dashboard.E003",
        )
    ]


@register(Tags.security, deploy=True)
def admin_key_over_tls(app_configs: Any, **kwargs: Any) -> list[Warning]:
    url = getattr(settings, "CONVEX_URL", "")
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme == "https" or _is_loopback(parts.hostname):
        return []
    return [
        Warning(
            "CONVEX_URL is plain http to another machine: the Convex admin key would cross the network "
            "unencrypted with every request.",
            hint="Use the deployment's https:// URL.",
            id="dashboard.W004",
        )
    ]
