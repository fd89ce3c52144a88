"""Django set up for a benchmark: a throwaway dashboard database and settings fit for the test
client (no collected static files). One place for what every page benchmark needs first.

    from django_bench import start_django
    WORKDIR = start_django("bench-exports-")
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_django(prefix: str) -> Path:
    """Configure and set up Django over a fresh working folder (returned); idempotent per process."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'dashboard.sqlite3'}"
    os.environ["MASTRA_SQLITE_PATH"] = str(workdir / "unused.db")
    (workdir / "unused.db").touch()

    import django
    from django.test import override_settings

    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
    django.setup()
    override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    return workdir
