"""The working-memory editor: /resources/<id>/memory/ and /threads/<id>/memory/ (SQLite store).

Conflicts between two editors, on both stores, are in test_memory_conflicts.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.audit.models import Action, AuditEvent, Outcome
from dashboard.core.store import use_store
from dashboard.memory_editor.editing import MAX_WORKING_MEMORY_BYTES, max_working_memory_bytes
from dashboard.memory_editor.forms import MemoryEditForm, encode_base
from dashboard.memory_editor.saving import RESOURCE, Failed, Gone, MemorySave, Target, Unknown
from storeclient.convex.module import MODULE_VERSION
from storeclient.convex.store import ConvexStore
from storeclient.errors import AuthError, BackendUnavailable, NotFoundError
from storeclient.sqlite import SQLiteStore

from .html_query import find_one
from .memory_records import (
    ARJUN_MEMORY,
    DANA_MEMORY,
    THREAD_MEMORY,
    CountingStore,
    MemoryRecords,
    SavesFail,
    form_fields,
    seed_memory,
    submit,
)
from .support import HTMX, convex_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "mastra.db")
    with use_store(store):
        yield store
    store.close()


@pytest.fixture
def records(store: SQLiteStore) -> MemoryRecords:
    return seed_memory(store)


@pytest.fixture
def dana_url(records: MemoryRecords) -> str:
    return reverse("memory:resource", args=[records.dana.id])


@pytest.fixture
def arjun_url(records: MemoryRecords) -> str:
    return reverse("memory:resource", args=[records.arjun.id])


@pytest.fixture
def thread_url(records: MemoryRecords) -> str:
    return reverse("memory:thread", args=[records.thread.id])


def review(client: Client, url: str, page, draft: str):
    """What the textarea's live preview request sends while typing."""
    return client.post(url, {**form_fields(page), "draft": draft, "action": "review"}, headers=HTMX)


# --- reading ------------------------------------------------------------------------------------


def test_the_url_names_are_memory_resource_and_memory_thread():
    assert reverse("memory:resource", args=["user_8f2c1a"]) == "/resources/user_8f2c1a/memory/"
    assert reverse("memory:thread", args=["c0a3f6e2"]) == "/threads/c0a3f6e2/memory/"


def test_an_editor_gets_the_stored_markdown_in_a_textarea_with_its_preview(eddie_client, dana_url):
    response = eddie_client.get(dana_url)
    assert response.status_code == 200
    assert form_fields(response)["draft"] == DANA_MEMORY
    assert "Markdown · template mode" in response.text
    assert "<strong>First Name</strong>: Dana" in response.text
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def test_json_memory_is_shown_pretty_printed_in_schema_mode(eddie_client, arjun_url):
    response = eddie_client.get(arjun_url)
    draft = form_fields(response)["draft"]
    assert draft == json.dumps(json.loads(ARJUN_MEMORY), indent=2, ensure_ascii=False)
    assert "JSON · schema mode" in response.text
    assert "valid JSON · object, 5 keys" in response.text


def test_thread_scoped_memory_is_edited_on_the_thread(eddie_client, thread_url, records):
    response = eddie_client.get(thread_url)
    assert form_fields(response)["draft"] == THREAD_MEMORY
    assert "Where is order A-10517?" in response.text


def test_the_page_costs_one_store_call(eddie_client, dana_url, store):
    counting = CountingStore(store)
    with use_store(counting):
        eddie_client.get(dana_url)
    del counting.calls["describe"]  # the footer's, asked once per store object
    # Whether saves are atomic is known without a round trip (store.atomic_saves).
    assert counting.calls == {"memory.get_resource_by_id": 1}


def test_an_unknown_resource_or_thread_is_not_found(eddie_client, records):
    assert eddie_client.get(reverse("memory:resource", args=["user_nobody"])).status_code == 404
    assert eddie_client.get(reverse("memory:thread", args=["no-such-thread"])).status_code == 404
    fields = {"action": "save", "draft": "# x", "version": "2026-01-01T00:00:00.000Z|" + "0" * 32}
    assert eddie_client.post(reverse("memory:resource", args=["user_nobody"]), fields).status_code == 404


