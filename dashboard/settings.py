"""Settings, read only from the environment (see README "Configuration").

Missing or malformed values stop the process at start with ``ImproperlyConfigured`` naming the
variable. Nothing secret has a default.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from dashboard.env import env_bool, env_float, env_int, env_list, env_path, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
#: The dashboard's own files (its SQLite database, a DEBUG run's secret key, the first admin's
#: credentials): var/ in a checkout; the `mastra-dashboard` command points it at a per-user directory.
VAR_DIR = env_path("MASTRA_DASHBOARD_DATA_DIR", str(BASE_DIR / "var"), base_dir=BASE_DIR)


def _bundled(name: str) -> Path:
    # A checkout keeps templates/ and static/ beside the package; the wheel carries them inside it.
    inside = Path(__file__).resolve().parent / name
    return inside if inside.is_dir() else BASE_DIR / name


TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        if len(key) < 50 or key.startswith("django-insecure-"):
            raise ImproperlyConfigured(
                "DJANGO_SECRET_KEY is too weak: use 50 or more random characters, e.g. "
                'python -c "import secrets; print(secrets.token_urlsafe(50))".'
            )
        return key
    if TESTING:
        return secrets.token_urlsafe(50)
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set (it is required unless DJANGO_DEBUG=True; in a checkout, "
            "`make run` generates a local key that manage.py commands use afterwards)."
        )
    # Local development: one random key per checkout, kept so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# [security] Key rotation: the previous key(s) keep sessions valid while everyone moves to the new one.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
if any(len(old) < 50 or old.startswith("django-insecure-") for old in SECRET_KEY_FALLBACKS):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY_FALLBACKS holds a weak key (50+ random characters each).")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(_origin).scheme not in ("http", "https"):
        raise ImproperlyConfigured(
            f"DJANGO_CSRF_TRUSTED_ORIGINS entry {_origin!r} needs a scheme, e.g. https://dash.example.com."
        )

# --- the Mastra store ---------------------------------------------------------------------------

CONVEX_URL = env_str("CONVEX_URL").rstrip("/")
CONVEX_ADMIN_KEY = env_str("CONVEX_ADMIN_KEY")
CONVEX_STORAGE_FUNCTION = env_str("CONVEX_STORAGE_FUNCTION", "mastra/storage:handle")
CONVEX_TIMEOUT = env_float("CONVEX_TIMEOUT", 10.0, minimum=0.1)
if CONVEX_URL and not CONVEX_ADMIN_KEY:
    raise ImproperlyConfigured("CONVEX_URL is set but CONVEX_ADMIN_KEY is not: the dashboard needs both.")
if CONVEX_ADMIN_KEY and not CONVEX_URL:
    raise ImproperlyConfigured("CONVEX_ADMIN_KEY is set but CONVEX_URL is not: the dashboard needs both.")
if CONVEX_URL and urlsplit(CONVEX_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured("CONVEX_URL must start with https:// (or http:// for a local deployment).")
if ":" not in CONVEX_STORAGE_FUNCTION:
    raise ImproperlyConfigured("CONVEX_STORAGE_FUNCTION must look like module/path:function.")

#: "convex" or "sqlite": which backend dashboard.core.store.get_store() builds.
STORE_BACKEND = "convex" if CONVEX_URL else "sqlite"
#: The demo store `make run` creates and fills; the one SQLite path that may be missing at start.
DEMO_SQLITE_PATH = VAR_DIR / "mastra.db"
# Tests never touch the developer's var/mastra.db (their fixtures install a temporary store).
_default_sqlite = (
    Path(tempfile.gettempdir()) / f"mastra-dashboard-test-{os.getpid()}.db" if TESTING else DEMO_SQLITE_PATH
)
# Any other path must exist: a typo would otherwise open a new, empty store that reports healthy.
MASTRA_SQLITE_PATH = env_path(
    "MASTRA_SQLITE_PATH",
    str(_default_sqlite),
    base_dir=BASE_DIR,
    must_exist=STORE_BACKEND == "sqlite",
    may_create=(DEMO_SQLITE_PATH, _default_sqlite),
    what="SQLite file",
)

# --- the Mastra server (run actions) ------------------------------------------------------------

# Optional: with it, editors can resume, cancel and re-run workflow runs through the team's Mastra
# server (dashboard/workflows/mastra_server.py); without it the run pages are read-only.
MASTRA_SERVER_URL = env_str("MASTRA_SERVER_URL").rstrip("/")
MASTRA_SERVER_API_PREFIX = "/" + env_str("MASTRA_SERVER_API_PREFIX", "/api").strip("/")
#: Sent as ``<header>: Bearer <token>`` for Authorization, else as ``<header>: <token>``. Never shown,
#: logged or sent to a browser (like the Convex admin key).
MASTRA_SERVER_TOKEN = env_str("MASTRA_SERVER_TOKEN")
MASTRA_SERVER_AUTH_HEADER = env_str("MASTRA_SERVER_AUTH_HEADER", "Authorization")
MASTRA_SERVER_TIMEOUT = env_float("MASTRA_SERVER_TIMEOUT", 10.0, minimum=0.1)
if MASTRA_SERVER_URL and urlsplit(MASTRA_SERVER_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured("MASTRA_SERVER_URL must start with https:// (or http:// for a local server).")
if MASTRA_SERVER_TOKEN and not MASTRA_SERVER_URL:
    raise ImproperlyConfigured("MASTRA_SERVER_TOKEN is set but MASTRA_SERVER_URL is not: set both.")

# --- the dashboard's own index (dashboard/search, DESIGN 5b) --------------------------------------

#: Seconds between polls of `manage.py index --follow`.
SEARCH_INDEX_INTERVAL = env_float("SEARCH_INDEX_INTERVAL", 1.0, minimum=0.1)
#: How long a search may spend indexing first when no indexer is running (0: never; say how far
#: behind the index is instead).
SEARCH_CATCH_UP_SECONDS = env_float("SEARCH_CATCH_UP_SECONDS", 1.0, minimum=0.0)

# --- Django -------------------------------------------------------------------------------------

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    # [security] Django's admin, narrowed to user management for the admin role (accounts/admin_site.py).
    "dashboard.accounts.admin_config.DashboardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "dashboard.core",
    "dashboard.accounts",
    "dashboard.threads",
    "dashboard.resources",
    "dashboard.audit",
    "dashboard.memory_editor",
    "dashboard.scores",
    "dashboard.reviews",
    "dashboard.workflows",
    "dashboard.health",
    "dashboard.vectors",
    "dashboard.preferences",
    "dashboard.search",
    "dashboard.aggregates",
    "dashboard.tools",
    "dashboard.demo",
]

MIDDLEWARE = [
    # [security] Outermost: the security headers also on static files and on responses the middleware
    # below answers early (a bad Host's 400).
    "dashboard.security_headers.SecurityHeadersMiddleware",
    # [operations] Counts and times every request by view (/metrics), whoever answers it below.
    "dashboard.core.metrics.MetricsMiddleware",
    # [serving] /healthz for probes that connect by IP over http (before host checks and redirects).
    "dashboard.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # [rendering] Times in the user's zone (their preference, else their browser's, else TIME_ZONE).
    "dashboard.preferences.middleware.TimeZoneMiddleware",
    # [security] Django's LoginRequiredMiddleware plus HX-Redirect for htmx and authz_fail logging.
    "dashboard.accounts.middleware.LoginRequiredMiddleware",
    # [rendering] A signed-in user's roles and permissions in one query, before any has_perm.
    "dashboard.accounts.access.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.core.middleware.StoreErrorMiddleware",
    # [rendering] No page spends more than a bounded time turning stored Markdown into HTML.
    "dashboard.core.render_budget.RenderBudgetMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [_bundled("templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.core.context_processors.dashboard",
                "dashboard.accounts.context_processors.roles",
                "dashboard.preferences.context_processors.preferences",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dashboard.sqlite3'}"), base_dir=BASE_DIR
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and not TESTING:
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # [security/serving] Reuse a connection per worker thread for a minute, checked before reuse.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_DB_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# [security] "shared" is seen by every worker and host (a table in the dashboard's database, made by
# migrate). "default" stays per process. (The sign-in limits count in a table of their own: this
# backend's incr() is a read and a write, not one atomic step.)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "dashboard_cache"},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Test users are created by the hundred; the production hasher costs ~0.5 s each.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:overview"
LOGOUT_REDIRECT_URL = "accounts:login"
# [security] Optional single sign-on (OpenID Connect) from OIDC_* variables; None when off.
from dashboard.accounts.oidc_config import load_oidc_settings  # noqa: E402

OIDC = load_oidc_settings()

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

# --- static files -------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [_bundled("static")]
# The manifest storage needs `collectstatic` first; DEBUG runs and tests serve straight from static/.
_plain_static = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if _plain_static
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = _plain_static
WHITENOISE_AUTOREFRESH = _plain_static

# --- security -----------------------------------------------------------------------------------

# Plain-http deploys (a LAN box without TLS) may turn this off; DEBUG runs have it off already.
_secure_cookies = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = _secure_cookies
CSRF_COOKIE_SECURE = _secure_cookies
SESSION_COOKIE_HTTPONLY = True
# [security] Explicit (Django's default): cookies go with top-level navigations only, never cross-site POSTs.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# [security] No script reads the CSRF cookie: the token reaches htmx through hx-headers in base.html.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Behind a TLS-terminating proxy that overwrites X-Forwarded-Proto (never set it otherwise: Django
# then trusts that header from anyone).
if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# [security] How many proxies in front append to X-Forwarded-For (0: use the peer address); the login
# rate limits count per client address.
NUM_PROXIES = env_int("DJANGO_NUM_PROXIES", 0, minimum=0)

# Scripts only from our own static files, each tag carrying the per-request nonce; no inline style,
# no eval. Images may be https: or data: because messages carry image attachments.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- what needs attention (the overview's lanes and /health/) ---------------------------------------

#: A running (or pending/waiting) run whose snapshot has not been saved for this long "may be stuck":
#: its page stops refreshing and the overview lists it. Mastra saves at every step boundary, so only
#: a step running longer than this (a slow tool, a crashed server) crosses it.
ATTENTION_RUN_STUCK_MINUTES = env_int("DASHBOARD_RUN_STUCK_MINUTES", 60, minimum=1)
#: A suspended run waiting this long for a resume is listed among those waiting longest.
ATTENTION_SUSPENDED_HOURS = env_int("DASHBOARD_SUSPENDED_HOURS", 24, minimum=1)
#: A scorer whose mean over the last 7 days moved the wrong way by more than this (in score units)
#: against the 7 days before is a regression.
ATTENTION_SCORE_DROP = env_float("DASHBOARD_SCORE_DROP", 0.05, minimum=0.0)
#: A record larger than this share of the store's document limit (Convex: 1 MiB) is "close to it".
ATTENTION_DOCUMENT_SHARE = env_float("DASHBOARD_DOCUMENT_SHARE", 0.8, minimum=0.01)
if ATTENTION_DOCUMENT_SHARE > 1:
    raise ImproperlyConfigured("DASHBOARD_DOCUMENT_SHARE must be a share between 0.01 and 1, e.g. 0.8.")
#: A tool whose calls of the last 7 days (from the search index) failed at least this often, in at
#: least ATTENTION_TOOL_MIN_FAILURES calls, is "failing".
ATTENTION_TOOL_FAILURE_RATE = env_float("DASHBOARD_TOOL_FAILURE_RATE", 0.1, minimum=0.0)
if ATTENTION_TOOL_FAILURE_RATE > 1:
    raise ImproperlyConfigured("DASHBOARD_TOOL_FAILURE_RATE must be a share between 0 and 1, e.g. 0.1.")
ATTENTION_TOOL_MIN_FAILURES = env_int("DASHBOARD_TOOL_MIN_FAILURES", 3, minimum=1)

# --- operations: logs, metrics, error reports ---------------------------------------------------

#: "plain" lines, or "json": one object per line for a log shipper (dashboard/log_format.py).
LOG_FORMATTERS = {
    "plain": "dashboard.log_format.PlainFormatter",
    "json": "dashboard.log_format.JsonFormatter",
}
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "plain").lower()
if LOG_FORMAT not in LOG_FORMATTERS:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT={LOG_FORMAT!r} is not a log format: use plain or json.")

#: A bearer token that lets a Prometheus scraper read /metrics (admins read it signed in).
METRICS_TOKEN = env_str("METRICS_TOKEN")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured(
        "METRICS_TOKEN is too short: use 32 or more random characters, e.g. "
        'python -c "import secrets; print(secrets.token_urlsafe(32))".'
    )
#: Where the search index reports its state (asked by name: core imports no area). Absent: no lag.
METRICS_INDEX_STATUS = "dashboard.search.indexer.status"

#: Error reports to Sentry (or a compatible service) when set; the admin key is scrubbed first.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from dashboard.error_reports import start_error_reports  # noqa: E402

    start_error_reports(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Both formats blank the admin key out of the whole line, traceback included.
    "formatters": {"line": {"()": LOG_FORMATTERS[LOG_FORMAT]}},
    # Expected refusals (403, 404, CSRF, 429, a bad Host) as one line each, without a traceback.
    "filters": {"refusals": {"()": "dashboard.accounts.request_log.RefusalsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO").upper()},
    "loggers": {
        # httpx logs every request URL at INFO; keep that out of production logs.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
