"""Typed readers for settings that come from the environment.

Each helper raises ``ImproperlyConfigured`` naming the variable, so a bad deploy fails at start with
a message that says what to fix instead of misbehaving later (the healthchecks ``envbool`` pattern).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    """The variable's value with surrounding whitespace removed, or ``default`` when unset or blank."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    """``True``/``False`` (also 1/0, yes/no, on/off, any case); unset or blank gives ``default``."""
    value = env_str(name, environ=environ)
    if not value:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use True or False.")


def env_int(
    name: str, default: int, *, minimum: int | None = None, environ: Mapping[str, str] | None = None
) -> int:
    value = env_str(name, environ=environ)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is too small: it must be at least {minimum}.")
    return number


def env_float(
    name: str, default: float, *, minimum: float | None = None, environ: Mapping[str, str] | None = None
) -> float:
    value = env_str(name, environ=environ)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(f"{name}={value!r} is not a finite number.")
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value} is too small: it must be at least {minimum}.")
    return number


def env_list(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    return [item.strip() for item in env_str(name, default, environ=environ).split(",") if item.strip()]


def env_path(
    name: str,
    default: str,
    *,
    base_dir: Path,
    must_exist: bool = False,
    may_create: Collection[Path] = (),
    what: str = "file",
    environ: Mapping[str, str] | None = None,
) -> Path:
    """A file path; a relative one is relative to ``base_dir``.

    ``must_exist``: the file must already be there, so a mistyped or unmounted path stops the start
    instead of quietly becoming a new, empty file that looks healthy. The paths in ``may_create``
    (files the program makes for itself, such as a demo store) are exempt.
    """
    raw = Path(env_str(name, default, environ=environ))
    path = raw if raw.is_absolute() else base_dir / raw
    if not must_exist or path.resolve() in {p.resolve() for p in may_create}:
        return path
    if path.is_dir():
        raise ImproperlyConfigured(f"{name}={str(raw)!r} is a directory; it must name the {what} itself.")
    if not path.exists():
        raise ImproperlyConfigured(
            f"There is no {what} at {path} ({name}={str(raw)!r}). Check the path (a relative one is "
            f"relative to {base_dir}) and that the volume holding it is mounted."
        )
    return path


#: The dashboard's own SQLite file is shared by every gunicorn worker thread and by ``index
#: --follow``: in WAL mode a page reads while the indexer writes; writers take the lock when their
#: transaction starts (IMMEDIATE), so two of them queue for up to ``timeout`` seconds instead of
#: one failing with "database is locked" when it first writes inside a read.
SQLITE_OPTIONS: dict[str, Any] = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def parse_database_url(url: str, *, base_dir: Path, name: str = "DATABASE_URL") -> dict[str, Any]:
    """Turn ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or
    ``postgres://user:password@host:5432/dbname?sslmode=require`` into a ``DATABASES`` entry.

    Relative SQLite paths are relative to ``base_dir``. Query parameters of a PostgreSQL URL become
    connection ``OPTIONS`` (psycopg takes libpq keywords such as ``sslmode``).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc:
            raise ImproperlyConfigured(
                f"{name}: a SQLite URL has no host; use sqlite:///relative/path.db or sqlite:////absolute/path.db."
            )
        # urlsplit keeps the slash that separates the (empty) host from the path: strip exactly one.
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ImproperlyConfigured(f"{name}: the SQLite URL names no file.")
        file = Path(path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": file if file.is_absolute() else base_dir / file,
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ImproperlyConfigured(
                f"{name}: the PostgreSQL URL names no database (postgres://host/dbname)."
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}: the port is not a number.") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(port) if port else "",
            "OPTIONS": dict(parse_qsl(parts.query)),
        }
    # Never echo the URL itself: it may hold a password.
    raise ImproperlyConfigured(
        f"{name} has an unsupported scheme {scheme or '(none)'!r}: use sqlite:///path or postgres://."
    )
