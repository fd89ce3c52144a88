"""/resources/ and /resources/<id>/: resources newest first, one resource's working memory,
metadata and threads."""

from __future__ import annotations

from datetime import timedelta

from dashboard.core.store import use_store
from storeclient.models import Resource

from .html_query import find_all, find_one, page_content
from .support import HTMX
from .thread_records import T0, CappedFeeds, many_threads, nodes, write

LIST = "/resources/"


def resource_links(response) -> list[str]:
    return [row.get("data-keynav-href") for row in find_all(response.content, "tr", data_keynav_href=...)]


# --- the list -------------------------------------------------------------------------------------


def test_it_lists_resources_most_recently_updated_first(vera_client, demo_set):
    response = vera_client.get(LIST)
    assert response.status_code == 200
    expected = sorted(demo_set.resources, key=lambda r: (r.updated_at, r.id), reverse=True)
    assert resource_links(response) == [f"/resources/{r.id}/" for r in expected]


def test_each_row_says_what_kind_of_working_memory_it_holds(vera_client, demo_set):
    html = vera_client.get(LIST).content.decode()
    markdown = next(
        r for r in demo_set.resources if r.working_memory and r.working_memory.startswith("# User")
    )
    row = html[html.index(f'data-keynav-href="/resources/{markdown.id}/"') :]
    row = row[: row.index("</tr>")]
    assert "Markdown</span>" in row and "# User Information - **First Name**:" in row
    as_json = next(r for r in demo_set.resources if r.working_memory and r.working_memory.startswith("{"))
    row = html[html.index(f'data-keynav-href="/resources/{as_json.id}/"') :]
    assert "JSON</span>" in row[: row.index("</tr>")]


def test_resources_page_through_with_cursors(vera_client, empty_store):
    for i in range(30):
        at = T0 + timedelta(minutes=i)
        empty_store.memory.save_resource(Resource(f"user_{i:02d}", at, at, f"# User {i}\n", {}))
    first = vera_client.get(LIST)
    assert resource_links(first)[0] == "/resources/user_29/" and len(resource_links(first)) == 25
    older = find_one(first.content, "a", rel="next")
    second = vera_client.get(older.get("href"), headers=HTMX)
    assert second.content.decode().lstrip().startswith('<div id="resource-table"')
    assert resource_links(second) == [f"/resources/user_{i:02d}/" for i in range(4, -1, -1)]
    assert find_one(second.content, "a", rel="prev").get("href") == "/resources/"


def _resources(store, ids: list[str]) -> None:
    for i, rid in enumerate(ids):
        at = T0 + timedelta(minutes=i)
        store.memory.save_resource(Resource(rid, at, at, f"# User {i}\n", {}))


def test_the_search_box_finds_resources_by_the_start_of_their_id_in_any_case(vera_client, empty_store):
    _resources(empty_store, ["user_d82c07", "USER_D82A", "user_d83", "user_8f2c1a"])
    response = vera_client.get(LIST, {"q": "user_d82"})
    assert resource_links(response) == ["/resources/user_d82c07/", "/resources/USER_D82A/"]
    assert find_one(page_content(response.content), "input", name="q").get("value") == "user_d82"
    assert "listed by id" in find_one(response.content, "p", id="resource-order").text


def test_a_search_answers_htmx_with_the_table_and_pages_keep_the_query(vera_client, empty_store):
    _resources(empty_store, [f"user_{i:02d}" for i in range(30)] + ["admin_1"])
    first = vera_client.get(LIST, {"q": "USER_"}, headers=HTMX)
    assert first.content.decode().lstrip().startswith('<div id="resource-table"')
    assert len(resource_links(first)) == 25
    older = find_one(first.content, "a", rel="next").get("href")
    assert "q=USER_" in older
    assert resource_links(vera_client.get(older, headers=HTMX)) == [
        f"/resources/user_{i:02d}/" for i in range(4, -1, -1)
    ]


def test_a_search_without_matches_says_so(vera_client, empty_store):
    _resources(empty_store, ["user_1"])
    response = vera_client.get(LIST, {"q": "nobody"})
    assert "No resource id starts with “nobody”." in response.content.decode()
    assert vera_client.get(LIST, {"q": "x" * 501}).status_code == 400


def test_an_empty_store_has_a_friendly_resource_list(vera_client, empty_store):
    assert "No resources yet." in vera_client.get(LIST).content.decode()


def test_the_resource_list_shows_the_error_panel_when_the_store_is_unreachable(
    vera_client, unreachable_store
):
    response = vera_client.get(LIST)
    assert response.status_code == 503
    assert "The store is not reachable" in response.content.decode()


# --- one resource --------------------------------------------------------------------------------