def test_stored_memory_is_sanitised_for_a_viewer(vera_client, store, records):
    store.memory.save_resource_working_memory(
        records.dana.id,
        '# Notes\n<img src=x onerror="alert(1)"> [click](javascript:alert(2)) <div hx-get="/x">',
        expected=records.dana.memory_version,
    )
    response = vera_client.get(reverse("memory:resource", args=[records.dana.id]))
    assert "<img" not in response.text
    assert 'href="javascript:' not in response.text
    assert "<div hx-get" not in response.text
    assert "&lt;img src=x onerror=" in response.text


# --- live preview and validation -----------------------------------------------------------------


def test_typing_returns_the_preview_and_the_diff_without_touching_the_store(eddie_client, dana_url, store):
    page = eddie_client.get(dana_url)
    counting = CountingStore(store)
    with use_store(counting):
        response = review(eddie_client, dana_url, page, DANA_MEMORY.replace("Portland, OR", "Seattle, WA"))
    del counting.calls["describe"]  # the footer's, asked once per store object
    assert counting.total == 0
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="draft-panels"')
    assert "<html" not in response.text
    assert "<strong>Location</strong>: Seattle, WA" in response.text
    assert "- **Location**: Portland, OR" in response.text  # the removed line of the diff
    assert "+1" in response.text and "−1" in response.text


def test_the_preview_escapes_html_in_the_draft(eddie_client, dana_url):
    page = eddie_client.get(dana_url)
    response = review(eddie_client, dana_url, page, "<script>alert(1)</script>\n[x](javascript:alert(1))")
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert 'href="javascript:' not in response.text


def test_invalid_json_is_reported_with_line_and_column_as_you_type(eddie_client, arjun_url):
    page = eddie_client.get(arjun_url)
    response = review(eddie_client, arjun_url, page, '{\n  "name": "Arjun Mehta"\n  "timezone": "UTC"\n}')
    assert "invalid JSON" in response.text
    assert "Line 3, column 3: Expecting &#x27;,&#x27; delimiter." in response.text


# --- saving -------------------------------------------------------------------------------------


def test_saving_writes_the_store_and_records_who_changed_what(eddie_client, dana_url, store, records):
    page = eddie_client.get(dana_url)
    draft = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    response = submit(eddie_client, dana_url, page, draft)
    assert response.status_code == 303
    assert response["Location"] == dana_url
    stored = store.memory.get_resource_by_id(records.dana.id)
    assert stored.working_memory == draft
    assert stored.metadata == {"plan": "pro", "crmId": "0035e00001XyZ9"}
    event = AuditEvent.objects.get()
    assert (event.username, event.action, event.target) == (
        "eddie",
        Action.WORKING_MEMORY_SAVE,
        f"resource:{records.dana.id}",
    )
    assert (event.before, event.after, event.outcome) == (DANA_MEMORY, draft, Outcome.APPLIED)
    assert event.base_version == records.dana.memory_version.token()
    assert event.result_version == stored.memory_version.token()
    assert event.completed_at is not None
    followed = eddie_client.get(dana_url)
    assert "Saved." in followed.text
    assert form_fields(followed)["draft"] == draft


def test_a_browser_crlf_textarea_is_saved_with_the_stored_line_endings(
    eddie_client, dana_url, store, records
):
    page = eddie_client.get(dana_url)
    submit(eddie_client, dana_url, page, (DANA_MEMORY + "- **Pets**: a cat\n").replace("\n", "\r\n"))
    assert (
        store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY + "- **Pets**: a cat\n"
    )


def test_json_is_saved_compact_as_mastra_writes_it(eddie_client, arjun_url, store, records):
    page = eddie_client.get(arjun_url)
    draft = form_fields(page)["draft"].replace('"concise"', '"friendly"')
    assert submit(eddie_client, arjun_url, page, draft).status_code == 303
    stored = store.memory.get_resource_by_id(records.arjun.id).working_memory
    assert stored == ARJUN_MEMORY.replace('"concise"', '"friendly"')


