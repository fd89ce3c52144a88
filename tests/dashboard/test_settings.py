"""dashboard/settings.py as a deploy meets it: a fresh process with only the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-this-is-a-long-random-production-secret-key-0123456789"

PRINT_SETTINGS = """
from django.conf import settings
print(settings.STORE_BACKEND, settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.DATABASES["default"]["ENGINE"])
"""


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a new interpreter with exactly these variables (plus PATH)."""
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/dash.sqlite3",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{PRINT_SETTINGS}"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_load_with_a_secret_key(tmp_path):
    result = load_settings(tmp_path, DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "False", "True", "django.db.backends.sqlite3"]


def test_a_missing_secret_key_stops_a_production_start(tmp_path):
    result = load_settings(tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_weak_secret_key_is_refused(tmp_path):
    result = load_settings(tmp_path, DJANGO_SECRET_KEY="django-insecure-abc")
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_debug_runs_keep_a_generated_secret_key_out_of_the_repository(tmp_path):
    # DEBUG without a key generates one into var/secret_key (already there on a developer machine).
    result = load_settings(tmp_path, DJANGO_DEBUG="True")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["sqlite", "True", "False"]
    assert (ROOT / "var" / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CONVEX_URL": "https://happy-otter-123.convex.cloud"}, "CONVEX_ADMIN_KEY"),
        ({"CONVEX_ADMIN_KEY": "prod:happy-otter-123|abc"}, "CONVEX_URL"),
        (
            {"CONVEX_URL": "happy-otter-123.convex.cloud", "CONVEX_ADMIN_KEY": "k"},
            "CONVEX_URL must start with https://",
        ),
        ({"CONVEX_TIMEOUT": "ten"}, "CONVEX_TIMEOUT"),
        ({"DJANGO_DEBUG": "yes please"}, "DJANGO_DEBUG"),
        ({"DATABASE_URL": "mysql://db/dash"}, "DATABASE_URL"),
        ({"DJANGO_CSRF_TRUSTED_ORIGINS": "dash.example.com"}, "DJANGO_CSRF_TRUSTED_ORIGINS"),
        ({"DASHBOARD_RUN_STUCK_MINUTES": "an hour"}, "DASHBOARD_RUN_STUCK_MINUTES"),
        ({"DASHBOARD_SUSPENDED_HOURS": "0"}, "DASHBOARD_SUSPENDED_HOURS"),
        ({"DASHBOARD_SCORE_DROP": "-0.1"}, "DASHBOARD_SCORE_DROP"),
        ({"DASHBOARD_DOCUMENT_SHARE": "80%"}, "DASHBOARD_DOCUMENT_SHARE"),
        ({"DASHBOARD_DOCUMENT_SHARE": "2"}, "DASHBOARD_DOCUMENT_SHARE must be a share"),
    ],
)
def test_a_bad_setting_stops_the_start_naming_the_variable(tmp_path, env, named):
    result = load_settings(tmp_path, DJANGO_SECRET_KEY=GOOD_KEY, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_convex_url_and_key_select_the_convex_store_without_printing_the_key(tmp_path):
    key = "prod:happy-otter-123|convex-SENTINEL-settings"
    result = load_settings(
        tmp_path,
        DJANGO_SECRET_KEY=GOOD_KEY,
        CONVEX_URL="https://happy-otter-123.convex.cloud",
        CONVEX_ADMIN_KEY=key,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "convex"
    assert key not in result.stdout + result.stderr


def test_plain_http_deploys_can_turn_secure_cookies_off(tmp_path):
    result = load_settings(tmp_path, DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_SECURE_COOKIES="False")
    assert result.stdout.split()[2] == "False"


def test_the_deploy_checklist_passes_with_tls_settings(tmp_path):
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/dash.sqlite3",
        "DJANGO_SECRET_KEY": GOOD_KEY,
        "DJANGO_ALLOWED_HOSTS": "dash.example.com",
        "DJANGO_HSTS_SECONDS": "31536000",
        "DJANGO_SECURE_SSL_REDIRECT": "True",
        "DJANGO_TRUST_X_FORWARDED_PROTO": "True",
        "MASTRA_SQLITE_PATH": str(existing_store(tmp_path)),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # W021 (HSTS preload) is a deliberate opt-in: DJANGO_HSTS_PRELOAD.
    problems = [
        line for line in result.stdout.splitlines() + result.stderr.splitlines() if "security.W" in line
    ]
    assert [p for p in problems if "W021" not in p] == []


def existing_store(tmp_path: Path) -> Path:
    """A Mastra store that is already there (an empty file is an empty SQLite database)."""
    path = tmp_path / "mastra.db"
    path.touch()
    return path


PRINT_STORE_PATH = "from django.conf import settings; print(settings.MASTRA_SQLITE_PATH)"


def test_a_sqlite_store_path_that_does_not_exist_stops_the_start_naming_the_variable(tmp_path):
    typo = tmp_path / "mastar.db"
    result = load_settings(tmp_path, DJANGO_SECRET_KEY=GOOD_KEY, MASTRA_SQLITE_PATH=str(typo))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"There is no SQLite file at {typo} (MASTRA_SQLITE_PATH=" in result.stderr
    assert not typo.exists()  # and no empty store was made there


def test_a_directory_is_not_a_sqlite_store(tmp_path):
    result = load_settings(tmp_path, DJANGO_SECRET_KEY=GOOD_KEY, MASTRA_SQLITE_PATH=str(tmp_path))
    assert result.returncode != 0
    assert "MASTRA_SQLITE_PATH" in result.stderr and "is a directory" in result.stderr


def test_an_existing_sqlite_store_is_used(tmp_path):
    store = existing_store(tmp_path)
    result = load_settings(tmp_path, DJANGO_SECRET_KEY=GOOD_KEY, MASTRA_SQLITE_PATH=str(store))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", [None, "var/mastra.db", str(ROOT / "var" / "mastra.db")])
def test_the_demo_store_that_make_run_creates_may_be_missing(tmp_path, value):
    env = {"MASTRA_SQLITE_PATH": value} if value else {}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{PRINT_STORE_PATH}"],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path}/dash.sqlite3",
            "DJANGO_SECRET_KEY": GOOD_KEY,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(ROOT / "var" / "mastra.db")


def test_a_convex_deploy_does_not_need_the_sqlite_file(tmp_path):
    result = load_settings(
        tmp_path,
        DJANGO_SECRET_KEY=GOOD_KEY,
        CONVEX_URL="https://happy-otter-123.convex.cloud",
        CONVEX_ADMIN_KEY="prod:happy-otter-123|abc",
        MASTRA_SQLITE_PATH=str(tmp_path / "unused.db"),
    )
    assert result.returncode == 0, result.stderr
