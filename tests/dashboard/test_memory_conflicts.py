"""No lost updates: two people (or twenty requests) editing one working memory, on both stores.

Every test runs on the SQLite store, on a ConvexStore talking to the local Convex dev server with the
dashboard's module deployed, and on one whose deployment has only Mastra's standard handler. Where a
deployment cannot save atomically (the last), the race test checks that the page says so instead.
"""

from __future__ import annotations

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

from .memory_records import DANA_MEMORY, THREAD_MEMORY, MemoryRecords, form_fields, seed_memory, submit


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

    # Erin merges both notes and saves again: the save now applies on top of Eddie's version.
    merged = eddies_text + "- **Note**: prefers a refund over a replacement\n"
    retry = erin_client.post(url, {**fields, "draft": merged, "action": "save"})
    assert retry.status_code == 303
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
