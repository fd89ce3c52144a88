"""OpenID Connect settings from ``OIDC_*`` environment variables (read by dashboard/settings.py).

Single sign-on is on when ``OIDC_ISSUER`` is set. Who may sign in must be stated: an email domain
list (``OIDC_ALLOWED_EMAIL_DOMAINS``), a group list (``OIDC_REQUIRED_GROUPS``), or an explicit
``OIDC_ALLOW_ALL_USERS=True`` for a provider that only knows your team. Without one of them the start
fails: otherwise anyone with an account at that provider (a public one, say) could sign in.

Imported while settings load: only env helpers, no models.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from dashboard.env import env_bool, env_float, env_list, env_str

ROLES = ("viewer", "editor", "admin")
#: Asymmetric signatures only: "none" is never accepted, and HS* would make the client secret a
#: signing key that anyone holding it could mint ID tokens with.
SIGNING_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)


@dataclass(frozen=True)
class OIDCSettings:
    issuer: str
    client_id: str
    client_secret: str
    provider_name: str = "single sign-on"
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    #: Claim that becomes the username of a new user (falls back to preferred_username, then sub).
    username_claim: str = "email"
    allowed_email_domains: frozenset[str] = frozenset()
    require_verified_email: bool = True
    required_groups: frozenset[str] = frozenset()
    allow_all_users: bool = False
    #: Claim holding the user's groups or roles; a dotted path reaches nested claims
    #: (Keycloak: ``realm_access.roles``).
    role_claim: str = "groups"
    admin_groups: frozenset[str] = frozenset()
    editor_groups: frozenset[str] = frozenset()
    default_role: str = "viewer"
    #: Where the provider sends the browser back; by default built from the request
    #: (``https://<host>/accounts/oidc/callback/``).
    redirect_uri: str = ""
    timeout: float = 5.0


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def require_https(url: str, name: str) -> None:
    """https only; plain http is allowed for a provider on this machine (tests, local Keycloak)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return
    raise ImproperlyConfigured(f"{name} must be an https:// URL (http:// only for localhost).")


def _groups(name: str, environ: Mapping[str, str] | None) -> frozenset[str]:
    return frozenset(env_list(name, environ=environ))


def load_oidc_settings(environ: Mapping[str, str] | None = None) -> OIDCSettings | None:
    issuer = env_str("OIDC_ISSUER", environ=environ).rstrip("/")
    if not issuer:
        stray = sorted(
            name
            for name in (
                "OIDC_CLIENT_ID",
                "OIDC_CLIENT_SECRET",
                "OIDC_ALLOWED_EMAIL_DOMAINS",
                "OIDC_REQUIRED_GROUPS",
            )
            if env_str(name, environ=environ)
        )
        if stray:
            raise ImproperlyConfigured(
                f"{', '.join(stray)} set but OIDC_ISSUER is not: single sign-on needs it."
            )
        return None
    require_https(issuer, "OIDC_ISSUER")
    client_id = env_str("OIDC_CLIENT_ID", environ=environ)
    client_secret = env_str("OIDC_CLIENT_SECRET", environ=environ)
    if not client_id or not client_secret:
        raise ImproperlyConfigured(
            "OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are needed too."
        )
    domains = frozenset(
        d.lower().lstrip("@") for d in env_list("OIDC_ALLOWED_EMAIL_DOMAINS", environ=environ)
    )
    required = _groups("OIDC_REQUIRED_GROUPS", environ)
    allow_all = env_bool("OIDC_ALLOW_ALL_USERS", False, environ=environ)
    if not (domains or required or allow_all):
        raise ImproperlyConfigured(
            "OIDC_ISSUER is set but nothing limits who may sign in: set OIDC_ALLOWED_EMAIL_DOMAINS "
            "(e.g. example.com), OIDC_REQUIRED_GROUPS, or OIDC_ALLOW_ALL_USERS=True if every account "
            "at this provider belongs to your team."
        )
    default_role = env_str("OIDC_DEFAULT_ROLE", "viewer", environ=environ)
    if default_role not in ROLES:
        raise ImproperlyConfigured(f"OIDC_DEFAULT_ROLE must be one of {', '.join(ROLES)}.")
    scopes = tuple(env_str("OIDC_SCOPES", "openid email profile", environ=environ).replace(",", " ").split())
    if "openid" not in scopes:
        scopes = ("openid", *scopes)
    redirect_uri = env_str("OIDC_REDIRECT_URI", environ=environ)
    if redirect_uri:
        require_https(redirect_uri, "OIDC_REDIRECT_URI")
    return OIDCSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=client_secret,
        provider_name=env_str("OIDC_PROVIDER_NAME", "single sign-on", environ=environ),
        scopes=scopes,
        username_claim=env_str("OIDC_USERNAME_CLAIM", "email", environ=environ),
        allowed_email_domains=domains,
        require_verified_email=env_bool("OIDC_REQUIRE_VERIFIED_EMAIL", True, environ=environ),
        required_groups=required,
        allow_all_users=allow_all,
        role_claim=env_str("OIDC_ROLE_CLAIM", "groups", environ=environ),
        admin_groups=_groups("OIDC_ADMIN_GROUPS", environ),
        editor_groups=_groups("OIDC_EDITOR_GROUPS", environ),
        default_role=default_role,
        redirect_uri=redirect_uri,
        timeout=env_float("OIDC_TIMEOUT", 5.0, minimum=0.5, environ=environ),
    )