def test_thread_memory_is_saved_and_other_metadata_is_kept(eddie_client, thread_url, store, records):
    page = eddie_client.get(thread_url)
    draft = THREAD_MEMORY + "- **Follow-up**: email on Monday\n"
    assert submit(eddie_client, thread_url, page, draft).status_code == 303
    thread = store.memory.get_thread_by_id(records.thread.id)
    assert thread.metadata == {"agentId": "supportAgent", "channel": "web", "workingMemory": draft}
    assert thread.title == "Where is order A-10517?"
    assert AuditEvent.objects.get().target == f"thread:{records.thread.id}"


def test_a_resource_without_memory_can_be_given_some(eddie_client, store, records):
    url = reverse("memory:resource", args=[records.blank.id])
    page = eddie_client.get(url)
    assert form_fields(page)["draft"] == ""
    assert submit(eddie_client, url, page, "# User Information\n- **First Name**: Sam\n").status_code == 303
    assert store.memory.get_resource_by_id(records.blank.id).working_memory.startswith("# User Information")


def test_saving_invalid_json_is_refused_with_line_and_column_and_the_draft_is_kept(
    eddie_client, arjun_url, store, records
):
    page = eddie_client.get(arjun_url)
    draft = '{"name": "Arjun Mehta",}'
    response = submit(eddie_client, arjun_url, page, draft)
    assert response.status_code == 422
    assert "Line 1, column 24: Expecting property name enclosed in double quotes." in response.text
    assert form_fields(response)["draft"] == draft
    assert store.memory.get_resource_by_id(records.arjun.id).working_memory == ARJUN_MEMORY
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (
            '{"name": "Arjun Mehta", "score": NaN, "floor": -Infinity}',
            "Line 1, column 34: NaN is not a JSON number",
        ),
        ('{\n  "name": "Arjun Mehta",\n  "id": ' + "7" * 5000 + "\n}", "an integer of 5,000 digits"),
        ('{"name": "Arjun Mehta", "balance": 1e400}', "1e400 is too large for a JSON number"),
        ("[" * 100_000 + "]" * 100_000, "Line 1, column 501: nested deeper than 500 levels"),
    ],
    ids=["nan", "long-integer", "infinite-float", "deep"],
)
def test_json_that_mastra_cannot_read_back_is_refused_with_where_and_the_draft_is_kept(
    eddie_client, arjun_url, store, records, draft, message
):
    page = eddie_client.get(arjun_url)
    response = submit(eddie_client, arjun_url, page, draft)
    assert response.status_code == 422
    assert message in find_one(response.content, "ul", id="draft-errors").text
    assert form_fields(response)["draft"] == draft
    assert store.memory.get_resource_by_id(records.arjun.id).working_memory == ARJUN_MEMORY
    assert not AuditEvent.objects.exists()
    preview = review(eddie_client, arjun_url, page, draft)
    assert preview.status_code == 200
    assert message in preview.text


def test_json_nested_500_levels_is_still_accepted(eddie_client, arjun_url, store, records):
    page = eddie_client.get(arjun_url)
    draft = '{"deep": ' + "[" * 499 + "]" * 499 + "}"
    response = submit(eddie_client, arjun_url, page, draft)
    assert response.status_code == 303
    assert store.memory.get_resource_by_id(records.arjun.id).working_memory == draft.replace(" ", "")


def test_a_lone_surrogate_escape_in_a_json_draft_is_saved_as_a_replacement_character(
    eddie_client, arjun_url, store, records
):
    page = eddie_client.get(arjun_url)
    response = submit(eddie_client, arjun_url, page, '{"name": "Arjun \\ud83d"}')
    assert response.status_code == 303
    assert eddie_client.get(arjun_url).status_code == 200
    assert json.loads(store.memory.get_resource_by_id(records.arjun.id).working_memory) == {
        "name": "Arjun \ufffd"
    }


def test_a_json_scalar_is_not_schema_mode_memory(eddie_client, arjun_url):
    page = eddie_client.get(arjun_url)
    response = submit(eddie_client, arjun_url, page, '"just a string"')
    assert response.status_code == 422
    assert "must be a JSON object" in response.text


def test_an_oversized_value_is_refused_before_it_is_sent_with_its_size(
    eddie_client, dana_url, store, records
):
    page = eddie_client.get(dana_url)
    draft = "# Notes\n" + "Ünïcode notes line\n" * 60_000  # 1,260,008 bytes in UTF-8
    counting = CountingStore(store)
    with use_store(counting):
        response = submit(eddie_client, dana_url, page, draft)
    assert response.status_code == 413
    assert "This working memory is 1.20 MiB; the most this store can hold is 960.0 KiB" in response.text
    assert "memory.save_resource_working_memory" not in counting.calls
    assert form_fields(response)["draft"] == draft
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY


