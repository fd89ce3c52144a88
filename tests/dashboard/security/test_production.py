"""Production settings and serving, each in a fresh process with only a deploy's environment:
``check --deploy`` is clean, static files are collected into hashed, compressed files that WhiteNoise
serves for a year, and gunicorn with gunicorn.conf.py serves the site."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from django.core import checks
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "p" * 10 + "-a-long-random-production-secret-key-for-tests-0123456789"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    (tmp_path / "mastra.db").touch()  # a store path must exist (only the demo store may be created)
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_SECRET_KEY": GOOD_KEY,
        "DJANGO_ALLOWED_HOSTS": "dash.example.com,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/dashboard.sqlite3",
        "MASTRA_SQLITE_PATH": str(tmp_path / "mastra.db"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "staticfiles"),
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


TLS = {
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_PRELOAD": "True",
    "DJANGO_SECURE_SSL_REDIRECT": "True",
    "DJANGO_TRUST_X_FORWARDED_PROTO": "True",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://dash.example.com",
}


def test_check_deploy_finds_nothing_with_a_production_environment(tmp_path):
    result = manage(production_env(tmp_path, **TLS), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_what_a_plain_http_deploy_gives_up(tmp_path):
    # Without the TLS opt-ins: the HSTS and redirect warnings, nothing else.
    result = manage(production_env(tmp_path), "check", "--deploy")
    ids = sorted({word.strip(":()") for word in result.stderr.split() if word.startswith("(security.")})
    assert ids == ["security.W004", "security.W008"], result.stderr


def test_the_project_checks_guard_the_security_settings(settings, db):  # (JSONField checks ask the DB)
    def ids(**kwargs: object) -> set[str]:
        return {message.id for message in checks.run_checks(include_deployment_checks=True, **kwargs)}

    assert not {i for i in ids() if i and i.startswith("dashboard.")}
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "LoginRequired" not in m]
    assert "dashboard.E001" in ids()
    settings.MIDDLEWARE = settings.MIDDLEWARE + ["dashboard.accounts.middleware.LoginRequiredMiddleware"]
    settings.SECURE_CSP = {**settings.SECURE_CSP, "script-src": ["'self'", "'unsafe-inline'"]}
    assert "dashboard.E002" in ids()
    settings.SECURE_CSP = {**settings.SECURE_CSP, "script-src": ["'self'"], "frame-ancestors": ["'self'"]}
    assert "dashboard.E002" in ids()
    settings.CACHES = {"default": settings.CACHES["default"]}
    assert "dashboard.E003" in ids()


def test_an_admin_key_sent_over_plain_http_is_flagged(settings, db):
    settings.CONVEX_URL = "http://convex.internal.example:3210"
    found = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert "dashboard.W004" in found
    settings.CONVEX_URL = "http://127.0.0.1:3210"
    assert "dashboard.W004" not in {m.id for m in checks.run_checks(include_deployment_checks=True)}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is not set"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY is too weak"),
        ({"DJANGO_SECRET_KEY_FALLBACKS": "old-and-short"}, "DJANGO_SECRET_KEY_FALLBACKS holds a weak key"),
        ({"OIDC_ISSUER": "https://sso.example.com"}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
    ],
)
def test_a_production_start_refuses_weak_or_incomplete_secrets(tmp_path, env, message):
    # What gunicorn does first: load dashboard.wsgi (manage.py in a checkout may use the local key
    # `make run` generated; serving never does).
    result = subprocess.run(
        [sys.executable, "-c", "import dashboard.wsgi"],
        cwd=ROOT,
        env=production_env(tmp_path) | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY is too weak"),
        ({"OIDC_ISSUER": "https://sso.example.com"}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
    ],
)
def test_a_management_command_refuses_them_in_one_line(tmp_path, env, message):
    result = manage(production_env(tmp_path) | env, "migrate")
    assert result.returncode == 1
    assert result.stderr.startswith("manage.py: ") and message in result.stderr
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr


def test_a_rotated_secret_key_keeps_sessions_while_the_old_one_is_a_fallback(vera, settings):
    kept, dropped = Client(), Client()
    kept.force_login(vera)
    dropped.force_login(vera)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "n" * 60
    settings.SECRET_KEY_FALLBACKS = [old]
    # Signed in under the old key: still signed in (and the session moves to the new key).
    assert kept.get("/threads/").status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert kept.get("/threads/").status_code == 200
    # A session not used while the old key was a fallback is over once it is gone.
    assert dropped.get("/threads/").status_code == 302


# --- static files --------------------------------------------------------------------------------

SERVE_STATIC = r"""
import json, re, django
django.setup()
from django.conf import settings
from django.templatetags.static import static
from django.test import Client
client = Client(HTTP_HOST="dash.example.com")
out = {"storage": settings.STORAGES["staticfiles"]["BACKEND"], "files": {}}
for name in ("css/app.css", "vendor/htmx.org-2.0.11/htmx.min.js", "js/app.js"):
    url = static(name)
    plain = client.get(url)
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    out["files"][name] = {
        "url": url, "status": plain.status_code, "cache": plain.get("Cache-Control"),
        "nosniff": plain.get("X-Content-Type-Options"), "gzip": gz.get("Content-Encoding"),
        "frames": plain.get("X-Frame-Options"), "csp": plain.get("Content-Security-Policy"),
        "body": b"".join(plain.streaming_content).decode("utf-8", "replace")[:200],
    }
