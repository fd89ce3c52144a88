"""The working-memory editor in a real browser: live preview, diff, save, the conflict flow, roles,
restore and the size limit, all under the strict CSP."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.dashboard.memory_records import ARJUN_MEMORY, DANA_MEMORY, MemoryRecords, seed_memory


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "mastra.db") as sqlite_store, use_store(sqlite_store):
        yield sqlite_store


@pytest.fixture
def records(store: SQLiteStore) -> MemoryRecords:
    return seed_memory(store)


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors (CSP violations land here), minus the failed-status lines of expected 4xx."""
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error" and "the server responded with a status of" not in message.text:
            errors.append(message.text)

    page.on("console", record)
    return errors


def open_editor(
    signed_in: Callable[[str], Page], live_server, resource_id: str, role: str = "editor"
) -> Page:
    page = signed_in(role)
    page.goto(f"{live_server.url}/resources/{resource_id}/memory/")
    return page


def test_typing_updates_the_preview_and_the_diff_without_a_reload_then_save_stores_it(
    signed_in, live_server, store, records, console_errors
):
    page = open_editor(signed_in, live_server, records.dana.id)
    expect(page.locator("#memory-preview strong").first).to_have_text("First Name")
    page.evaluate("window.__sameDocument = true")

    draft = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    page.fill("#memory-draft", draft)
    expect(page.locator("#memory-preview")).to_contain_text("Seattle, WA")
    expect(page.locator("#memory-changes tr.diff-removed")).to_contain_text("Portland, OR")
    expect(page.locator("#memory-changes tr.diff-added")).to_contain_text("Seattle, WA")
    assert page.evaluate("window.__sameDocument") is True  # updated in place, no reload

    page.click("#save-button")
    expect(page.locator(".flash")).to_contain_text("Saved.")
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == draft
    expect(page.locator("#memory-history .history-entry")).to_have_count(1)
    assert console_errors == []


def test_invalid_json_is_flagged_with_line_and_column_while_typing(signed_in, live_server, store, records):
    page = open_editor(signed_in, live_server, records.arjun.id)
    expect(page.locator("#draft-status")).to_contain_text("valid JSON · object, 5 keys")
    page.fill("#memory-draft", '{\n  "name": "Arjun Mehta"\n  "timezone": "UTC"\n}')
    expect(page.locator("#draft-errors")).to_contain_text("Line 3, column 3: Expecting ',' delimiter.")
    page.click("#save-button")
    expect(page.locator("#draft-errors")).to_contain_text("Line 3, column 3")
    assert store.memory.get_resource_by_id(records.arjun.id).working_memory == ARJUN_MEMORY


def test_a_change_made_behind_the_pages_back_leads_to_a_three_way_merge(
    signed_in, live_server, store, records, console_errors
):
    page = open_editor(signed_in, live_server, records.dana.id)
    agent_text = DANA_MEMORY.replace("- **Projects**: \n", "- **Projects**: Saturday catering job\n")
    store.memory.update_resource(records.dana.id, working_memory=agent_text)  # the agent, meanwhile

    mine = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    page.fill("#memory-draft", mine)
    page.click("#save-button")

    expect(page.locator("#conflict")).to_contain_text("Someone else changed this working memory")
    expect(page.locator("#conflict-base")).to_contain_text("Portland, OR")
    expect(page.locator("#conflict-theirs")).to_contain_text("Saturday catering job")
    expect(page.locator("#conflict-yours")).to_contain_text("Seattle, WA")
    expect(page.locator("#memory-draft")).to_have_value(mine)
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == agent_text

    # The two edits touch different lines: the merge is shown, and saving it keeps both.
    merged = agent_text.replace("Portland, OR", "Seattle, WA")
    expect(page.locator("#conflict-merge tr.diff-added")).to_have_count(1)
    expect(page.locator("#conflict-merge tr.diff-added")).to_contain_text("Seattle, WA")
    page.click("#save-merge-button")
    expect(page.locator(".flash")).to_contain_text("Saved.")
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == merged
    assert console_errors == []


def test_a_viewer_sees_no_edit_controls_and_the_server_refuses_their_post(
    signed_in, live_server, store, records
):
    page = open_editor(signed_in, live_server, records.dana.id, role="viewer")
    expect(page.locator("#stored-memory")).to_contain_text("First Name")
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_role("button", name="Restore this version")).to_have_count(0)

    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}/resources/{records.dana.id}/memory/",
        form={"action": "save", "draft": "# Vera was here", "version": records.dana.memory_version.token()},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status == 403
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY


