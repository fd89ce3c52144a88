"""No lost updates: two people (or twenty requests) editing one working memory, on both stores.

Every test runs on the SQLite store, on a ConvexStore talking to the local Convex dev server with the
dashboard's module deployed, and on one whose deployment has only Mastra's standard handler. Where a
deployment cannot save atomically (the last), the race test checks that the page says so instead.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from dashboard.audit.models import AuditEvent, Outcome
from dashboard.core.store import use_store
from storeclient.convex import ConvexStore
from storeclient.errors import ConflictError
from storeclient.interface import Store
from storeclient.sqlite import SQLiteStore

from .memory_records import (
    ARJUN_MEMORY,
    DANA_MEMORY,
    THREAD_MEMORY,
    MemoryRecords,
    form_fields,
    seed_memory,
    submit,
)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("convex", marks=pytest.mark.convex),
        pytest.param("convex-handler-only", marks=pytest.mark.convex),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        built: Store = SQLiteStore(tmp_path / "mastra.db")
    else:
        fixture = "convex_backend" if request.param == "convex" else "convex_handler_only_backend"
        server = request.getfixturevalue(fixture)
        built = ConvexStore(server.url, server.admin_key)
    with use_store(built):
        yield built
    built.close()


@pytest.fixture
def records(store: Store) -> MemoryRecords:
    return seed_memory(store)


def signed_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def second_editor(django_user_model: type[AbstractBaseUser]) -> AbstractBaseUser:
    from dashboard.accounts.roles import set_role

    user = django_user_model.objects.create_user(username="erin", password="correct horse battery staple")
    set_role(user, "editor")
    return user


@pytest.mark.parametrize("scope", ["resource", "thread"])
def test_the_second_of_two_editors_gets_a_conflict_and_loses_nothing(
    store, records, eddie, second_editor, scope
):
    target_id, original = (
        (records.dana.id, DANA_MEMORY) if scope == "resource" else (records.thread.id, THREAD_MEMORY)
    )
    url = reverse(f"memory:{scope}", args=[target_id])
    eddie_client, erin_client = signed_in(eddie), signed_in(second_editor)
    eddies_page, erins_page = eddie_client.get(url), erin_client.get(url)

    eddies_text = original + "- **Note**: call back on Monday\n"
    assert submit(eddie_client, url, eddies_page, eddies_text).status_code == 303
    erins_text = original.replace("\n", "\n", 1) + "- **Note**: prefers a refund over a replacement\n"
    response = submit(erin_client, url, erins_page, erins_text)

    assert response.status_code == 409
    load = store.memory.get_resource_by_id if scope == "resource" else store.memory.get_thread_by_id
    assert load(target_id).working_memory == eddies_text
    # The conflict view: what Erin started from, what Eddie stored, and Erin's draft, still editable.
    assert "Someone else changed this working memory while you were editing" in response.text
    fields = form_fields(response)
    assert fields["draft"] == erins_text
    assert "call back on Monday" in response.text.split('id="conflict-theirs"')[1].split("</pre>")[0]
    assert "prefers a refund" in response.text.split('id="conflict-yours"')[1].split("</pre>")[0]
    assert "call back on Monday" not in response.text.split('id="conflict-base"')[1].split("</pre>")[0]
    events = list(AuditEvent.objects.order_by("pk").values_list("username", "outcome"))
    assert events == [("eddie", Outcome.APPLIED), ("erin", Outcome.CONFLICT)]

    # Pressing the editor's own button again only compares again: it never writes over Eddie's note.
    again = erin_client.post(url, {**fields, "action": "save"})
    assert again.status_code == 409
    assert load(target_id).working_memory == eddies_text

    # Both appended a note at the end: the merge keeps both, and saving it applies on top of Eddie's.
    merged = eddies_text + "- **Note**: prefers a refund over a replacement\n"
    merge_fields = form_fields(again, "merge-form")
    assert merge_fields["draft"] == merged
    saved = erin_client.post(url, {**merge_fields, "action": "save"})
    assert saved.status_code == 303
    assert load(target_id).working_memory == merged
    assert AuditEvent.objects.order_by("pk").last().outcome == Outcome.APPLIED


def test_an_agent_writing_behind_the_editors_back_is_not_overwritten(store, records, eddie):
    url = reverse("memory:resource", args=[records.dana.id])
    client = signed_in(eddie)
    page = client.get(url)
    agent_text = DANA_MEMORY.replace("- **Projects**: \n", "- **Projects**: Saturday catering job\n")
    store.memory.update_resource(records.dana.id, working_memory=agent_text)  # what Mastra's agent does
    response = submit(client, url, page, DANA_MEMORY + "- **Pets**: a cat\n")
    assert response.status_code == 409
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == agent_text


def test_twenty_concurrent_saves_from_one_version_apply_exactly_once_or_the_page_warns(store, records, eddie):
    if not store.health().atomic_saves:
        # Mastra's handler cannot compare and write in one step: promise nothing, say so.
        page = signed_in(eddie).get(reverse("memory:resource", args=[records.dana.id]))
        assert "This deployment cannot guarantee atomic saves" in page.text
        return
    base = records.dana.memory_version
    results: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def save(n: int) -> None:
        text = DANA_MEMORY + f"- **Edit**: number {n}\n"
        start.wait()
        try:
            store.memory.save_resource_working_memory(records.dana.id, text, expected=base)
            outcome = f"applied:{n}"
        except ConflictError:
            outcome = "conflict"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    applied = [r for r in results if r.startswith("applied")]
    assert len(results) == 20
    assert len(applied) == 1, results
    winner = int(applied[0].split(":")[1])
    assert store.memory.get_resource_by_id(records.dana.id).working_memory.endswith(f"number {winner}\n")


def test_the_page_says_whether_saves_are_atomic_on_this_deployment(store, records, eddie):
    response = signed_in(eddie).get(reverse("memory:resource", args=[records.dana.id]))
    warning = "This deployment cannot guarantee atomic saves"
    if store.health().atomic_saves:
        assert warning not in response.text
    else:
        assert warning in response.text
        assert "re-reads the working memory" in response.text


DRAFT = '{"name": "Arjun \\ud83d", "score": 2}'


@pytest.mark.parametrize(
    ("stored", "saved"),
    [
        # Too deep to be read as JSON: shown and edited as text, so the draft is stored as typed.
        ("[" * 100_000 + "]" * 100_000, DRAFT),
        # Schema mode: stored compact, half an emoji as U+FFFD (as every store reads it back).
        ('{"name":"Arjun \\ud83d","score":1}', '{"name":"Arjun \ufffd","score":2}'),
    ],
    ids=["nested-100k-levels", "lone-surrogate-escape"],
)
def test_an_agent_written_memory_the_editor_would_refuse_opens_and_saves(
    store, records, eddie, stored, saved
):
    # Written as an agent would, behind the dashboard's back; not a conflict, but the same three stores.
    store.memory.update_resource(records.arjun.id, working_memory=stored)
    client = signed_in(eddie)
    url = reverse("memory:resource", args=[records.arjun.id])
    page = client.get(url)
    assert page.status_code == 200
    response = submit(client, url, page, DRAFT)
    assert response.status_code == 303
    assert client.get(url).status_code == 200
    assert store.memory.get_resource_by_id(records.arjun.id).working_memory == saved
    assert AuditEvent.objects.get().outcome == Outcome.APPLIED


def _conflict(store, records, eddie, erin, eddies_text: str, erins_text: str, resource=None):
    """Eddie and Erin open one memory; Eddie saves first; Erin's save answers the conflict page."""
    resource = resource or records.dana
    url = reverse("memory:resource", args=[resource.id])
    eddie_client, erin_client = signed_in(eddie), signed_in(erin)
    eddies_page, erins_page = eddie_client.get(url), erin_client.get(url)
    assert submit(eddie_client, url, eddies_page, eddies_text).status_code == 303
    response = submit(erin_client, url, erins_page, erins_text)
    assert response.status_code == 409
    return url, erin_client, response