def test_markdown_working_memory_is_rendered_sanitised(vera_client, demo_set):
    resource = next(
        r for r in demo_set.resources if r.working_memory and r.working_memory.startswith("# User")
    )
    response = vera_client.get(f"/resources/{resource.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    memory = html[html.index('id="working-memory"') : html.index('id="metadata-heading"')]
    assert "<h1>User Information</h1>" in memory and "<strong>First Name</strong>" in memory
    assert "hx-disable" in memory
    assert find_one(response.content, "a", href=f"/resources/{resource.id}/memory/").text == "Edit"


def test_json_working_memory_is_a_json_tree(vera_client, demo_set):
    resource = next(r for r in demo_set.resources if r.working_memory and r.working_memory.startswith("{"))
    html = vera_client.get(f"/resources/{resource.id}/").content.decode()
    memory = html[html.index('id="working-memory"') : html.index('id="metadata-heading"')]
    assert '<span class="json-key">preferredContact</span> <span class="json-string">email</span>' in memory
    assert "Raw JSON" in memory


def test_it_shows_metadata_and_the_resources_threads(vera_client, demo_set):
    resource = demo_set.resources[0]
    response = vera_client.get(f"/resources/{resource.id}/")
    html = response.content.decode()
    assert '<span class="json-key">plan</span>' in html
    threads = sorted(
        (t for t in demo_set.threads if t.resource_id == resource.id),
        key=lambda t: (t.updated_at, t.id),
        reverse=True,
    )
    assert [r.get("data-keynav-href") for r in find_all(response.content, "tr", data_keynav_href=...)] == [
        f"/threads/{t.id}/" for t in threads
    ]
    # The resource column would only repeat the page's own resource.
    assert "<th>Resource</th>" not in html


def test_a_resources_threads_page_through_htmx(vera_client, empty_store):
    write(empty_store, many_threads(30, resource_id="user_busy"))
    empty_store.memory.save_resource(Resource("user_busy", T0, T0, None, {"plan": "pro"}))
    first = vera_client.get("/resources/user_busy/")
    nav = find_one(first.content, "nav", cls="pager")
    assert nav.get("hx-target") == "#resource-threads"
    older = find_one(first.content, "a", rel="next").get("href")
    assert older.startswith("/resources/user_busy/?cursor=")
    second = vera_client.get(older, headers=HTMX)
    html = second.content.decode()
    assert html.lstrip().startswith('<div id="resource-threads"') and "<html" not in html
    assert len(find_all(second.content, "tr", data_keynav_href=...)) == 5


def test_a_resource_known_only_from_its_threads_still_has_a_page(vera_client, empty_store):
    write(empty_store, many_threads(2, resource_id="user_threads_only"))
    response = vera_client.get("/resources/user_threads_only/")
    assert response.status_code == 200
    assert "No resource record" in response.content.decode()
    assert len(find_all(response.content, "tr", data_keynav_href=...)) == 2


def test_an_unknown_resource_is_a_404_page(vera_client):
    response = vera_client.get("/resources/user_nobody/")
    assert response.status_code == 404
    assert "Resource not found" in response.content.decode()


def test_hostile_working_memory_and_metadata_are_inert(vera_client, empty_store):
    empty_store.memory.save_resource(
        Resource(
            "user_evil",
            T0,
            T0,
            '# Hi\n<img src=x onerror="window.__xss=1">\n[x](javascript:alert(1))\n<div hx-get="/x" hx-trigger="load">',
            {"<script>window.__xss=1</script>": "<b onmouseover=alert(1)>"},
        )
    )
    html = vera_client.get("/resources/user_evil/").content.decode()
    for node in nodes(page_content(html)):
        assert node.tag != "img"
        assert not [name for name in node.attrs if name.startswith("on") or name == "hx-get"]
        assert not node.attrs.get("href", "").startswith("javascript")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html


def test_a_resource_list_cut_at_the_convex_handlers_cap_says_so(vera_client, demo_store):
    with use_store(CappedFeeds(demo_store, None)):
        response = vera_client.get(LIST)
    banner = find_one(response.content, "div", data_feed_notice="capped")
    assert "Deploy the dashboard's Convex module (convex/mastra/dashboard.ts)" in banner.text


def test_a_mangled_page_link_of_a_resources_threads_is_refused(vera_client, empty_store):
    write(empty_store, many_threads(3, resource_id="user_busy"))
    response = vera_client.get(
        "/resources/user_busy/", {"cursor": "not-a-cursor"}, headers={**HTMX, "HX-Target": "resource-threads"}
    )
    assert response.status_code == 400 and response["X-Dashboard-Swap-Error"] == "true"
    panel = find_one(response.content, "article", data_bad_query=...)
    assert panel.get("id") == "resource-threads"
    assert find_one(response.content, "a", data_reset=...).get("href") == "/resources/user_busy/"
