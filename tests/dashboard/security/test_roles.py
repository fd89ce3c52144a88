"""Roles, checked in the views: a viewer changes nothing, an editor edits working memory but never
reaches user management, an admin manages users (/accounts/users/, and /admin/).

The sweeps walk every named route (see sweep.py), so a page added later is covered without
touching this file.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from dashboard.accounts.roles import ROLES, role_of, set_role
from dashboard.audit.models import AuditEvent
from dashboard.core.store import use_store
from dashboard.demo import dataset
from storeclient.sqlite import SQLiteStore
from tests.dashboard.conftest import DEMO_NOW
from tests.dashboard.html_query import find_all

from .sweep import all_pages, sample_values

#: POST routes every signed-in user may use, whatever the role. (A password link's page writes only
#: with the link's one-time token, which a sweep's sample value is not.)
POST_FOR_EVERYONE = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_set",
    "preferences:edit",
    "preferences:theme",
}
#: Routes whose POST changes something, and the role that needs.
EDITING = {
    "memory:resource": "editor",
    "memory:thread": "editor",
    "reviews:start": "editor",
    # Recounting the overview now (the counts are otherwise cached for a minute on Convex).
    "core:refresh_counts": "editor",
    "reviews:save": "editor",
    "reviews:undo": "editor",
    # Run actions (through the Mastra server; answered "not configured" here, never sent).
    "workflows:resume": "editor",
    "workflows:cancel": "editor",
    "workflows:rerun": "editor",
    "workflows:send": "editor",
}


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[tuple[SQLiteStore, dataset.DemoData]]:
    """A private copy of the demo data: a test that shows a write is refused must not risk the
    session's shared store if the refusal ever fails."""
    store = SQLiteStore(tmp_path / "mastra.db")
    data = dataset.write_small(store, seed=7, now=DEMO_NOW)
    with use_store(store):
        yield store, data
    store.close()


def _snapshot(store: SQLiteStore, data: dataset.DemoData) -> list[str | None]:
    return [store.memory.get_resource_by_id(r.id).working_memory for r in data.resources] + [
        store.memory.get_thread_by_id(t.id).working_memory for t in data.threads[:5]
    ]


def _editor_form(client: Client, url: str) -> dict[str, str]:
    """What pressing Save on the page's first POST form (other than sign-out) would send."""
    page = client.get(url)
    for form in find_all(page.content, "form", method="post"):
        if form.get("action") == reverse("accounts:logout"):
            continue
        fields = {
            field.attrs["name"]: field.get("value", "") or ""
            for field in find_all(page.content, "input")
            if field.get("name") and field.get("type") != "submit"
        }
        fields.update({"action": "save", "draft": "# Overwritten by someone without the role\n"})
        fields.pop("csrfmiddlewaretoken", None)
        return fields
    return {"action": "save", "draft": "# Overwritten by someone without the role\n"}


def test_the_roles_exist_with_their_permissions_after_migrate(db):
    permissions = {
        group.name: sorted(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.filter(name__in=ROLES)
    }
    assert permissions == {
        "viewer": [],
        "editor": ["act_on_workflow_runs", "edit_working_memory", "review_scores"],
        "admin": [
            "act_on_workflow_runs",
            "edit_working_memory",
            "manage_reviews",
            "manage_users",
            "review_scores",
            "view_audit",
        ],
    }


def test_every_route_that_takes_an_editors_post_is_known_to_this_file(eddie_client, writable):
    # The registry of editing routes is the site itself: any route that does not refuse an editor's
    # POST (403/405) must be listed in EDITING or POST_FOR_EVERYONE, so the viewer sweep below knows
    # which role it needs. The payload carries no version marker, so nothing can be written.
    store, data = writable
    accepted = {
        name
        for name, url in all_pages(sample_values(data, store))
        # (Signing out would end the test's session.)
        if name not in POST_FOR_EVERYONE
        and eddie_client.post(url, {"action": "save", "draft": "# x"}).status_code not in (403, 405)
    }
    assert accepted == set(EDITING)
    assert not AuditEvent.objects.exists()


def test_a_viewer_cannot_post_to_any_route(client, vera, eddie, writable, caplog):
    store, data = writable
    values = sample_values(data, store, object_id=str(vera.pk), id=str(vera.pk))
    before = _snapshot(store, data)
    editor = Client()
    editor.force_login(eddie)
    client.force_login(vera)
    refused = []
    for name, url in all_pages(values):
        if name in POST_FOR_EVERYONE:
            continue
        payload = _editor_form(editor, url) if name in EDITING else {"action": "save", "draft": "# x"}
        response = client.post(url, payload)
        assert response.status_code in (403, 405), (
            f"{name} {url}: a viewer's POST answered {response.status_code}"
        )
        if name in EDITING:
            assert response.status_code == 403, name
            refused.append(name)
    assert sorted(refused) == sorted(EDITING)
    assert _snapshot(store, data) == before
    assert not AuditEvent.objects.exists()


def test_a_viewer_sees_no_editing_form_on_any_page(vera_client, writable):
    store, data = writable
    for name, url in all_pages(sample_values(data, store)):
        response = vera_client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        forms = [
            f.get("action")
            for f in find_all(response.content, "form")
            if (f.get("method") or "").lower() == "post"
        ]
        # Signing out and the viewer's own preferences (the header's theme switch) are theirs to post.
        # (A password link's page takes arguments and is never shown to a signed-in viewer.)
        own = {reverse(route) for route in POST_FOR_EVERYONE - {"accounts:password_set"}}
        assert set(forms) <= own, f"{name}: a viewer is offered {forms}"
        assert not find_all(response.content, "textarea"), f"{name} offers a viewer a text box"


def test_a_refused_edit_is_logged_as_authz_fail_without_content(vera_client, eddie, writable, caplog):
    store, data = writable
    url = reverse("memory:resource", args=[sample_values(data, store)["resource_id"]])
    editor = Client()
    editor.force_login(eddie)
    payload = _editor_form(editor, url) | {"draft": "secret draft text"}
    with caplog.at_level(logging.WARNING, logger="dashboard.security"):
        assert vera_client.post(url, payload).status_code == 403
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("authz_")]
    assert lines == [
        f"authz_fail status=403 user=vera method=POST path={url} ip=127.0.0.1 "
        'reason="Editing working memory needs the editor role."'
    ]
    assert "secret draft text" not in caplog.text


