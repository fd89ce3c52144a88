"""OpenID Connect sign-in: the authorization-code flow with PKCE, on httpx and PyJWT.

``start(request)`` remembers a fresh ``state``, ``nonce`` and PKCE verifier in the session and sends
the browser to the provider. ``finish(request)`` takes the provider's answer: the ``state`` must be
one we issued (in this session, less than ten minutes ago, used once), the code is exchanged with the
verifier and our client credentials, and the ID token must be signed by a key from the provider's
JWKS with an asymmetric algorithm, issued by our issuer, for our client id (``azp`` too when it has
several audiences), unexpired, and carry our ``nonce``. Only then are the claims looked at: may this
person sign in at all (email domain, groups), which user are they (by ``sub``), and which role do
their groups give them. The role is set again at every sign-in: the provider is the source of truth.

No token, code or secret is ever logged or shown; errors name what failed, not what was sent.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .addresses import client_ip
from .models import OIDCIdentity
from .oidc_config import SIGNING_ALGORITHMS, OIDCSettings, require_https
from .roles import set_role
from .sign_in_audit import record_failed_sign_in

security_log = logging.getLogger("dashboard.security")

SESSION_KEY = "oidc_flows"
#: How long a started sign-in may take at the provider.
FLOW_MAX_AGE = 600
#: Sign-ins in progress kept per session (several tabs); the oldest is dropped beyond this.
MAX_FLOWS = 5
DISCOVERY_TTL = 3600
CLOCK_SKEW = 60


class OIDCError(Exception):
    """A sign-in that cannot go on. ``message`` is for the person; ``status`` for the response."""

    def __init__(self, message: str, *, status: int = 400, log: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.log = log or message


def config() -> OIDCSettings | None:
    return getattr(settings, "OIDC", None)


# --- the provider's metadata -----------------------------------------------------------------------


@dataclass
class _Provider:
    metadata: dict[str, Any]
    fetched_at: float
    jwks: jwt.PyJWKSet | None = None
    jwks_fetched_at: float = 0.0


_providers: dict[str, _Provider] = {}
_lock = threading.Lock()


@receiver(setting_changed)
def _forget_providers(*, setting: str, **kwargs: Any) -> None:
    if setting == "OIDC":
        forget_providers()


def forget_providers() -> None:
    with _lock:
        _providers.clear()


def _http(cfg: OIDCSettings) -> httpx.Client:
    # No redirects: a provider endpoint that redirects is misconfigured, and following one could
    # send our client secret somewhere else.
    return httpx.Client(timeout=cfg.timeout, follow_redirects=False, headers={"Accept": "application/json"})


def _get_json(cfg: OIDCSettings, url: str, what: str) -> dict[str, Any]:
    try:
        with _http(cfg) as client:
            response = client.get(url)
    except httpx.HTTPError as exc:
        raise OIDCError(
            "The sign-in provider could not be reached. Try again in a moment.",
            status=502,
            log=f"{what}: {type(exc).__name__}",
        ) from None
    return _json_body(response, what)


def _json_body(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code != 200:
        raise OIDCError(
            "The sign-in provider answered with an error. Try again, or ask an admin to check the "
            "single sign-on settings.",
            status=502,
            log=f"{what}: HTTP {response.status_code}",
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise OIDCError(
            "The sign-in provider sent an unreadable answer.", status=502, log=f"{what}: not a JSON object"
        )
    return body


def _provider(cfg: OIDCSettings) -> _Provider:
    now = time.monotonic()
    with _lock:
        cached = _providers.get(cfg.issuer)
    if cached is not None and now - cached.fetched_at < DISCOVERY_TTL:
        return cached
    metadata = _get_json(cfg, f"{cfg.issuer}/.well-known/openid-configuration", "discovery")
    if str(metadata.get("issuer", "")).rstrip("/") != cfg.issuer:
        raise OIDCError(
            "Single sign-on is misconfigured (the provider names another issuer).",
            status=502,
            log="discovery: the document's issuer differs from OIDC_ISSUER",
        )
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = metadata.get(field)
        if not isinstance(value, str) or not value:
            raise OIDCError("Single sign-on is misconfigured.", status=502, log=f"discovery: no {field}")
        try:
            require_https(value, field)
        except Exception:
            raise OIDCError(
                "Single sign-on is misconfigured.", status=502, log=f"discovery: {field} is not https"
            ) from None
    provider = _Provider(metadata, now)
    with _lock:
        _providers[cfg.issuer] = provider
    return provider


def _signing_key(cfg: OIDCSettings, provider: _Provider, kid: str | None) -> jwt.PyJWK:
    def find() -> jwt.PyJWK | None:
        if provider.jwks is None:
            return None
        keys = [key for key in provider.jwks.keys if kid is None or key.key_id == kid]
        signing = [key for key in keys if getattr(key, "public_key_use", None) in (None, "sig")]
        return signing[0] if len(signing) == 1 or (signing and kid is not None) else None

    key = find()
    # An unknown key id means the provider rotated its keys: fetch them again. (Tokens come only
    # from the provider's token endpoint, over our own connection, so nobody else can make us
    # refetch.)
    if key is None:
        data = _get_json(cfg, provider.metadata["jwks_uri"], "jwks")
        try:
            provider.jwks = jwt.PyJWKSet.from_dict(data)
        except jwt.PyJWTError:
            raise OIDCError(
                "The sign-in provider's keys are unreadable.", status=502, log="jwks: unusable key set"
            ) from None
        provider.jwks_fetched_at = time.monotonic()
        key = find()
    if key is None:
        raise OIDCError(
            "The sign-in could not be verified.",
            status=400,
            log="id_token: signed with a key not in the provider's JWKS",
        )
    return key


# --- the flow ------------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def redirect_uri(request: HttpRequest, cfg: OIDCSettings) -> str:
    return cfg.redirect_uri or request.build_absolute_uri(reverse("accounts:oidc_callback"))


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(reverse(settings.LOGIN_REDIRECT_URL))


def start(request: HttpRequest) -> str:
    """Remember a new flow in the session; the provider's authorization URL to send the browser to."""
    cfg = config()
    if cfg is None:
        raise OIDCError("Single sign-on is not set up.", status=404)
    provider = _provider(cfg)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    flows: dict[str, dict[str, Any]] = dict(request.session.get(SESSION_KEY) or {})
    flows[state] = {
        "nonce": nonce,
        "verifier": verifier,
        "next": _safe_next(request, request.GET.get("next")),
        "started": time.time(),
    }
    while len(flows) > MAX_FLOWS:
        flows.pop(min(flows, key=lambda s: flows[s]["started"]))
    request.session[SESSION_KEY] = flows
    query = {
        "response_type": "code",
        "client_id": cfg.client_id,
        "redirect_uri": redirect_uri(request, cfg),
        "scope": " ".join(cfg.scopes),
        "state": state,
        "nonce": nonce,
        "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    endpoint = provider.metadata["authorization_endpoint"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


@dataclass(frozen=True)
class SignIn:
    user: Any
    next_url: str
    role: str


def finish(request: HttpRequest) -> SignIn:
    """Check the provider's answer and return the user to sign in (created or updated)."""
    cfg = config()
    if cfg is None:
        raise OIDCError("Single sign-on is not set up.", status=404)
    params = request.GET
    flows: dict[str, dict[str, Any]] = dict(request.session.get(SESSION_KEY) or {})
    state = params.get("state", "")
    flow = flows.pop(state, None) if state else None
    # Used once, whatever happens next.
    request.session[SESSION_KEY] = flows
    if flow is None:
        raise OIDCError(
            "This sign-in link has expired or was already used. Start again.", log="callback: unknown state"
        )
    if time.time() - float(flow["started"]) > FLOW_MAX_AGE:
        raise OIDCError(
            "This sign-in took too long. Start again.", log="callback: flow older than 10 minutes"
        )
    if params.get("error"):
        # Provider-chosen text: shown escaped by the template, bounded here.
        error = str(params.get("error"))[:64]
        raise OIDCError(
            f"The sign-in provider did not sign you in ({error}).",
            status=403,
            log=f"callback: provider error {error!r}",
        )
    code = params.get("code", "")
    if not code:
        raise OIDCError(
            "The sign-in provider sent no authorization code. Start again.", log="callback: no code"
        )

    provider = _provider(cfg)
    tokens = _exchange(cfg, provider, request, code, flow["verifier"])
    claims = _validate_id_token(cfg, provider, tokens.get("id_token"), flow["nonce"])
    user, role = _user_for(cfg, claims)
    return SignIn(user, flow["next"], role)


def _exchange(
    cfg: OIDCSettings, provider: _Provider, request: HttpRequest, code: str, verifier: str
) -> dict[str, Any]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(request, cfg),
        "code_verifier": verifier,
    }
    methods = provider.metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth: httpx.BasicAuth | None = None
    if "client_secret_basic" in methods:
        # RFC 6749 §2.3.1: form-encode id and secret before the Basic encoding.
        auth = httpx.BasicAuth(urlencode({"": cfg.client_id})[1:], urlencode({"": cfg.client_secret})[1:])
    elif "client_secret_post" in methods:
        form |= {"client_id": cfg.client_id, "client_secret": cfg.client_secret}
    else:
        raise OIDCError(
            "Single sign-on is misconfigured.",
            status=502,
            log="token: the provider supports neither client_secret_basic nor client_secret_post",
        )
    try:
        with _http(cfg) as client:
            response = client.post(provider.metadata["token_endpoint"], data=form, auth=auth)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise OIDCError(
            "The sign-in provider could not be reached. Try again in a moment.",
            status=502,
            log=f"token: {type(exc).__name__}",
        ) from None
    if response.status_code in (400, 401):
        # invalid_grant (a code used twice, a wrong verifier) or invalid_client.
        error = ""
        with contextlib.suppress(ValueError, AttributeError):
            error = str(response.json().get("error", ""))[:64]
        raise OIDCError(
            "The sign-in provider refused the sign-in. Start again.",
            status=403,
            log=f"token: refused ({error or response.status_code})",
        )
    return _json_body(response, "token")


