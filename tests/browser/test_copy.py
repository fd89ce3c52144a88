"""Copy buttons in a real browser: the whole id reaches the clipboard, by mouse or keyboard, and a
screen reader hears "Copied"."""

from __future__ import annotations

from playwright.sync_api import expect


def test_a_run_id_is_copied_whole_by_keyboard_and_announced(signed_in, live_server, demo_store):
    page = signed_in("viewer")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/workflows/")
    row = page.locator("table.run-rows tbody tr").first
    run_id = row.get_attribute("data-run-id")
    button = row.get_by_role("button", name="Copy run id")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text("Copied")
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == run_id
    expect(button).to_have_text("Copy", timeout=4000)


def test_raw_json_is_copied_from_the_raw_view(signed_in, live_server, demo_store, demo_site):
    store, data = demo_site
    scorer_id = data.scores[0].payload["scorerId"]
    score = store.scores.score_feed(scorer_id, limit=1).items[0]
    page = signed_in("viewer")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/scores/{scorer_id}/{score.id}/")
    section = page.locator("details.score-section").first
    section.get_by_role("button", name="Copy JSON").click()
    expect(page.locator("#copy-status")).to_have_text("Copied")
    raw = section.locator(".json-raw pre").text_content()
    assert page.evaluate("navigator.clipboard.readText()") == raw
    assert raw.lstrip().startswith(("{", "["))
