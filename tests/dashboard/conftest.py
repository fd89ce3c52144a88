"""Fixtures for the dashboard's view and command tests.

Every test here runs against a temporary SQLite store filled with the small demo data set (built
once per session, installed through dashboard.core.store.use_store), never against var/mastra.db or
a configured Convex deployment. Personas: vera (viewer), eddie (editor), ada (admin).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from dashboard.accounts.roles import set_role
from dashboard.core.store import use_store
from dashboard.demo import dataset
from storeclient.interface import Store
from storeclient.sqlite import SQLiteStore
from tests.support.roles import ensure_roles

from .support import convex_store

#: Demo data times are laid out backwards from this moment.
DEMO_NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SQLiteStore, dataset.DemoData]]:
    store = SQLiteStore(tmp_path_factory.mktemp("demo") / "mastra.db")
    data = dataset.write_small(store, seed=7, now=DEMO_NOW)
    yield store, data
    store.close()


@pytest.fixture(autouse=True)
def demo_store(demo: tuple[SQLiteStore, dataset.DemoData]) -> Iterator[SQLiteStore]:
    """The seeded store, serving every view. Read-only by convention: a test that writes uses
    ``empty_store`` or its own store."""
    with use_store(demo[0]) as store:
        yield store


@pytest.fixture
def demo_set(demo: tuple[SQLiteStore, dataset.DemoData]) -> dataset.DemoData:
    """What was written into ``demo_store``."""
    return demo[1]


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "empty.db")
    with use_store(store):
        yield store
    store.close()


@pytest.fixture
def unreachable_store() -> Iterator[Store]:
    """A Convex store pointed at a port where nothing listens."""
    store = convex_store()
    with use_store(store):
        yield store
    store.close()


def _persona(django_user_model: type[AbstractBaseUser], username: str, role: str) -> AbstractBaseUser:
    ensure_roles()
    user = django_user_model.objects.create_user(username=username, password=PASSWORD)
    set_role(user, role)
    return user


@pytest.fixture
def vera(django_user_model: type[AbstractBaseUser]) -> AbstractBaseUser:
    """Vera reads: the viewer role."""
    return _persona(django_user_model, "vera", "viewer")


@pytest.fixture
def eddie(django_user_model: type[AbstractBaseUser]) -> AbstractBaseUser:
    """Eddie fixes working memory: the editor role."""
    return _persona(django_user_model, "eddie", "editor")


@pytest.fixture
def ada(django_user_model: type[AbstractBaseUser]) -> AbstractBaseUser:
    """Ada runs the dashboard: the admin role."""
    return _persona(django_user_model, "ada", "admin")


@pytest.fixture
def vera_client(client: Client, vera: AbstractBaseUser) -> Client:
    client.force_login(vera)
    return client


@pytest.fixture
def eddie_client(client: Client, eddie: AbstractBaseUser) -> Client:
    client.force_login(eddie)
    return client


@pytest.fixture
def ada_client(client: Client, ada: AbstractBaseUser) -> Client:
    client.force_login(ada)
    return client