def test_overwriting_their_version_takes_the_explicit_choice_and_is_audited_as_such(
    store, records, eddie, second_editor
):
    eddies_text = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    erins_text = DANA_MEMORY.replace("Portland, OR", "Eugene, OR")
    url, erin_client, response = _conflict(store, records, eddie, second_editor, eddies_text, erins_text)
    # The edits overlap: no merge to save, and what overwriting would remove is shown, not folded away.
    assert 'id="merge-form"' not in response.text
    assert "Your edits overlap theirs" in response.text
    resolution = response.text.split('id="conflict-resolution"')[1].split("</div>\n    </section>")[0]
    assert "<details" not in resolution
    assert "Seattle, WA" in resolution and "1 line of theirs would be lost" in resolution

    overwrite = erin_client.post(url, {**form_fields(response), "action": "overwrite"})
    assert overwrite.status_code == 303
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == erins_text
    last = AuditEvent.objects.order_by("pk").last()
    assert (last.action, last.outcome, last.before) == (
        "working_memory.overwrite",
        Outcome.APPLIED,
        eddies_text,
    )


def test_an_overwrite_chosen_against_one_version_does_not_replace_a_newer_one(
    store, records, eddie, second_editor
):
    eddies_text = DANA_MEMORY + "- **Note**: call back on Monday\n"
    url, erin_client, response = _conflict(
        store, records, eddie, second_editor, eddies_text, DANA_MEMORY.replace("Dana", "Dani")
    )
    agent_text = eddies_text + "- **Note**: the agent wrote this meanwhile\n"
    store.memory.update_resource(records.dana.id, working_memory=agent_text)
    again = erin_client.post(url, {**form_fields(response), "action": "overwrite"})
    assert again.status_code == 409
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == agent_text


