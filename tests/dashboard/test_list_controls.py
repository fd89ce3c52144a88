"""What every list offers besides its rows: a page size the reader picks (kept in the address),
the list's total where the store counts it cheaply, the column it is sorted by, and copy buttons
for ids and JSON."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from dashboard.core.list_totals import describe_total
from dashboard.core.templatetags.ui import COPY_JSON_LIMIT, copy_json
from storeclient.models import Count

from .html_query import find_all, find_one
from .support import HTMX


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def size_links(response) -> dict[str, str]:
    return {
        a.text: a.get("href")
        for a in find_all(response.content, "a", aria_label=...)
        if "rows per page" in a.get("aria-label", "")
    }


# --- page size ------------------------------------------------------------------------------------


def test_a_reader_can_ask_for_fewer_threads_per_page_and_the_next_page_keeps_the_size(vera_client):
    response = vera_client.get("/threads/", {"per_page": "10"})
    assert len(find_all(response.content, "tr", data_keynav_href=...)) == 10
    older = find_one(response.content, "a", rel="next").get("href")
    assert query_of(older)["per_page"] == ["10"]
    second = vera_client.get(older, headers=HTMX)
    assert len(find_all(second.content, "tr", data_keynav_href=...)) == 10


def test_the_pager_offers_each_size_and_marks_the_current_one(vera_client):
    response = vera_client.get("/threads/", {"per_page": "50", "q": "order"})
    links = size_links(response)
    assert list(links) == ["10", "25", "50", "100"]
    current = find_one(response.content, "a", aria_current="true", aria_label="50 rows per page")
    assert current is not None
    # Another size starts again from the first page, with the same filters; the default is left out.
    assert query_of(links["25"]) == {"q": ["order"]}
    assert query_of(links["10"]) == {"q": ["order"], "per_page": ["10"]}


def test_a_page_size_the_list_does_not_offer_gets_the_400_panel(vera_client):
    response = vera_client.get("/threads/", {"per_page": "100000"})
    assert response.status_code == 400
    assert "Rows per page" in response.content.decode()


def test_runs_take_the_page_size_too(vera_client):
    response = vera_client.get("/workflows/", {"per_page": "10"})
    assert len(find_all(response.content, "tr", data_run_id=...)) == 10


def test_a_short_list_at_a_chosen_size_still_offers_the_way_back(vera_client, demo_set):
    response = vera_client.get("/resources/", {"per_page": "10"})
    assert len(find_all(response.content, "tr", data_keynav_href=...)) == len(demo_set.resources) < 10
    assert find_one(response.content, "a", aria_current="true", aria_label="10 rows per page")
    assert "25" in size_links(response)


def test_the_run_filters_keep_the_chosen_page_size(vera_client):
    response = vera_client.get("/workflows/", {"per_page": "10"})
    form = find_one(response.content, "form", cls="run-filters")
    assert form is not None
    assert find_one(response.content, "input", type="hidden", name="per_page").get("value") == "10"


def test_the_score_table_takes_the_page_size(vera_client, demo_set):
    scorer_id = demo_set.scores[0].payload["scorerId"]
    response = vera_client.get(f"/scores/{scorer_id}/", {"range": "all", "per_page": "50"})
    assert len(find_all(response.content, "tr", data_score_id=...)) == 50
    assert query_of(find_one(response.content, "a", rel="next").get("href"))["per_page"] == ["50"]


# --- totals -----------------------------------------------------------------------------------------


def test_the_thread_list_says_how_many_threads_there_are(vera_client, demo_set):
    header = find_one(vera_client.get("/threads/").content, "span", cls="list-total")
    assert header.text == f"{len(demo_set.threads)} threads in all."


def test_a_filtered_list_claims_no_total_it_cannot_count(vera_client):
    assert find_all(vera_client.get("/threads/", {"q": "refund"}).content, "span", cls="list-total") == []


def test_the_resource_list_says_how_many_resources_there_are(vera_client, demo_set):
    header = find_one(vera_client.get("/resources/").content, "span", cls="list-total")
    assert header.text == f"{len(demo_set.resources)} resources in all."


def test_a_count_that_stopped_at_its_cap_is_said_as_at_least():
    assert describe_total(Count(10_000, at_least=True), "thread", "threads") == "at least 10,000 threads"
    assert describe_total(Count(1), "thread", "threads") == "1 thread"
    assert describe_total(None, "thread", "threads") == ""


# --- sorting ----------------------------------------------------------------------------------------


def test_each_list_marks_the_one_column_it_is_sorted_by(vera_client, demo_set):
    scorer_id = demo_set.scores[0].payload["scorerId"]
    for url, column in [
        ("/threads/", "Last activity"),
        ("/resources/", "Updated"),
        ("/workflows/", "Started"),
        (f"/scores/{scorer_id}/?range=all", "Created"),
        (f"/scores/{scorer_id}/?range=all&order=lowest", "Score"),
    ]:
        sorted_by = [
            th.text.split()[0:2] for th in find_all(vera_client.get(url).content, "th", aria_sort=...)
        ]
        assert len(sorted_by) == 1 and " ".join(sorted_by[0]).startswith(column.split()[0]), url


# --- copy buttons ------------------------------------------------------------------------------------


def test_every_run_row_can_copy_its_whole_run_id(vera_client):
    response = vera_client.get("/workflows/")
    run_ids = [row.get("data-run-id") for row in find_all(response.content, "tr", data_run_id=...)]
    copied = [b.get("data-copy") for b in find_all(response.content, "button", cls="copy-button")]
    assert copied == run_ids
    assert all(len(run_id) > 13 for run_id in run_ids), "the shown id is truncated; the copy is whole"


def test_tool_arguments_and_results_can_be_copied_as_json(vera_client, demo_set):
    thread = next(
        t
        for t in demo_set.threads
        if any(
            m.thread_id == t.id and any(p.get("type") == "tool-invocation" for p in m.parts)
            for m in demo_set.messages
        )
    )
    response = vera_client.get(f"/threads/{thread.id}/")
    buttons = [b for b in find_all(response.content, "button", cls="copy-button") if b.text == "Copy JSON"]
    assert buttons
    for button in buttons:
        assert isinstance(json.loads(button.get("data-copy")), dict | list | str | int | float | bool | None)
    labels = {b.get("aria-label") for b in buttons}
    assert "Copy the arguments as JSON" in labels


def test_a_value_too_big_to_carry_twice_gets_no_inline_copy_button():
    assert copy_json({"text": "x" * (COPY_JSON_LIMIT + 1)}) == ""
    button = find_one(copy_json({"a": 1}), "button")
    assert json.loads(button.get("data-copy")) == {"a": 1}
    assert button.get("aria-label") == "Copy this value as JSON"


def test_copied_text_is_escaped_like_any_stored_value():
    button = copy_json({"html": '"><script>alert(1)</script>'})
    assert "<script>" not in button and "&lt;script&gt;" in button


def test_the_score_table_sorts_by_either_column_the_store_can_sort_by(vera_client, demo_set):
    scorer_id = demo_set.scores[0].payload["scorerId"]
    content = vera_client.get(f"/scores/{scorer_id}/", {"range": "all"}).content
    links = {a.get("data-order"): a.get("href") for a in find_all(content, "a", cls="sort-link")}
    assert set(links) == {"lowest", "newest"}
    assert query_of(links["lowest"])["order"] == ["lowest"]
    lowest = vera_client.get(links["lowest"]).content
    shown = [
        float(a.text)
        for a in find_all(lowest, "a", hx_target="#score-detail")
        if a.text.strip()[:1].isdigit()
    ]
    assert shown == sorted(shown) and len(shown) > 1