def test_the_limit_counts_utf8_bytes_not_characters(eddie_client, dana_url):
    page = eddie_client.get(dana_url)
    fits_in_chars = "€" * (MAX_WORKING_MEMORY_BYTES // 2)  # 3 bytes each in UTF-8
    response = submit(eddie_client, dana_url, page, fits_in_chars)
    assert response.status_code == 413
    assert "1.41 MiB" in response.text


def test_convex_and_a_store_without_a_document_limit_refuse_the_same_size():
    convex_document = 1024 * 1024  # ConvexStore.max_document_bytes
    assert max_working_memory_bytes(convex_document) == max_working_memory_bytes(None) == 960 * 1024


def test_saving_an_unchanged_draft_writes_nothing(eddie_client, arjun_url, store, records):
    page = eddie_client.get(arjun_url)
    response = submit(eddie_client, arjun_url, page)  # the pretty-printed text, unchanged
    assert response.status_code == 303
    assert "No changes to save" in eddie_client.get(arjun_url).text
    assert store.memory.get_resource_by_id(records.arjun.id).updated_at == records.arjun.updated_at
    assert not AuditEvent.objects.exists()


def test_a_save_without_the_version_it_started_from_is_refused(eddie_client, dana_url, store, records):
    response = eddie_client.post(dana_url, {"action": "save", "draft": "# Overwrite"})
    assert response.status_code == 428
    assert "no version marker" in response.text
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY


def test_a_store_failure_keeps_the_draft_and_records_the_failure(eddie_client, dana_url, store, records):
    page = eddie_client.get(dana_url)
    draft = DANA_MEMORY + "- **Pets**: a cat\n"
    failing = SavesFail(store, BackendUnavailable("Could not connect to the Convex deployment."))
    with use_store(failing):
        response = submit(eddie_client, dana_url, page, draft)
    assert response.status_code == 503
    assert "The store is not reachable" in response.text
    assert "Could not connect" in response.text
    assert "Your change was not confirmed by the store" in response.text
    assert form_fields(response)["draft"] == draft
    event = AuditEvent.objects.get()
    assert event.outcome == Outcome.FAILED
    assert "Could not connect" in event.error


def test_saving_again_after_a_save_that_did_land_writes_nothing_twice(eddie_client, dana_url, store, records):
    page = eddie_client.get(dana_url)
    draft = DANA_MEMORY + "- **Pets**: a cat\n"
    # The first attempt reached the store but its answer was lost (a timeout after sending).
    store.memory.save_resource_working_memory(records.dana.id, draft, expected=records.dana.memory_version)
    response = submit(eddie_client, dana_url, page, draft)
    assert response.status_code == 303
    assert "already the stored version" in eddie_client.get(dana_url).text
    assert AuditEvent.objects.get().outcome == Outcome.CONFLICT


def test_a_resource_deleted_meanwhile_is_not_re_created(eddie_client, dana_url, store, records):
    page = eddie_client.get(dana_url)
    with store.pool.connection() as conn:  # no delete_resource in Mastra's API: do it as an operator would
        conn.execute("DELETE FROM mastra_resources WHERE id = ?", (records.dana.id,))
    response = submit(eddie_client, dana_url, page, "# Recreated?")
    assert response.status_code == 404
    assert "no longer exists" in response.text
    assert "# Recreated?" in response.text
    assert store.memory.get_resource_by_id(records.dana.id) is None


def test_a_thread_deleted_meanwhile_answers_not_found_and_keeps_the_draft(
    eddie_client, thread_url, store, records
):
    page = eddie_client.get(thread_url)
    store.memory.delete_thread(records.thread.id)
    response = submit(eddie_client, thread_url, page, THREAD_MEMORY + "- more\n")
    assert response.status_code == 404
    assert "no longer exists" in response.text
    assert AuditEvent.objects.get().outcome == Outcome.FAILED


@pytest.mark.parametrize(
    ("error", "outcome", "recorded"),
    [
        # No answer after the request went out: the write may have landed.
        (
            BackendUnavailable(
                "The Convex deployment did not answer in time (ReadTimeout).", may_have_reached_store=True
            ),
            Unknown,
            Outcome.UNKNOWN,
        ),
        # The request never left: nothing was written.
        (BackendUnavailable("Could not connect to the Convex deployment."), Failed, Outcome.FAILED),
        (AuthError("The deployment refused the admin key."), Failed, Outcome.FAILED),
        (
            NotFoundError("Resource user_8f2c1a not found.", kind="resource", record_id="user_8f2c1a"),
            Gone,
            Outcome.FAILED,
        ),
    ],
)
def test_each_store_answer_to_a_save_is_one_outcome_and_one_audit_row(
    eddie, store, records, error, outcome, recorded
):
    form = MemoryEditForm(
        {
            "action": "save",
            "draft": DANA_MEMORY + "- **Pets**: a cat\n",
            "version": records.dana.memory_version.token(),
            "base": encode_base(DANA_MEMORY),
        }
    )
    assert form.is_valid()
    save = MemorySave.from_post(
        Target(RESOURCE, records.dana.id), form.cleaned_data, eddie, MAX_WORKING_MEMORY_BYTES
    )
    assert isinstance(save.run(SavesFail(store, error)), outcome)
    assert AuditEvent.objects.get().outcome == recorded


def convex_whose_save_fails(failure: type[httpx.TransportError]) -> ConvexStore:
    """A Convex deployment with the dashboard module whose save mutation fails with ``failure``."""

    def handle(request: httpx.Request) -> httpx.Response:
        path = json.loads(request.content)["path"]
        if path.endswith(":probe"):
            return httpx.Response(200, json={"status": "success", "value": {"version": MODULE_VERSION}})
        if path.endswith(":saveResourceWorkingMemory"):
            raise failure("no answer", request=request)
        raise AssertionError(f"unexpected call {path}")

    return convex_store(httpx.MockTransport(handle))


def test_a_save_whose_answer_timed_out_is_recorded_as_unknown_not_failed(eddie_client, dana_url, records):
    page = eddie_client.get(dana_url)
    draft = DANA_MEMORY + "- **Pets**: a cat\n"
    with use_store(convex_whose_save_fails(httpx.ReadTimeout)):
        response = submit(eddie_client, dana_url, page, draft)
    assert response.status_code == 503
    assert "The store did not answer; the change may or may not have been saved — reload to check." in (
        response.text
    )
    assert "not confirmed" not in response.text
    assert form_fields(response)["draft"] == draft
    event = AuditEvent.objects.get()
    assert event.outcome == Outcome.UNKNOWN
    # The history on the page says so too, with the change that was attempted.
    entry = find_one(response.content, "li", id=f"history-{event.pk}")
    assert entry.get("data-outcome") == "unknown"
    assert "Pets" in entry.text


def test_a_save_that_could_not_connect_is_recorded_as_failed(eddie_client, dana_url, records):
    page = eddie_client.get(dana_url)
    with use_store(convex_whose_save_fails(httpx.ConnectError)):
        response = submit(eddie_client, dana_url, page, DANA_MEMORY + "- **Pets**: a cat\n")
    assert response.status_code == 503
    assert "Your change was not confirmed by the store" in response.text
    assert "may or may not have been saved" not in response.text
    assert AuditEvent.objects.get().outcome == Outcome.FAILED


# --- roles --------------------------------------------------------------------------------------


def test_a_viewer_reads_the_memory_without_any_edit_control(vera_client, dana_url):
    response = vera_client.get(dana_url)
    assert response.status_code == 200
    assert "<textarea" not in response.text
    assert "Save</button>" not in response.text
    assert "restore-form" not in response.text
    assert "<strong>First Name</strong>: Dana" in response.text
    assert "changing it needs the editor role" in response.text


def test_the_server_refuses_a_viewers_save_and_preview(vera_client, eddie, dana_url, store, records):
    editor = Client()
    editor.force_login(eddie)
    fields = form_fields(editor.get(dana_url))
    for action in ("save", "review", "restore"):
        response = vera_client.post(dana_url, {**fields, "draft": "# Vera was here", "action": action})
        assert response.status_code == 403
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY
    assert not AuditEvent.objects.exists()


# --- history and restore ------------------------------------------------------------------------


def test_the_history_shows_each_edit_with_its_diff(eddie_client, dana_url):
    first = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    submit(eddie_client, dana_url, eddie_client.get(dana_url), first)
    submit(eddie_client, dana_url, eddie_client.get(dana_url), first + "- **Pets**: a cat\n")
    response = eddie_client.get(dana_url)
    history = response.text[response.text.index('id="memory-history"') :]
    assert history.count('class="history-entry"') == 2
    assert history.index("- **Pets**: a cat") < history.index("Seattle, WA")  # newest first
    assert "by eddie" in history


def test_an_edit_made_by_the_agent_between_two_saves_is_pointed_out(eddie_client, dana_url, store, records):
    submit(eddie_client, dana_url, eddie_client.get(dana_url), DANA_MEMORY + "- **Pets**: a cat\n")
    current = store.memory.get_resource_by_id(records.dana.id)
    store.memory.save_resource_working_memory(
        records.dana.id,
        current.working_memory + "- **Agent note**: asked about descaling\n",
        expected=current.memory_version,
    )
    submit(eddie_client, dana_url, eddie_client.get(dana_url), DANA_MEMORY)
    assert "changed outside the dashboard" in eddie_client.get(dana_url).text


def test_an_older_version_is_restored_through_a_conflict_safe_save(eddie_client, dana_url, store, records):
    first = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    submit(eddie_client, dana_url, eddie_client.get(dana_url), first)
    submit(eddie_client, dana_url, eddie_client.get(dana_url), "# Wiped by mistake\n")
    page = eddie_client.get(dana_url)
    first_edit = AuditEvent.objects.order_by("pk").first()
    fields = form_fields(page, "restore-form")
    preview = eddie_client.post(dana_url, {**fields, "restore": f"{first_edit.pk}:after"})
    # First what it would change, and nothing written.
    assert preview.status_code == 200
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == "# Wiped by mistake\n"
    shown = preview.text.split('id="restore-preview"')[1].split("</section>")[0]
    removed = [row.split("</tr>")[0] for row in shown.split('class="diff-removed"')[1:]]
    added = [row.split("</tr>")[0] for row in shown.split('class="diff-added"')[1:]]
    assert any("Wiped by mistake" in row for row in removed)
    assert any("Seattle, WA" in row for row in added)
    response = eddie_client.post(dana_url, form_fields(preview, "restore-confirm-form"))
    assert response.status_code == 303
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == first
    restore = AuditEvent.objects.order_by("pk").last()
    assert (restore.action, restore.outcome, restore.after) == (
        Action.WORKING_MEMORY_RESTORE,
        Outcome.APPLIED,
        first,
    )
    assert "Restored the version from" in eddie_client.get(dana_url).text


def test_a_restore_confirmed_after_the_memory_changed_is_a_conflict_not_an_overwrite(
    eddie_client, dana_url, store, records
):
    submit(eddie_client, dana_url, eddie_client.get(dana_url), "# Second version\n")
    event = AuditEvent.objects.get()
    preview = eddie_client.post(
        dana_url, {**form_fields(eddie_client.get(dana_url), "restore-form"), "restore": f"{event.pk}:before"}
    )
    current = store.memory.get_resource_by_id(records.dana.id)
    store.memory.save_resource_working_memory(
        records.dana.id, "# The agent's version\n", expected=current.memory_version
    )
    response = eddie_client.post(dana_url, form_fields(preview, "restore-confirm-form"))
    assert response.status_code == 409
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == "# The agent's version\n"
    assert form_fields(response)["draft"] == DANA_MEMORY  # the version being restored, ready to merge


def test_the_version_stored_now_is_not_offered_for_restore(eddie_client, dana_url, store, records):
    submit(eddie_client, dana_url, eddie_client.get(dana_url), "# Second version\n")
    page = eddie_client.get(dana_url)
    entry = page.text.split('class="history-entry"')[1]
    assert "This is the version stored now." in entry
    assert "Restore this version" not in entry
    assert "Restore the version before it" in entry


def test_a_history_entry_of_another_target_cannot_be_restored_here(eddie_client, dana_url, arjun_url):
    submit(eddie_client, arjun_url, eddie_client.get(arjun_url), '{"name": "Arjun"}')
    event = AuditEvent.objects.get()
    page = eddie_client.get(dana_url)
    response = eddie_client.post(
        dana_url, {**form_fields(page, "restore-form"), "restore": f"{event.pk}:after"}
    )
    assert response.status_code == 404


def test_a_save_that_never_completed_shows_as_unknown_after_a_minute(eddie_client, dana_url, eddie, records):
    event = AuditEvent.start(
        eddie,
        Action.WORKING_MEMORY_SAVE,
        "resource",
        records.dana.id,
        before=DANA_MEMORY,
        after="# half-saved",
    )
    AuditEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    response = eddie_client.get(dana_url)
    assert 'data-outcome="unknown"' in response.text


def test_without_javascript_review_changes_shows_the_diff_on_the_page(eddie_client, dana_url, store, records):
    page = eddie_client.get(dana_url)
    draft = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    response = eddie_client.post(dana_url, {**form_fields(page), "draft": draft, "action": "review"})
    assert response.status_code == 200
    assert "<html" in response.text
    assert form_fields(response)["draft"] == draft
    assert form_fields(response)["version"] == records.dana.memory_version.token()
    assert "Seattle, WA" in response.text.split('id="memory-changes"')[1]
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY


def test_a_damaged_version_marker_is_refused(eddie_client, dana_url, store, records):
    page = eddie_client.get(dana_url)
    response = eddie_client.post(
        dana_url, {**form_fields(page), "version": "yesterday", "draft": "# x", "action": "save"}
    )
    assert response.status_code == 400
    assert "version marker is damaged" in response.text
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY


@pytest.mark.parametrize(
    "stored",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"name":"Arjun \\ud83d","score":1}',
        '{"id":' + "7" * 5000 + "}",
    ],
    ids=["deep", "lone-surrogate", "long-integer"],
)
def test_an_agent_written_memory_the_editor_would_refuse_still_opens(
    eddie_client, arjun_url, store, records, stored
):
    store.memory.update_resource(records.arjun.id, working_memory=stored)
    response = eddie_client.get(arjun_url)
    assert response.status_code == 200
    assert find_one(response.content, "textarea", id="memory-draft") is not None