def test_an_overwrite_without_the_version_it_replaces_is_refused(store, records, eddie):
    client = signed_in(eddie)
    url = reverse("memory:resource", args=[records.dana.id])
    page = client.get(url)
    response = client.post(url, {**form_fields(page), "draft": "# Nothing left\n", "action": "overwrite"})
    assert response.status_code == 400
    assert "does not say which stored version to overwrite" in response.text
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY


def test_json_edits_of_different_keys_merge_and_save_as_valid_json(store, records, eddie, second_editor):
    base = json.loads(ARJUN_MEMORY)
    eddies = json.dumps({**base, "timezone": "Europe/London"}, indent=2)
    erins = json.dumps({**base, "preferredContact": "phone"}, indent=2)
    url, erin_client, response = _conflict(
        store, records, eddie, second_editor, eddies, erins, resource=records.arjun
    )
    merge_fields = form_fields(response, "merge-form")
    saved = erin_client.post(url, {**merge_fields, "action": "save"})
    assert saved.status_code == 303
    stored = json.loads(store.memory.get_resource_by_id(records.arjun.id).working_memory)
    assert stored == {**base, "timezone": "Europe/London", "preferredContact": "phone"}


def test_the_live_preview_while_resolving_diffs_against_their_version(store, records, eddie, second_editor):
    eddies_text = DANA_MEMORY + "- **Note**: call back on Monday\n"
    url, erin_client, response = _conflict(
        store, records, eddie, second_editor, eddies_text, DANA_MEMORY + "- **Note**: refund\n"
    )
    preview = erin_client.post(
        url,
        {**form_fields(response), "draft": eddies_text + "- **Note**: refund\n", "action": "review"},
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200
    assert "now stored (theirs)" in preview.text
    assert preview.text.count('class="diff-added"') == 1
