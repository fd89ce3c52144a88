"""/audit/: every change made through the dashboard, for admins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from dashboard.audit.models import Action, AuditEvent, AuditLogImmutable, Outcome
from dashboard.core.store import use_store
from storeclient.errors import StorageError
from storeclient.sqlite import SQLiteStore

from .memory_records import DANA_MEMORY, MemoryRecords, SavesFail, seed_memory, submit
from .support import HTMX, SENTINEL_KEY

AUDIT = "/audit/"


def make_event(
    user: AbstractBaseUser, target_id: str, outcome: str, *, ago: timedelta = timedelta(0), **kw
) -> AuditEvent:
    event = AuditEvent.start(
        user,
        kw.pop("action", Action.WORKING_MEMORY_SAVE),
        kw.pop("target_type", "resource"),
        target_id,
        before=kw.pop("before", DANA_MEMORY),
        after=kw.pop("after", DANA_MEMORY + "- **Pets**: a cat\n"),
    )
    if outcome != Outcome.PENDING:
        event.finish(outcome, **kw)
    if ago:
        AuditEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - ago)
    return event


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db")
    with use_store(store):
        yield store
    store.close()


@pytest.fixture
def records(store: SQLiteStore) -> MemoryRecords:
    return seed_memory(store)


def rows(response) -> list[str]:
    """The ids of the listed events, top to bottom."""
    import re

    return re.findall(r'<tr id="audit-(\d+)"', response.text)


def test_the_url_name_is_audit_log():
    assert reverse("audit:log") == AUDIT


def test_only_admins_may_read_the_audit_log(vera_client, eddie, ada):
    assert vera_client.get(AUDIT).status_code == 403
    editor = Client()
    editor.force_login(eddie)
    assert editor.get(AUDIT).status_code == 403
    admin = Client()
    admin.force_login(ada)
    assert admin.get(AUDIT).status_code == 200


def test_the_navigation_shows_the_audit_log_to_admins_only(ada_client, eddie):
    assert 'href="/audit/"' in ada_client.get("/").text
    editor = Client()
    editor.force_login(eddie)
    assert 'href="/audit/"' not in editor.get("/").text


def test_events_are_listed_newest_first_with_who_what_and_outcome(ada_client, eddie):
    old = make_event(eddie, "user_8f2c1a", Outcome.APPLIED, ago=timedelta(hours=2))
    new = make_event(
        eddie, "user_51d0e7", Outcome.CONFLICT, ago=timedelta(minutes=3), error="changed since you loaded it"
    )
    response = ada_client.get(AUDIT)
    assert rows(response) == [str(new.pk), str(old.pk)]
    assert "resource:user_51d0e7" in response.text
    assert "changed since you loaded it" in response.text
    assert 'href="/resources/user_8f2c1a/memory/"' in response.text


def test_the_log_filters_by_user_action_outcome_target_and_date(ada_client, eddie, ada):
    a = make_event(eddie, "user_8f2c1a", Outcome.APPLIED, ago=timedelta(days=3))
    b = make_event(ada, "user_8f2c1a", Outcome.CONFLICT, action=Action.WORKING_MEMORY_RESTORE)
    c = make_event(eddie, "c0a3f6e2-5d1b", Outcome.FAILED, target_type="thread")
    assert rows(ada_client.get(AUDIT, {"user": "eddie"})) == [str(c.pk), str(a.pk)]
    assert rows(ada_client.get(AUDIT, {"action": "working_memory.restore"})) == [str(b.pk)]
    assert rows(ada_client.get(AUDIT, {"outcome": "failed"})) == [str(c.pk)]
    assert rows(ada_client.get(AUDIT, {"target": "resource:user_8f2c1a"})) == [str(b.pk), str(a.pk)]
    assert rows(ada_client.get(AUDIT, {"target": "c0a3f6e2"})) == [str(c.pk)]
    today = timezone.now().date()
    assert rows(ada_client.get(AUDIT, {"since": today.isoformat()})) == [str(c.pk), str(b.pk)]
    assert rows(ada_client.get(AUDIT, {"until": (today - timedelta(days=1)).isoformat()})) == [str(a.pk)]


def test_a_pending_save_older_than_a_minute_is_listed_as_unknown(ada_client, eddie):
    stale = make_event(eddie, "user_8f2c1a", Outcome.PENDING, ago=timedelta(minutes=10))
    fresh = make_event(eddie, "user_51d0e7", Outcome.PENDING)
    response = ada_client.get(AUDIT)
    assert f'<tr id="audit-{stale.pk}" data-outcome="unknown">' in response.text
    assert f'<tr id="audit-{fresh.pk}" data-outcome="pending">' in response.text
    assert rows(ada_client.get(AUDIT, {"outcome": "unknown"})) == [str(stale.pk)]
    assert rows(ada_client.get(AUDIT, {"outcome": "pending"})) == [str(fresh.pk)]


def test_the_log_is_paginated(ada_client, eddie):
    events = [
        make_event(eddie, f"user_{n:03d}", Outcome.APPLIED, ago=timedelta(minutes=n)) for n in range(55)
    ]
    first = ada_client.get(AUDIT)
    assert len(rows(first)) == 50
    assert "1–50 of 55" in first.text
    assert 'href="?page=2"' in first.text
    second = ada_client.get(AUDIT, {"page": 2})
    assert rows(second) == [str(e.pk) for e in events[50:]]


def test_filtering_with_htmx_returns_only_the_results(ada_client, eddie):
    make_event(eddie, "user_8f2c1a", Outcome.APPLIED)
    response = ada_client.get(AUDIT, {"outcome": "applied"}, headers=HTMX)
    assert response.text.lstrip().startswith('<section id="audit-results"')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]


def test_an_event_page_shows_the_diff(ada_client, eddie):
    event = make_event(eddie, "user_8f2c1a", Outcome.APPLIED)
    response = ada_client.get(reverse("audit:event", args=[event.pk]))
    assert response.status_code == 200
    assert "- **Pets**: a cat" in response.text
    assert "+1" in response.text


def test_a_deleted_user_stays_in_the_log_by_name(ada_client, django_user_model):
    from dashboard.accounts.roles import set_role

    temp = django_user_model.objects.create_user(username="temp-contractor", password="x" * 20)
    set_role(temp, "editor")
    event = make_event(temp, "user_8f2c1a", Outcome.APPLIED)
    temp.delete()
    event.refresh_from_db()
    assert event.user is None
    assert event.username == "temp-contractor"
    assert "temp-contractor" in ada_client.get(AUDIT).text


def test_no_secret_lands_in_an_audit_row_or_a_log_line(eddie, store, records, caplog):
    url = reverse("memory:resource", args=[records.dana.id])
    error = StorageError(f"Server said: bad key {SENTINEL_KEY}", detail=f"key={SENTINEL_KEY}")
    # Overriding the key drops the process store, so the failing one is installed after it.
    with (
        override_settings(CONVEX_ADMIN_KEY=SENTINEL_KEY, CONVEX_URL="https://happy-otter-123.convex.cloud"),
        use_store(SavesFail(store, error)),
    ):
        client = Client()
        client.force_login(eddie)
        page = client.get(url)
        response = submit(client, url, page, DANA_MEMORY + "- **Pets**: a cat\n")
    assert response.status_code == 502
    secret = SENTINEL_KEY.partition("|")[2]
    event = AuditEvent.objects.get()
    assert event.outcome == Outcome.FAILED
    for value in (event.error, event.before, event.after, response.text, caplog.text):
        assert secret not in value
    assert "[redacted]" in event.error


def test_a_recorded_event_cannot_be_edited_or_deleted(eddie):
    event = make_event(eddie, "user_dana", Outcome.APPLIED)
    event.after = "# Rewritten history"
    with pytest.raises(AuditLogImmutable):
        event.save()
    with pytest.raises(AuditLogImmutable):
        event.delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.after == DANA_MEMORY + "- **Pets**: a cat\n"
    assert stored.outcome == Outcome.APPLIED


def test_an_event_is_completed_once(eddie):
    event = make_event(eddie, "user_dana", Outcome.PENDING)
    event.finish(Outcome.CONFLICT)
    with pytest.raises(AuditLogImmutable):
        event.finish(Outcome.APPLIED)
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.CONFLICT


def test_an_invalid_filter_is_refused_with_a_link_without_it(ada_client, eddie):
    response = ada_client.get(
        AUDIT, {"since": "2026-02-01", "until": "2026-01-01", "action": "working_memory.save"}
    )
    assert response.status_code == 400
    assert "“To” is before “From”." in response.content.decode()
    assert (
        'href="/audit/?since=2026-02-01&amp;action=working_memory.save" data-reset'
        in response.content.decode()
    )


@pytest.mark.parametrize("param", ["since", "until"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_end_of_the_calendar_is_refused_not_a_server_error(ada_client, eddie, param, day):
    make_event(eddie, "user_dana", Outcome.APPLIED)
    response = ada_client.get(AUDIT, {param: day, "action": "working_memory.save"})
    assert response.status_code == 400
    assert "Pick a date between 1970-01-01 and 9999-12-30." in response.content.decode()
    assert 'href="/audit/?action=working_memory.save" data-reset' in response.content.decode()