def _validate_id_token(cfg: OIDCSettings, provider: _Provider, token: Any, nonce: str) -> dict[str, Any]:
    fail = "The sign-in could not be verified. Start again."
    if not isinstance(token, str) or not token:
        raise OIDCError(fail, log="token: no id_token in the token response", status=502)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise OIDCError(fail, log="id_token: not a JWT") from None
    offered = provider.metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    allowed = [alg for alg in SIGNING_ALGORITHMS if alg in offered]
    algorithm = header.get("alg")
    if algorithm not in allowed:
        raise OIDCError(fail, log=f"id_token: algorithm {str(algorithm)[:16]!r} not accepted")
    key = _signing_key(cfg, provider, header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=[algorithm],
            audience=cfg.client_id,
            issuer=cfg.issuer,
            leeway=CLOCK_SKEW,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise OIDCError(fail, log="id_token: expired") from None
    except jwt.InvalidAudienceError:
        raise OIDCError(fail, log="id_token: issued for another client") from None
    except jwt.InvalidIssuerError:
        raise OIDCError(fail, log="id_token: issued by another issuer") from None
    except jwt.InvalidSignatureError:
        raise OIDCError(fail, log="id_token: bad signature") from None
    except jwt.PyJWTError as exc:
        raise OIDCError(fail, log=f"id_token: invalid ({type(exc).__name__})") from None
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != cfg.client_id:
        raise OIDCError(fail, log="id_token: several audiences and azp is not our client")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce):
        raise OIDCError(fail, log="id_token: nonce does not match this sign-in")
    return claims


