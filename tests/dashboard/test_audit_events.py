"""Every change made through the dashboard lands in the audit log: sign-ins and sign-outs, failed
sign-ins (never a password, never a typed name that is no account), exports; the log filters by
kind and user and exports as CSV that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from dashboard.audit.models import Action, AuditEvent, Outcome, record_event

from .conftest import PASSWORD

LOGIN = "/accounts/login/"


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_a_sign_in_is_recorded_with_how_and_from_where(client, vera):
    client.post(LOGIN, {"username": "vera", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    [event] = events(Action.SIGN_IN)
    assert (event.username, event.target, event.outcome) == ("vera", "user:vera", Outcome.APPLIED)
    assert event.detail == "password · from 203.0.113.7"


def test_a_sign_out_is_recorded(vera_client):
    vera_client.post(reverse("accounts:logout"))
    [event] = events(Action.SIGN_OUT)
    assert (event.username, event.outcome) == ("vera", Outcome.APPLIED)


def test_a_failed_sign_in_names_the_account_but_never_the_password(client, vera):
    client.post(LOGIN, {"username": "vera", "password": "hunter2-not-it"}, REMOTE_ADDR="203.0.113.7")
    [event] = events(Action.SIGN_IN_FAILED)
    assert (event.username, event.target, event.outcome) == ("vera", "user:vera", Outcome.FAILED)
    assert event.detail == "wrong username or password · from 203.0.113.7"
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert not any("hunter2" in str(value) for value in row.values())


def test_a_failed_sign_in_as_no_account_does_not_keep_what_was_typed(client, vera):
    # A password typed into the username box one field too early must not end up in the log.
    client.post(LOGIN, {"username": "Tr0ub4dor&3", "password": "x"})
    [event] = events(Action.SIGN_IN_FAILED)
    assert event.username == "(no such account)"
    assert event.target == ""
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert not any("Tr0ub4dor" in str(value) for value in row.values())


@override_settings(LOGIN_FAILURES_PER_USER_IP=2)
def test_a_sign_in_refused_by_the_rate_limit_is_recorded_as_failed(client, vera):
    for _ in range(3):
        response = client.post(LOGIN, {"username": "vera", "password": "wrong"})
    assert response.status_code == 429
    failed = events(Action.SIGN_IN_FAILED)
    assert [event.detail.split(" · ")[0] for event in failed] == [
        "wrong username or password",
        "wrong username or password",
        "refused: too many attempts (account)",
    ]


def test_a_scores_export_is_recorded_with_its_filters(vera_client):
    response = vera_client.get("/scores/answer-relevancy-scorer/export.csv?range=7d")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [event] = events(Action.EXPORT_SCORES)
    assert (event.username, event.target) == ("vera", "scorer:answer-relevancy-scorer")
    assert event.detail == "CSV · range=7d"


def test_the_log_filters_by_kind_and_user(ada_client, ada, eddie):
    record_event(eddie, Action.SIGN_IN, "user", "eddie")
    record_event(ada, Action.SIGN_IN, "user", "ada")
    record_event(ada, Action.USER_ROLE, "user", "eddie", before="viewer", after="editor")
    by_kind = ada_client.get("/audit/?kind=session")
    assert by_kind.status_code == 200
    assert by_kind.text.count("Sign-in</span>") == 2
    assert "Role change" not in by_kind.text
    both = ada_client.get("/audit/?kind=session&user=eddie")
    assert both.text.count("Sign-in</span>") == 1
    users = ada_client.get("/audit/?kind=user")
    assert "Role change</span>" in users.text and "Sign-in</span>" not in users.text


def test_the_csv_export_holds_the_filtered_events_and_cannot_run_formulas(ada_client, ada, eddie):
    record_event(eddie, Action.EXPORT_SCORES, "scorer", '=HYPERLINK("http://evil.example")', detail="-1+1")
    record_event(ada, Action.SIGN_IN, "user", "ada")
    response = ada_client.get("/audit/export.csv?kind=export")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["action"] for row in table] == ["export.scores"]
    assert table[0]["target_id"] == '\'=HYPERLINK("http://evil.example")'
    assert table[0]["detail"] == "'-1+1"
    assert table[0]["user"] == "eddie"
    # The export itself is recorded.
    [exported] = events(Action.EXPORT_AUDIT)
    assert (exported.username, exported.detail) == ("ada", "CSV · kind=export")


def test_the_page_links_the_export_of_what_it_shows(ada_client, ada):
    record_event(ada, Action.SIGN_IN, "user", "ada")
    page = ada_client.get("/audit/?kind=session&page=1")
    assert 'href="/audit/export.csv?kind=session"' in page.text


@pytest.mark.parametrize("persona", ["vera", "eddie"])
def test_only_admins_may_export_the_audit_log(persona, request, db):
    user = request.getfixturevalue(persona)
    client = Client()
    client.force_login(user)
    assert client.get("/audit/export.csv").status_code == 403
    assert not events(Action.EXPORT_AUDIT)


def test_an_event_of_another_kind_has_its_own_page_without_an_editor_link(ada_client, ada):
    event = record_event(
        ada, Action.USER_ROLE, "user", "eddie", before="viewer", after="editor", detail="viewer → editor"
    )
    page = ada_client.get(f"/audit/{event.pk}/")
    assert page.status_code == 200
    assert "Role change" in page.text and "viewer → editor" in page.text
    assert "Open the editor" not in page.text
