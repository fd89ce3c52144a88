"""/threads/<id>/: the parts and roles Mastra 1.71 writes beyond the classic ones, as a user sees
them: a ``data-*`` part as a labelled card, an ``isError`` result marked failed, a turn's terminal
``error`` part, a cited ``source-document``, and ``signal`` rows with their type and tag."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from .html_query import find_all
from .thread_records import newer_parts_thread, write

THREAD = "thread-newer-parts"


@pytest.fixture
def page(vera_client, empty_store):
    write(empty_store, newer_parts_thread())
    response = vera_client.get(reverse("threads:detail", args=[THREAD]))
    assert response.status_code == 200
    return response


def message(response, n: int) -> str:
    html = response.content.decode()
    start = html.index(f'id="msg-{THREAD}-m{n:02d}"')
    return html[html.rindex("<article", 0, start) : html.index("</article>", start)]


def test_a_data_part_is_a_card_labelled_with_its_type_name_and_a_json_tree(page):
    cards = find_all(message(page, 2), "div", cls="part-data")
    assert len(cards) == 1
    assert "order-status" in cards[0].text and "data" in cards[0].text
    html = message(page, 2)
    assert '<span class="json-key">stage</span> <span class="json-string">lookup-failed</span>' in html
    assert '<span class="json-key">retryInSeconds</span> <span class="json-number">30</span>' in html


def test_a_result_flagged_is_error_is_marked_failed_with_its_error_output(page):
    html = message(page, 3)
    assert 'class="part part-tool tool-error"' in html
    assert '<span class="badge badge-failed">failed</span>' in html
    assert "Error output" in html and "Payment gateway rejected the refund" in html
    # The flag is shown as the badge, not repeated among "other fields".
    assert "isError" not in html.split("Raw JSON")[0]


def test_an_output_error_beside_a_data_part_is_still_a_failed_tool(page):
    html = message(page, 2)
    assert '<span class="badge badge-failed">error</span>' in html
    assert "<pre>Order service timed out after 10000ms</pre>" in html


def test_a_terminal_error_part_says_the_turn_failed_with_name_and_message(page):
    errors = find_all(message(page, 4), "div", cls="part-error")
    assert len(errors) == 1
    assert "Turn failed" in errors[0].text and "APICallError" in errors[0].text
    assert "Rate limit reached for gpt-4o-mini" in errors[0].text


def test_a_source_document_shows_title_file_and_type_without_a_link(page):
    docs = find_all(message(page, 5), "p", cls="part-source-document")
    assert len(docs) == 1
    text = docs[0].text
    assert "Returns policy 2026" in text and "returns-2026.pdf" in text and "application/pdf" in text
    assert "<a " not in message(page, 5).split("part-source-document")[1].split("</p>")[0]


def test_signal_rows_show_their_role_type_and_tag(page):
    badges = {n: [b.text for b in find_all(message(page, n), "span", cls="signal-badge")] for n in (6, 7, 8)}
    assert badges == {6: ["reactive · system-reminder"], 7: ["notification · schedule"], 8: ["user"]}
    assert all('class="message message-signal"' in message(page, n) for n in (6, 7, 8))
    assert "The customer is on the Pro plan." in message(page, 6)


def test_signal_attributes_are_shown_as_a_json_tree(page):
    html = message(page, 7)
    assert "Signal attributes" in html
    assert (
        '<span class="json-key">scheduleId</span> <span class="json-string">agent_support__morning</span>'
        in html
    )
    assert "Signal attributes" not in message(page, 8)


def test_a_signal_without_metadata_falls_back_to_the_tag_in_its_type_column(vera_client, empty_store):
    records = newer_parts_thread()
    bare = records.messages[5]
    records.messages[5] = dataclasses.replace(
        bare, content={"format": 2, "parts": [{"type": "text", "text": "hi"}]}
    )
    write(empty_store, records)
    response = vera_client.get(reverse("threads:detail", args=[THREAD]))
    assert [b.text for b in find_all(message(response, 6), "span", cls="signal-badge")] == [
        "signal · system-reminder"
    ]