# --- a request over the server's body limit -------------------------------------------------------

#: A small DATA_UPLOAD_MAX_MEMORY_SIZE, so a test draft can be over it without megabytes of text.
SMALL_BODY_LIMIT = 4096


def test_a_save_over_the_servers_request_limit_says_nothing_was_saved_instead_of_a_bare_400(
    eddie_client, dana_url, store, records, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = SMALL_BODY_LIMIT
    page = eddie_client.get(dana_url)
    assert find_one(page.content, "form", id="memory-form").get("data-max-request-bytes") == "4096"
    response = submit(eddie_client, dana_url, page, DANA_MEMORY + "- **Notes**: " + "long " * 2000)
    assert response.status_code == 413
    assert (
        "Your edit is larger than the 4.0 KiB the server accepts; nothing was saved."
        in find_one(response.content, "article", id="save-error").text
    )
    assert find_one(response.content, "textarea", id="memory-draft") is not None
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY
    assert not AuditEvent.objects.exists()


def test_a_live_preview_over_the_request_limit_answers_in_the_panels_and_leaves_the_textarea(
    eddie_client, dana_url, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = SMALL_BODY_LIMIT
    page = eddie_client.get(dana_url)
    response = review(eddie_client, dana_url, page, "long " * 2000)
    assert response.status_code == 413 and response["X-Dashboard-Swap-Error"] == "true"
    panels = find_one(response.content, "div", id="draft-panels")
    assert "the server accepts; nothing was saved. Shorten the draft before saving." in panels.text
    assert b"memory-draft" not in response.content


def test_the_request_limit_check_does_not_switch_off_csrf(eddie, dana_url, records):
    client = Client(enforce_csrf_checks=True)
    client.force_login(eddie)
    response = client.post(dana_url, {"action": "save", "draft": "# Forged", "version": "x"})
    assert response.status_code == 403