# --- who may sign in, as whom, with which role ------------------------------------------------------


def claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def groups_of(claims: Mapping[str, Any], path: str) -> frozenset[str]:
    value = claim(claims, path)
    if isinstance(value, str):
        return frozenset(value.replace(",", " ").split())
    if isinstance(value, list):
        return frozenset(item for item in value if isinstance(item, str))
    return frozenset()


def refusal(cfg: OIDCSettings, claims: Mapping[str, Any]) -> str | None:
    """Why these claims may not sign in, or ``None`` when they may."""
    if cfg.allow_all_users:
        return None
    email = claims.get("email")
    if cfg.allowed_email_domains and isinstance(email, str) and "@" in email:
        domain = email.rsplit("@", 1)[1].lower()
        verified = claims.get("email_verified") is True or not cfg.require_verified_email
        if domain in cfg.allowed_email_domains and verified:
            return None
    if cfg.required_groups and groups_of(claims, cfg.role_claim) & cfg.required_groups:
        return None
    return "your account at the provider is not one this dashboard admits (email domain or group)"


def role_for(cfg: OIDCSettings, claims: Mapping[str, Any]) -> str:
    groups = groups_of(claims, cfg.role_claim)
    if groups & cfg.admin_groups:
        return "admin"
    if groups & cfg.editor_groups:
        return "editor"
    return cfg.default_role


def _username(cfg: OIDCSettings, claims: Mapping[str, Any]) -> str:
    for name in (cfg.username_claim, "preferred_username", "email", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:150]
    return str(claims["sub"])[:150]


def _user_for(cfg: OIDCSettings, claims: dict[str, Any]) -> tuple[Any, str]:
    subject = str(claims["sub"])
    why_not = refusal(cfg, claims)
    if why_not:
        raise OIDCError(
            f"You cannot sign in to this dashboard: {why_not}. Ask an admin if you should have access.",
            status=403,
            log=f"claims refused for sub={subject[:64]!r}",
        )
    role = role_for(cfg, claims)
    User = get_user_model()
    with transaction.atomic():
        identity = (
            OIDCIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=cfg.issuer, subject=subject)
            .first()
        )
        if identity is None:
            username = _username(cfg, claims)
            if User.objects.filter(username__iexact=username).exists():
                raise OIDCError(
                    f"A dashboard account named {username!r} exists already and is not linked to your "
                    "single sign-on identity. Ask an admin to rename or remove that account.",
                    status=403,
                    log=f"username {username[:64]!r} taken by a local account",
                )
            user = User.objects.create_user(username=username)  # no usable password
            identity = OIDCIdentity.objects.create(user=user, issuer=cfg.issuer, subject=subject)
            security_log.info("authn_user_created user=%r via=oidc role=%s", username, role)
        user = identity.user
        if not user.is_active:
            raise OIDCError(
                "Your dashboard account is deactivated. Ask an admin.",
                status=403,
                log=f"inactive user {user.get_username()!r}",
            )
        changed = []
        for field, value in (
            ("email", claims.get("email")),
            ("first_name", claims.get("given_name")),
            ("last_name", claims.get("family_name")),
        ):
            limit = User._meta.get_field(field).max_length or 150
            if isinstance(value, str) and getattr(user, field) != value[:limit]:
                setattr(user, field, value[:limit])
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        set_role(user, role)
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["last_login_at"])
    return user, role


def log_failure(request: HttpRequest, error: OIDCError) -> None:
    security_log.warning("authn_login_fail via=oidc ip=%s reason=%s", client_ip(request), error.log)
    record_failed_sign_in(request, "", f"single sign-on: {error.message}"[:200])
