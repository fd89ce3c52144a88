"""/threads/: every thread, most recently updated first, with filters and cursor paging."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.urls import reverse

from dashboard.core.store import use_store
from storeclient.convex.memory import CAPPED_NOTE

from .html_query import find_all, find_one
from .support import HTMX, SENTINEL_KEY, convex_store
from .thread_records import CappedFeeds, many_threads, write

URL = "/threads/"


def titles(response) -> list[str]:
    return [cell.text for cell in find_all(response.content, "td", cls="title-cell")]


def rows(response):
    return find_all(response.content, "tr", data_keynav_href=...)


def test_it_lists_threads_most_recently_updated_first(vera_client, demo_set):
    response = vera_client.get(URL)
    assert response.status_code == 200
    newest = sorted(demo_set.threads, key=lambda t: (t.updated_at, t.id), reverse=True)[:25]
    assert [row.get("data-keynav-href") for row in rows(response)] == [f"/threads/{t.id}/" for t in newest]
    assert titles(response)[0] == newest[0].title


def test_each_row_links_the_thread_and_its_resource_and_shows_both_dates(vera_client, demo_set):
    thread = max(demo_set.threads, key=lambda t: t.updated_at)
    response = vera_client.get(URL)
    html = response.content.decode()
    assert f'<a href="/threads/{thread.id}/">{thread.title}</a>' in html
    assert f'<a href="/resources/{thread.resource_id}/">{thread.resource_id}</a>' in html
    created = thread.created_at.isoformat().replace("+00:00", "Z")
    assert f'<time datetime="{created}"' in html


def test_it_filters_by_resource(vera_client, demo_set):
    resource = demo_set.threads[0].resource_id
    response = vera_client.get(URL, {"resource": resource})
    expected = {f"/threads/{t.id}/" for t in demo_set.threads if t.resource_id == resource}
    assert {row.get("data-keynav-href") for row in rows(response)} == expected
    assert find_one(response.content, "input", name="resource").get("value") == resource


def test_it_searches_titles(vera_client, demo_set):
    response = vera_client.get(URL, {"q": "refund"})
    expected = {f"/threads/{t.id}/" for t in demo_set.threads if "refund" in t.title.lower()}
    assert expected
    assert {row.get("data-keynav-href") for row in rows(response)} == expected


def test_a_search_without_matches_says_so(vera_client):
    response = vera_client.get(URL, {"q": "no thread is called this"})
    assert "No threads match these filters." in response.content.decode()


def test_an_empty_store_shows_a_friendly_empty_state(vera_client, empty_store):
    response = vera_client.get(URL)
    assert response.status_code == 200
    assert "No threads yet." in response.content.decode()
    assert not rows(response)


def test_pages_go_older_and_back_newer_through_links_that_carry_their_state(vera_client, empty_store):
    write(empty_store, many_threads(60))
    first = vera_client.get(URL)
    assert [r.get("data-keynav-href") for r in rows(first)][:2] == [
        "/threads/thread-059/",
        "/threads/thread-058/",
    ]
    older = find_one(first.content, "a", rel="next").get("href")
    assert not find_all(first.content, "a", rel="prev")

    second = vera_client.get(older)
    assert [r.get("data-keynav-href") for r in rows(second)][0] == "/threads/thread-034/"
    third = vera_client.get(find_one(second.content, "a", rel="next").get("href"))
    assert [r.get("data-keynav-href") for r in rows(third)] == [
        f"/threads/thread-{i:03d}/" for i in range(9, -1, -1)
    ]
    assert not find_all(third.content, "a", rel="next")

    # "Newer" from page 3 is page 2, exactly as it was (the link carries the earlier cursors).
    back_to_second = vera_client.get(find_one(third.content, "a", rel="prev").get("href"))
    assert [r.get("data-keynav-href") for r in rows(back_to_second)] == [
        r.get("data-keynav-href") for r in rows(second)
    ]
    back_to_first = vera_client.get(find_one(back_to_second.content, "a", rel="prev").get("href"))
    assert [r.get("data-keynav-href") for r in rows(back_to_first)] == [
        r.get("data-keynav-href") for r in rows(first)
    ]


def test_paging_keeps_the_filters(vera_client, empty_store):
    write(empty_store, many_threads(30, resource_id="user_a", prefix="a"))
    write(empty_store, many_threads(5, resource_id="user_b", prefix="b"))
    first = vera_client.get(URL, {"resource": "user_a", "q": "order"})
    older = find_one(first.content, "a", rel="next").get("href")
    query = parse_qs(urlsplit(older).query)
    assert query["resource"] == ["user_a"] and query["q"] == ["order"] and query["cursor"]
    second = vera_client.get(older)
    assert len(rows(second)) == 5
    assert all(r.get("data-keynav-href").startswith("/threads/a-") for r in rows(second))


def test_an_htmx_request_gets_only_the_table(vera_client, demo_set):
    response = vera_client.get(URL, {"q": "refund"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="thread-table"')
    assert "<html" not in html and "<form" not in html
    assert "HX-Request" in response["Vary"]


def test_pager_links_are_htmx_requests_that_push_the_url(vera_client, empty_store):
    write(empty_store, many_threads(30))
    nav = find_one(vera_client.get(URL).content, "nav", cls="pager")
    assert nav.get("hx-target") == "#thread-table" and nav.get("hx-push-url") == "true"
    link = find_one(vera_client.get(URL).content, "a", rel="next")
    assert link.get("hx-get") == link.get("href")


def test_a_list_cut_at_the_convex_handlers_cap_says_it_is_incomplete_and_how_to_fix_it(
    vera_client, demo_store
):
    with use_store(CappedFeeds(demo_store, CAPPED_NOTE)):
        response = vera_client.get(URL)
    banner = find_one(response.content, "div", data_feed_notice="capped")
    assert "This list is incomplete." in banner.text
    assert "Deploy the dashboard's Convex module (convex/mastra/dashboard.ts)" in banner.text


def test_a_search_note_is_shown_with_the_results(vera_client, demo_store):
    note = "The title search only looked at the oldest 10,000 threads."
    with use_store(CappedFeeds(demo_store, note, capped=False)):
        response = vera_client.get(URL, {"q": "refund"})
    assert find_one(response.content, "div", data_feed_notice="note").text == note


def test_an_unreachable_store_shows_the_error_panel(vera_client, unreachable_store):
    response = vera_client.get(URL)
    assert response.status_code == 503
    assert "The store is not reachable" in response.content.decode()


def test_a_wrong_admin_key_shows_what_to_check(vera_client):
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"code": "BadAdminKey", "message": "The provided admin key was invalid"}
        )

    store = convex_store(httpx.MockTransport(refuse))
    with use_store(store):
        response = vera_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 502
    assert "The store refused our credentials" in html and "CONVEX_ADMIN_KEY" in html
    assert SENTINEL_KEY.split("|")[1] not in html


def test_a_mangled_page_link_is_refused_with_an_explanation(vera_client):
    response = vera_client.get(URL, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "start from the first page" in response.content.decode()


@pytest.mark.parametrize("field", ["resource", "q"])
def test_overlong_filters_are_refused_without_asking_the_store(vera_client, unreachable_store, field):
    response = vera_client.get(URL, {field: "x" * 600})
    assert response.status_code == 400
    assert "These filters are not valid" in response.content.decode()


def test_titles_are_escaped(vera_client, empty_store):
    records = many_threads(1)
    records.threads[0] = dataclasses.replace(records.threads[0], title='<img src=x onerror="window.__xss=1">')
    write(empty_store, records)
    html = vera_client.get(URL).content.decode()
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in html
    assert "<img src=x" not in html


def test_the_page_loads_the_keyboard_navigation_script_with_the_nonce(vera_client):
    response = vera_client.get(URL)
    script = find_one(response.content, "script", src="/static/js/keynav.js")
    assert script.get("nonce")
    assert find_one(response.content, "table", data_keynav=...)


def test_the_navigation_links_here(vera_client):
    response = vera_client.get(reverse("core:overview"))
    assert find_all(response.content, "a", href=URL)


def test_a_bad_filter_from_htmx_replaces_the_table_and_keeps_its_id(vera_client, unreachable_store):
    response = vera_client.get(
        URL, {"q": "x" * 600, "resource": "user_a"}, headers={**HTMX, "HX-Target": "thread-table"}
    )
    assert response.status_code == 400 and response["X-Dashboard-Swap-Error"] == "true"
    panel = find_one(response.content, "article", data_bad_query=...)
    assert panel.get("id") == "thread-table" and "Title contains:" in panel.text
    assert find_one(response.content, "a", data_reset=...).get("href") == "/threads/?resource=user_a"


def _owned_threads(store, owners: list[str]) -> None:
    base = many_threads(len(owners))
    write(
        store,
        dataclasses.replace(
            base,
            threads=[
                dataclasses.replace(t, resource_id=o) for t, o in zip(base.threads, owners, strict=True)
            ],
        ),
    )


def test_the_resource_box_finds_ids_from_their_start_whatever_the_case(vera_client, empty_store):
    _owned_threads(empty_store, ["user_d82c07", "USER_D82A", "user_d83", "user_d82c07"])
    response = vera_client.get(URL, {"resource": "user_d82"})
    resources = [cell.text for cell in find_all(response.content, "td", cls="mono")]
    assert resources == ["user_d82c07", "user_d82c07", "USER_D82A"]
    assert "grouped by resource id" in find_one(response.content, "p", id="thread-order").text
    # A whole id still finds its own threads.
    exact = vera_client.get(URL, {"resource": "USER_D82A"})
    assert [cell.text for cell in find_all(exact.content, "td", cls="mono")] == ["USER_D82A"]


def test_the_thread_box_finds_threads_by_the_start_of_their_id(vera_client, empty_store):
    write(empty_store, many_threads(12))
    response = vera_client.get(URL, {"thread": "THREAD-01"})
    assert [r.get("data-keynav-href") for r in rows(response)] == [
        "/threads/thread-011/",
        "/threads/thread-010/",
    ]
    assert find_one(response.content, "input", name="thread").get("value") == "THREAD-01"


def test_a_prefix_search_pages_like_the_full_list(vera_client, empty_store):
    _owned_threads(empty_store, ["user_d82c07"] * 30 + ["user_9"] * 3)
    first = vera_client.get(URL, {"resource": "User_D"})
    assert len(rows(first)) == 25
    second = vera_client.get(find_one(first.content, "a", rel="next").get("href"), headers=HTMX)
    assert len(rows(second)) == 5
    assert not {r.get("data-keynav-href") for r in rows(first)} & {
        r.get("data-keynav-href") for r in rows(second)
    }


def test_a_prefix_longer_than_any_id_is_a_bad_request(vera_client, empty_store):
    response = vera_client.get(URL, {"resource": "u" * 501})
    assert response.status_code == 400
    assert "Resource id" in response.content.decode()