login = client.get("/accounts/login/", secure=True)
out["login_static"] = {
    url: client.get(url).status_code
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', login.content.decode())
}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path)
    result = manage(env, "collectstatic", "--noinput")
    assert result.returncode == 0, result.stderr
    return tmp_path, env


def test_collectstatic_writes_hashed_and_compressed_files(collected):
    tmp_path, _ = collected
    root = tmp_path / "staticfiles"
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/app.css"]
    assert hashed != "css/app.css" and hashed.startswith("css/app.") and hashed.endswith(".css")
    assert (root / hashed).is_file()
    assert (root / f"{hashed}.gz").is_file()
    # The admin's files are collected too (the user management pages need them).
    assert "admin/css/base.css" in manifest


def test_whitenoise_serves_the_hashed_files_for_a_year_and_compressed(collected):
    tmp_path, env = collected
    result = subprocess.run(
        [sys.executable, "-c", SERVE_STATIC], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.splitlines()[-1])
    assert out["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    for name, served in out["files"].items():
        assert served["url"] != f"/static/{name}", f"{name} is not served under a hashed name"
        assert served["status"] == 200, name
        assert "immutable" in served["cache"] and "max-age=315360000" in served["cache"], served
        assert served["gzip"] == "gzip", name
        assert served["nosniff"] == "nosniff", name
        assert served["frames"] == "DENY", name
        assert "frame-ancestors 'none'" in served["csp"], name
    assert out["files"]["css/app.css"]["body"].strip()
    assert out["login_static"] and set(out["login_static"].values()) == {200}, out["login_static"]


# --- gunicorn --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def run_gunicorn(collected: tuple[Path, dict[str, str]], **extra: str) -> Iterator[str]:
    tmp_path, env = collected
    port = _free_port()
    env = env | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        **extra,
    }
    assert manage(env, "migrate", "--noinput").returncode == 0
    # The server's log, for tests that count what it did (gunicorn.log next to the database).
    log = open(tmp_path / "gunicorn.log", "ab")  # noqa: SIM115 (closed with the server below)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not answer within 30 s")
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def gunicorn(collected) -> Iterator[str]:
    with run_gunicorn(collected) as url:
        yield url


@pytest.mark.slow
def test_gunicorn_serves_the_dashboard_with_the_shipped_config(gunicorn):
    with httpx.Client(base_url=gunicorn, timeout=10) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/healthz", params={"ready": "1"}).json() == {"status": "ready"}
        # A probe by IP address with a Host the site does not serve still gets its answer.
        assert client.get("/healthz", headers={"Host": "10.1.2.3:8000"}).status_code == 200
        page = client.get("/threads/")
        assert page.status_code == 302
        assert page.headers["location"] == "/accounts/login/?next=/threads/"
        login = client.get("/accounts/login/")
        assert login.status_code == 200
        assert "script-src 'self' 'nonce-" in login.headers["content-security-policy"]
        bad_host = client.get("/accounts/login/", headers={"Host": "evil.example"})
        assert bad_host.status_code == 400
        assert bad_host.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in bad_host.headers["content-security-policy"]
        css = login.text.split('href="/static/css/app.')[1].split('"')[0]
        assert client.get(f"/static/css/app.{css}").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize(("allowed", "status"), [("127.0.0.1", 200), ("192.0.2.10", 301)])
def test_only_the_configured_proxy_may_claim_https(collected, allowed, status):
    # The recommended set-up behind a TLS proxy: gunicorn believes X-Forwarded-Proto only from the
    # proxy's address (GUNICORN_FORWARDED_ALLOW_IPS) and Django takes the scheme from gunicorn.
    with run_gunicorn(
        collected, GUNICORN_FORWARDED_ALLOW_IPS=allowed, DJANGO_SECURE_SSL_REDIRECT="True"
    ) as url:
        response = httpx.get(f"{url}/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == status
    if status == 200:
        assert response.headers["set-cookie"].count("Secure") >= 1
