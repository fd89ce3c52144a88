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


def start_django(prefix: str, *, root: Path = ROOT, store_path: Path | None = None) -> Path:
    """Configure and set up Django over a fresh working folder (returned); idempotent per process.

    ``root``: the checkout whose dashboard is set up (another one than this, to compare trees);
    ``store_path``: the Mastra file the settings name (by default an empty placeholder)."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'dashboard.sqlite3'}"
    if store_path is None:
        store_path = workdir / "unused.db"
        store_path.touch()  # a store path must exist (only the demo store may be created)
    os.environ["MASTRA_SQLITE_PATH"] = str(store_path)

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