def test_an_older_version_is_restored_from_the_history(signed_in, live_server, store, records):
    page = open_editor(signed_in, live_server, records.dana.id)
    page.fill("#memory-draft", "# Wiped by mistake\n")
    page.click("#save-button")
    expect(page.locator(".flash")).to_contain_text("Saved.")

    page.get_by_role("button", name="Restore the version before it").click()
    # First what it would change; nothing is written until confirmed.
    expect(page.locator("#restore-preview")).to_contain_text("Nothing is written until you confirm")
    expect(page.locator("#restore-preview tr.diff-removed")).to_contain_text("Wiped by mistake")
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == "# Wiped by mistake\n"
    page.click("#restore-confirm-button")
    expect(page.locator(".flash")).to_contain_text("Restored the version from")
    expect(page.locator("#memory-draft")).to_have_value(DANA_MEMORY)
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY
    expect(page.locator("#memory-history .history-entry").first).to_contain_text("Restore of working memory")
    # The version stored now is not offered again.
    expect(page.locator("#memory-history .history-entry").first).to_contain_text(
        "This is the version stored now."
    )
    expect(
        page.locator("#memory-history .history-entry").first.get_by_role(
            "button", name="Restore this version"
        )
    ).to_have_count(0)


def test_an_oversized_value_is_refused_with_its_size(signed_in, live_server, store, records):
    page = open_editor(signed_in, live_server, records.dana.id)
    big = "# Notes\n" + "Ünïcode notes line\n" * 60_000
    # A paste: one input event (typing a megabyte key by key would take minutes).
    page.locator("#memory-draft").evaluate(
        "(area, text) => { area.value = text; area.dispatchEvent(new Event('input', {bubbles: true})); }", big
    )
    # Two megabytes through the live preview: allow for a busy machine.
    expect(page.locator("#draft-errors")).to_contain_text("This working memory is 1.20 MiB", timeout=20_000)
    page.click("#save-button")
    expect(page.locator("#client-size-error")).to_have_text(
        "This working memory is 1.20 MiB; the most this store can hold is 960.0 KiB. Nothing was sent."
    )
    assert page.locator("#memory-draft").input_value() == big
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY


def test_a_draft_over_the_servers_request_limit_is_not_sent_and_stays_in_the_editor(
    signed_in, live_server, store, records, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 8192
    page = open_editor(signed_in, live_server, records.dana.id)
    draft = DANA_MEMORY + "- **Notes**: " + "a long note " * 1000
    page.fill("#memory-draft", draft)
    page.click("#save-button")
    expect(page.locator("#client-size-error")).to_contain_text(
        "Your edit is larger than the 8.0 KiB the server accepts"
    )
    expect(page.locator("#client-size-error")).to_contain_text("nothing was sent")
    assert page.locator("#memory-draft").input_value() == draft
    assert store.memory.get_resource_by_id(records.dana.id).working_memory == DANA_MEMORY


def test_the_audit_log_filters_in_place_and_keeps_the_filter_in_the_url(
    signed_in, live_server, store, records
):
    page = open_editor(signed_in, live_server, records.dana.id, role="admin")
    page.fill("#memory-draft", DANA_MEMORY + "- **Pets**: a cat\n")
    page.click("#save-button")
    expect(page.locator(".flash")).to_contain_text("Saved.")
    page.goto(f"{live_server.url}/audit/")
    # The admin's sign-in and the save.
    expect(page.locator("#audit-results tbody tr")).to_have_count(2)
    page.select_option("select[name=kind]", "working_memory")
    expect(page.locator("#audit-results tbody tr")).to_have_count(1)
    assert "kind=working_memory" in page.url
    page.select_option("select[name=outcome]", "conflict")
    expect(page.locator("#audit-results")).to_contain_text("No events match these filters.")
    assert "outcome=conflict" in page.url
    page.select_option("select[name=outcome]", "applied")
    expect(page.locator("#audit-results tbody tr")).to_have_count(1)
    expect(page.locator("#audit-results")).to_contain_text(f"resource:{records.dana.id}")