def test_an_editor_saves_working_memory(eddie_client, writable):
    store, data = writable
    resource_id = sample_values(data, store)["resource_id"]
    url = reverse("memory:resource", args=[resource_id])
    payload = _editor_form(eddie_client, url) | {"draft": "# User Information\n- **First Name**: Dana\n"}
    response = eddie_client.post(url, payload)
    assert response.status_code == 303
    assert store.memory.get_resource_by_id(resource_id).working_memory.startswith(
        "# User Information\n- **First"
    )


ADMIN_PAGES = ["admin:index", "admin:auth_user_changelist", "admin:auth_user_add", "admin:password_change"]


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_the_admin_role_reaches_user_management(client, django_user_model, role, ada):
    user = django_user_model.objects.create_user(username=f"someone-{role}", password="x" * 20)
    set_role(user, role)
    client.force_login(user)
    for name in ADMIN_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    for url in (
        reverse("admin:auth_user_change", args=[ada.pk]),
        reverse("admin:auth_user_password_change", args=[ada.pk]),
        reverse("admin:auth_user_delete", args=[ada.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert (
            client.post(url, {"password1": "y" * 20, "password2": "y" * 20, "post": "yes"}).status_code == 403
        )
    assert User.objects.filter(pk=ada.pk).exists()
    # The admin's own login form would be a second, unthrottled way in: it only redirects.
    assert client.get(reverse("admin:login")).status_code == 403


def test_a_staff_flag_alone_does_not_open_user_management(client, eddie):
    eddie.is_staff = True
    eddie.save()
    client.force_login(eddie)
    assert client.get(reverse("admin:index")).status_code == 403


def test_an_editor_cannot_read_the_audit_log(eddie_client):
    assert eddie_client.get(reverse("audit:log")).status_code == 403


def test_an_anonymous_visitor_to_the_admin_goes_to_the_dashboard_login(client, db):
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/auth/user/"


def test_the_admin_lists_users_with_their_role(ada_client, vera, eddie):
    response = ada_client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 200
    rows = [row.text for row in find_all(response.content, "tr")]
    for name, role in (("vera", "viewer"), ("eddie", "editor"), ("ada", "admin")):
        assert any(row.startswith(name) and role in row for row in rows), (name, rows)


def test_the_admin_adds_a_teammate_with_a_role(ada_client):
    response = ada_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "maria",
            "role": "editor",
            "usable_password": "true",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    maria = User.objects.get(username="maria")
    assert role_of(maria) == "editor"
    assert not maria.is_staff
    assert maria.check_password("a long enough passphrase 42")


def _change_form(client: Client, user: User) -> dict[str, str]:
    page = client.get(reverse("admin:auth_user_change", args=[user.pk]))
    fields = {
        field.attrs["name"]: field.get("value", "") or ""
        for field in find_all(page.content, "input")
        if field.get("name") and field.get("type") not in ("submit", "checkbox")
    }
    fields.pop("csrfmiddlewaretoken", None)
    fields["is_active"] = "on"
    return fields


def test_the_admin_promotes_an_editor_to_admin_and_demotes_them_again(ada_client, eddie):
    url = reverse("admin:auth_user_change", args=[eddie.pk])
    fields = _change_form(ada_client, eddie)
    assert ada_client.post(url, fields | {"role": "admin"}).status_code == 302
    eddie.refresh_from_db()
    assert role_of(eddie) == "admin" and eddie.is_staff
    assert ada_client.post(url, fields | {"role": "viewer"}).status_code == 302
    eddie.refresh_from_db()
    assert role_of(eddie) == "viewer" and not eddie.is_staff
    assert list(eddie.groups.values_list("name", flat=True)) == ["viewer"]


def test_an_admin_cannot_take_their_own_admin_role_or_delete_themselves(ada_client, ada):
    url = reverse("admin:auth_user_change", args=[ada.pk])
    response = ada_client.post(url, _change_form(ada_client, ada) | {"role": "editor"})
    assert response.status_code == 200
    assert "You cannot take the admin role from yourself." in response.content.decode()
    ada.refresh_from_db()
    assert role_of(ada) == "admin"
    assert ada_client.get(reverse("admin:auth_user_delete", args=[ada.pk])).status_code == 403


def test_set_role_keeps_staff_in_step_with_the_admin_role(django_user_model, db):
    user = django_user_model.objects.create_user(username="sam")
    set_role(user, "admin")
    assert User.objects.get(pk=user.pk).is_staff
    set_role(user, "editor")
    assert not User.objects.get(pk=user.pk).is_staff


def test_the_admin_site_pages_are_not_offered_in_the_dashboard_to_an_editor(eddie_client):
    assert "/admin/" not in eddie_client.get("/").content.decode()


def test_the_first_admin_from_ensure_admin_reaches_user_management(tmp_path, db):
    from django.core.management import call_command

    call_command("ensure_admin", "--credentials-file", str(tmp_path / "creds.txt"), stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    assert admin.is_staff and role_of(admin) == "admin"
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
