"""/threads/<id>/: the thread's header, working memory and messages, every part type and format."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from dashboard.core.store import get_store, use_store
from storeclient.convex.memory import CAPPED_NOTE
from storeclient.models import Message

from .html_query import find_all, find_one
from .support import HTMX
from .thread_records import PNG_BASE64, RESOURCE, T0, CappedFeeds, every_format_thread, long_thread, write

EVERY = "thread-every-format"


def url(thread_id: str = EVERY, **query: str) -> str:
    path = reverse("threads:detail", args=[thread_id])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def every_format(empty_store):
    return write(empty_store, every_format_thread())


def message(response, message_id: str) -> str:
    """The HTML of one message article."""
    html = response.content.decode()
    start = html.index(f'id="msg-{message_id}"')
    return html[html.rindex("<article", 0, start) : html.index("</article>", start)]


def message_ids(response) -> list[str]:
    return [a.get("id").removeprefix("msg-") for a in find_all(response.content, "article", cls="message")]


# --- the header ---------------------------------------------------------------------------------


def test_the_header_shows_title_resource_dates_and_metadata(vera_client, every_format):
    thread = every_format.threads[0]
    response = vera_client.get(url())
    html = response.content.decode()
    assert response.status_code == 200
    assert find_one(response.content, "h1").text == "Refund for damaged blender (order A-10492)"
    assert f'<a href="/resources/{RESOURCE}/">{RESOURCE}</a>' in html
    assert "2026-01-09 14:02:31 UTC" in html  # created: the first message's time
    metadata = html[html.index('id="metadata-heading"') : html.index('id="messages-heading"')]
    assert '<span class="json-key">agentId</span> <span class="json-string">supportAgent</span>' in metadata
    assert thread.id in html


def test_an_unknown_thread_is_a_404_page(vera_client):
    response = vera_client.get(url("no-such-thread"))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Thread not found" in html and "no-such-thread" in html
    assert "All threads" in [a.text for a in find_all(response.content, "a", href="/threads/")]


def test_thread_scoped_working_memory_is_shown_read_only_with_a_link_to_its_editor(vera_client, demo_set):
    thread = next(t for t in demo_set.threads if t.working_memory and t.working_memory.startswith("#"))
    response = vera_client.get(url(thread.id))
    section = find_one(response.content, "section", id="working-memory")
    assert section
    html = response.content.decode()
    assert "<strong>First Name</strong>" in html
    assert find_one(response.content, "a", href=f"/threads/{thread.id}/memory/").text == "Edit"
    # Shown on its own, so not repeated inside the metadata tree.
    assert '<span class="json-key">workingMemory</span>' not in html


def test_json_working_memory_is_a_json_tree(vera_client, demo_set):
    thread = next(t for t in demo_set.threads if t.working_memory and t.working_memory.startswith("{"))
    html = vera_client.get(url(thread.id)).content.decode()
    memory = html[html.index('id="working-memory"') :]
    assert '<span class="json-key">slotRequested</span>' in memory


def test_without_working_memory_there_is_no_memory_section(vera_client, every_format):
    assert not find_all(vera_client.get(url()).content, "section", id="working-memory")


# --- every part type ----------------------------------------------------------------------------


def test_text_is_rendered_as_markdown_with_code_blocks_and_tables(vera_client, every_format):
    html = message(vera_client.get(url()), f"{EVERY}-m06")
    assert "<strong>$84.50 refund</strong>" in html
    assert (
        "<pre><code>refund(order=&#x27;A-10492&#x27;)\n</code></pre>" in html
        or "<pre><code>refund(order='A-10492')\n</code></pre>" in html
    )
    assert "<th>Step</th>" in html


def test_reasoning_is_collapsed_and_says_how_much_is_redacted(vera_client, every_format):
    html = message(vera_client.get(url()), f"{EVERY}-m06")
    reasoning = html[html.index('<details class="part part-reasoning">') :]
    assert reasoning.index("Check the return window first.") < reasoning.index("</details>")
    assert "1 redacted block" in reasoning


def test_tool_invocations_show_name_state_arguments_and_result(vera_client, every_format):
    html = message(vera_client.get(url()), f"{EVERY}-m06")
    card = html[html.index("lookupOrder") : html.index("trackShipment")]
    assert '<span class="badge badge-success">result</span>' in card
    assert "call_lookup" in card
    assert (
        "Arguments" in card
        and '<span class="json-key">orderId</span> <span class="json-string">A-10492</span>' in card
    )
    assert (
        "Result" in card
        and '<span class="json-key">status</span> <span class="json-string">delivered</span>' in card
    )


def test_tool_errors_are_highlighted(vera_client, every_format):
    response = vera_client.get(url())
    errors = find_all(response.content, "div", cls="tool-error")
    assert {e.text.split()[0] for e in errors} == {"trackShipment", "bookCourier"}
    html = message(response, f"{EVERY}-m06")
    assert "<pre>Carrier API timed out after 10000 ms</pre>" in html
    assert '<span class="badge badge-failed">error</span>' in html


def test_a_call_and_its_later_result_share_one_card(vera_client, every_format):
    response = vera_client.get(url())
    cards = [c for c in find_all(response.content, "div", cls="part-tool") if "call_refund" in c.text]
    assert len(cards) == 1
    assert "approved" in cards[0].text and "re_77" in cards[0].text
    later = message(response, f"{EVERY}-m07")
    assert f'shown with <a href="#msg-{EVERY}-m06">the call above</a>' in later
    assert "The refund was approved." in later


def test_a_v1_tool_result_row_joins_the_call_from_the_message_before(vera_client, every_format):
    response = vera_client.get(url())
    call = message(response, f"{EVERY}-m02")
    assert (
        "checkStock" in call
        and '<span class="json-key">available</span> <span class="json-number">14</span>' in call
    )
    result_row = message(response, f"{EVERY}-m03")
    assert f'href="#msg-{EVERY}-m02"' in result_row
    assert "stored as “tool”" in result_row


def test_https_images_are_shown_inline(vera_client, every_format):
    img = find_one(
        vera_client.get(url()).content,
        "img",
        src="https://cdn.acme-retail.example/uploads/a1/blnd-damage.jpg",
    )
    assert img.get("referrerpolicy") == "no-referrer"


def test_inline_raster_images_are_shown_as_data_uris(vera_client, every_format):
    response = vera_client.get(url())
    assert find_one(response.content, "img", src=f"data:image/png;base64,{PNG_BASE64}", alt="screenshot.png")
    # The v4 attachment (a data: URI) too.
    assert find_one(response.content, "img", alt="label.png")


def test_other_inline_files_are_inert_downloads_with_type_and_size(vera_client, every_format):
    response = vera_client.get(url())
    link = find_one(response.content, "a", download="receipt.pdf")
    assert link.get("href").startswith("data:application/octet-stream;base64,JVBERi0xLjQK")
    html = message(response, f"{EVERY}-m05")
    assert "application/pdf · 2.9 KB" in html


def test_linked_files_are_links_with_their_type(vera_client, every_format):
    response = vera_client.get(url())
    link = find_one(response.content, "a", href="https://files.acme-retail.example/invoices/A-10492.pdf")
    assert link.text == "A-10492.pdf"
    assert link.get("rel") == "noopener noreferrer"


def test_v5_files_by_url_are_shown_too(vera_client, every_format):
    assert find_one(vera_client.get(url()).content, "img", src="https://cdn.example/radar.webp")


def test_sources_are_links_that_do_not_leak_the_opener(vera_client, every_format):
    response = vera_client.get(url())
    link = find_one(response.content, "a", href="https://docs.acme-retail.example/refunds")
    assert link.text == "Refund policy" and link.get("rel") == "noopener noreferrer"
    assert find_one(response.content, "a", href="https://weather.example/porto").text == "Porto forecast"


def test_step_starts_are_dividers(vera_client, every_format):
    html = message(vera_client.get(url()), f"{EVERY}-m06")
    assert html.count('<div class="part part-step" role="separator">') == 2


def test_data_parts_are_labelled_cards_and_unknown_parts_raw_json(vera_client, every_format):
    response = vera_client.get(url())
    labels = [p.text for p in find_all(response.content, "p", cls="tool-label") if "mono" in p.classes]
    assert "future-part" in labels
    data_cards = [c.text for c in find_all(response.content, "div", cls="part-data")]
    assert any("tool-call-approval" in c for c in data_cards)
    assert any("delivery-slots" in c and "slots-1" in c for c in data_cards)
    html = message(response, f"{EVERY}-m06")
    assert '<span class="json-key">answer</span> <span class="json-number">42</span>' in html


def test_every_message_has_a_raw_json_toggle_with_the_content_as_stored(vera_client, every_format):
    response = vera_client.get(url())
    raws = find_all(response.content, "details", cls="message-raw")
    assert len(raws) == len(every_format.messages)
    html = message(response, f"{EVERY}-m01")
    assert "<pre>&quot;Is the ProBlend 900 blender in stock?&quot;</pre>" in html


def test_legacy_formats_render_with_a_format_badge(vera_client, every_format):
    response = vera_client.get(url())
    badges = {
        mid: [b.text for b in find_all(message(response, mid), "span", cls="format-badge")]
        for mid in message_ids(response)
    }
    assert badges[f"{EVERY}-m01"] == ["v1-text"]
    assert badges[f"{EVERY}-m02"] == ["v1-parts"]
    assert badges[f"{EVERY}-m04"] == ["ai-v4"]
    assert badges[f"{EVERY}-m08"] == ["ai-v5"]
    assert badges[f"{EVERY}-m05"] == [] and badges[f"{EVERY}-m06"] == []
    v4 = message(response, f"{EVERY}-m04")
    assert "It ships tomorrow from <strong>Leipzig</strong>." in v4 and "shippingEta" in v4


def test_message_content_sits_in_an_element_htmx_ignores(vera_client, every_format):
    response = vera_client.get(url())
    articles = find_all(response.content, "article", cls="message")
    assert articles and all("hx-disable" in a.attrs for a in articles)


# --- paging ---------------------------------------------------------------------------------------


@pytest.fixture
def long(empty_store):
    return write(empty_store, long_thread(100))


def numbers(response) -> list[int]:
    return [int(mid.rsplit("-", 1)[1]) for mid in message_ids(response)]


def test_the_newest_page_comes_first_in_reading_order(vera_client, long):
    response = vera_client.get(url("thread-long"))
    assert numbers(response) == list(range(60, 100))
    assert find_one(response.content, "a", hx_push_url="true").text == "Load older messages"


def test_load_older_returns_only_the_older_page_with_its_own_load_older(vera_client, long):
    first = vera_client.get(url("thread-long"))
    older = find_one(first.content, "div", cls="load-older")
    link = find_one(first.content, "a", hx_target="closest .load-older")
    assert link.get("href") == link.get("hx-get") and "cursor=" in link.get("href")
    assert older

    second = vera_client.get(link.get("href"), headers=HTMX)
    assert "<html" not in second.content.decode()
    assert numbers(second) == list(range(20, 60))
    assert "HX-Request" in second["Vary"]
    third = vera_client.get(
        find_one(second.content, "a", hx_target="closest .load-older").get("href"), headers=HTMX
    )
    assert numbers(third) == list(range(0, 20))
    assert not find_all(third.content, "div", cls="load-older")


def test_a_page_link_opened_directly_shows_that_page_and_a_way_back_to_the_newest(vera_client, long):
    first = vera_client.get(url("thread-long"))
    older_url = find_one(first.content, "a", hx_target="closest .load-older").get("href")
    page = vera_client.get(older_url)
    assert page.status_code == 200
    assert numbers(page) == list(range(20, 60))
    assert find_one(page.content, "a", href="/threads/thread-long/").text == "Show the newest messages →"


def test_every_message_is_an_anchor_with_a_permalink_to_its_page(vera_client, long):
    first = vera_client.get(url("thread-long"))
    assert find_one(first.content, "a", href="/threads/thread-long/#msg-thread-long-0099")
    older_url = find_one(first.content, "a", hx_target="closest .load-older").get("href")
    second = vera_client.get(older_url, headers=HTMX)
    permalink = find_one(second.content, "a", href=f"{older_url}#msg-thread-long-0059")
    assert permalink
    assert numbers(vera_client.get(older_url))[-1] == 59


def test_a_thread_without_messages_says_so(vera_client, empty_store):
    from storeclient.models import Thread

    empty_store.memory.save_thread(Thread("thread-empty", RESOURCE, "Just started", T0, T0, {}))
    assert "No messages in this thread." in vera_client.get(url("thread-empty")).content.decode()


# --- big messages -----------------------------------------------------------------------------------


@pytest.fixture
def huge(empty_store):
    records = long_thread(3, "thread-huge")
    big = "log line with <b>markup</b> and [brackets]\n" * 24_000  # ~1 MB
    records.messages.append(
        Message(
            "thread-huge-big",
            "thread-huge",
            "assistant",
            T0,
            {"format": 2, "parts": [{"type": "text", "text": big}]},
            RESOURCE,
        )
    )
    return write(empty_store, records)


def test_a_one_megabyte_message_renders_collapsed_as_plain_text_with_show_all(vera_client, huge):
    response = vera_client.get(url("thread-huge"))
    assert response.status_code == 200
    html = message(response, "thread-huge-big")
    assert '<div class="part part-text markdown clamp" data-clamp>' in html
    assert "Show all (1,032,000 characters)" in html
    assert "Shown as plain text" in html
    assert "log line with &lt;b&gt;markup&lt;/b&gt;" in html


def test_a_huge_messages_raw_json_is_linked_not_embedded(vera_client, huge):
    response = vera_client.get(url("thread-huge"))
    link = find_one(message(response, "thread-huge-big"), "a", target="_blank")
    assert link.get("href") == "/threads/thread-huge/messages/thread-huge-big/raw/"
    raw = vera_client.get(link.get("href"))
    assert raw["Content-Type"] == "application/json"
    record = json.loads(raw.content)
    assert record["id"] == "thread-huge-big" and record["content"]["parts"][0]["text"].startswith("log line")


def test_the_raw_json_of_a_message_in_another_thread_is_not_found(vera_client, huge):
    assert vera_client.get("/threads/thread-long/messages/thread-huge-big/raw/").status_code == 404


def test_an_unreachable_store_shows_the_error_panel(vera_client, unreachable_store):
    response = vera_client.get(url("anything"))
    assert response.status_code == 503
    assert "The store is not reachable" in response.content.decode()


def test_load_older_against_an_unreachable_store_swaps_in_the_panel(vera_client, unreachable_store):
    response = vera_client.get(url("anything"), headers=HTMX)
    assert response.status_code == 503
    assert response["X-Dashboard-Swap-Error"] == "true"
    assert "<html" not in response.content.decode()


def test_a_message_list_cut_at_the_convex_handlers_cap_says_so(vera_client, every_format):
    with use_store(CappedFeeds(get_store(), CAPPED_NOTE)):
        response = vera_client.get(url())
    banner = find_one(response.content, "div", data_feed_notice="capped")
    assert "This list is incomplete." in banner.text and "convex/mastra/dashboard.ts" in banner.text


def test_a_mangled_page_link_is_refused_with_a_link_to_the_newest_messages(vera_client, long):
    response = vera_client.get(url("thread-long"), {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "start from the first page" in find_one(response.content, "article", data_bad_query=...).text
    assert find_one(response.content, "a", data_reset=...).get("href") == "/threads/thread-long/"


def test_an_overlong_page_link_is_refused_without_reading_the_messages(vera_client, long):
    response = vera_client.get(url("thread-long"), {"cursor": "x" * 2_000}, headers=HTMX)
    assert response.status_code == 400 and response["X-Dashboard-Swap-Error"] == "true"
    assert b"<html" not in response.content
    assert find_one(response.content, "article", data_bad_query=...)
