"""The dashboard's own database on PostgreSQL (DATABASE_URL=postgres://...), as a team deploys it.

`make test-postgres` runs every database test again against PostgreSQL; these add what only
matters there. On SQLite (plain `make test`) they are skipped, saying where they run.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction

from dashboard.accounts.models import OIDCIdentity
from dashboard.audit.models import Action, AuditEvent, Outcome

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def on_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("runs against PostgreSQL: make test-postgres (DATABASE_URL=postgres://...)")


def test_the_settings_point_django_at_the_postgres_url(settings):
    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_HEALTH_CHECKS"] is True
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        assert cursor.fetchone()[0] == "UTF8"


def test_migrations_made_the_roles_and_the_shared_cache_table():
    assert set(Group.objects.values_list("name", flat=True)) >= {"viewer", "editor", "admin"}
    assert "dashboard_cache" in connection.introspection.table_names()


def test_a_one_mebibyte_unicode_edit_is_kept_byte_for_byte(ada):
    text = ("# Notes\n- ünïcødé 🧪 \\u0000-free line\n" * 30_000)[: 1 << 20]
    event = AuditEvent.start(ada, Action.WORKING_MEMORY_SAVE, "resource", "user_big", before="", after=text)
    event.finish(Outcome.APPLIED)
    assert AuditEvent.objects.get(pk=event.pk).after == text


def test_one_provider_identity_links_to_one_user_only(django_user_model):
    first = django_user_model.objects.create_user(username="dana@acme.example")
    second = django_user_model.objects.create_user(username="dana.w@acme.example")
    OIDCIdentity.objects.create(user=first, issuer="https://sso.acme.example", subject="abc")
    with pytest.raises(IntegrityError), transaction.atomic():
        OIDCIdentity.objects.create(user=second, issuer="https://sso.acme.example", subject="abc")


@pytest.mark.django_db(transaction=True)
def test_login_failures_are_counted_across_database_connections(vera, settings):
    # Each thread has its own database connection, as each gunicorn worker does: the counters live
    # in the shared database cache, so five failures spread over five connections pause the account.
    from django.db import connections
    from django.test import Client

    settings.LOGIN_FAILURES_PER_USER_IP = 5

    def attempt(password: str, results: list[int]) -> None:
        response = Client().post(
            "/accounts/login/", {"username": "vera", "password": password}, REMOTE_ADDR="203.0.113.9"
        )
        results.append(response.status_code)
        connections.close_all()

    results: list[int] = []
    for _ in range(5):
        worker = threading.Thread(target=attempt, args=("nope", results))
        worker.start()
        worker.join()
    attempt("correct horse battery staple", results)
    assert results == [200] * 5 + [429]


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_are_checked_only_up_to_the_limit(
    django_user_model, settings, monkeypatch
):
    # Twenty threads, each with its own connection, race for five attempts: PostgreSQL's row lock
    # on the counter makes the conditional UPDATE let exactly five through.
    from django.contrib.auth.backends import ModelBackend
    from django.db import connections
    from django.test import Client

    # No role needed (and a transactional test may find the role groups flushed by the one before).
    django_user_model.objects.create_user("vera", password="correct horse battery staple")

    settings.LOGIN_FAILURES_PER_USER_IP = 5
    checks: list[str] = []
    authenticate = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):  # type: ignore[no-untyped-def]
        checks.append(str(username))
        return authenticate(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    barrier = threading.Barrier(20)
    results: list[int] = []

    def attempt(n: int) -> None:
        client = Client()
        barrier.wait()
        response = client.post(
            "/accounts/login/", {"username": "vera", "password": f"guess-{n}"}, REMOTE_ADDR="203.0.113.9"
        )
        results.append(response.status_code)
        connections.close_all()

    workers = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(checks) == 5
    assert sorted(results) == [200] * 5 + [429] * 15
