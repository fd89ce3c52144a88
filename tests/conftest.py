"""Fixtures shared by the whole suite.

The Convex dev server (Node) is started once per session, only when a test asks for it.
"""

from __future__ import annotations

import os

import pytest

from tests.support.convex_fixtures import (  # noqa: F401
    convex_backend,
    convex_handler_only_backend,
    convex_handler_only_server,
    convex_server,
)

# --- the dashboard's database: SQLite by default, PostgreSQL in `make test-postgres` ----------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that touch the dashboard's own database are marked ``postgres``: `make test-postgres`
    runs exactly those again with DATABASE_URL pointing at PostgreSQL (TEST_DATABASE_URL).

    When DATABASE_URL is PostgreSQL and the server does not answer, those tests are skipped with the
    reason, except in CI (CI=true), where a missing PostgreSQL fails the run."""
    db_items = []
    for item in items:
        if "django_db_setup" in getattr(item, "fixturenames", ()) or item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.postgres)
        if item.get_closest_marker("postgres"):
            db_items.append(item)
    problem = _postgres_problem() if db_items else None
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.exit(
            f"{problem}; CI needs it (.ci/run starts one with scripts/test-postgres.sh)", returncode=1
        )
    skip = pytest.mark.skip(reason=f"{problem} (start one: eval $(scripts/test-postgres.sh start))")
    for item in db_items:
        item.add_marker(skip)


def _postgres_problem() -> str | None:
    """Why the configured PostgreSQL cannot be used, or ``None`` (also when the database is SQLite)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("postgresql"):
        return None
    import psycopg

    where = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"
    try:
        psycopg.connect(
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            dbname=database["NAME"],
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        return f"No PostgreSQL reachable at {where} ({type(exc).__name__})"
    return None
