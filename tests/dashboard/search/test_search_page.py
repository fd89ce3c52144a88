"""/search/ on real FTS5 (and, with `make test-postgres`, on PostgreSQL): what a signed-in user
finds, in which order, with which filters and pages, and that no query syntax breaks the page."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import override_settings

from dashboard.search import views
from dashboard.search.indexer import Indexer
from tests.dashboard.html_query import find_all

from ..security.test_bad_requests import HOSTILE_VALUES
from ..support import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(support_store):
    Indexer(support_store).poll()
    return support_store


def hit_ids(response) -> list[str]:
    """The messages a results page links to, in page order."""
    assert response.status_code == 200, response.content[:2000]
    return re.findall(r'class="hit-link" href="[^"]*\?at=([^&"#]+)', response.content.decode())


def test_a_word_finds_its_messages_grouped_by_thread_newest_first(vera_client, indexed):
    response = vera_client.get("/search/", {"q": "cracked"})
    assert hit_ids(response) == ["m-refund-3", "m-refund-1"]
    html = response.content.decode()
    assert html.count('class="card result-thread"') == 1
    assert "Cracked mug refund" in html
    assert "<mark>cracked</mark>" in html
    assert 'href="/threads/thr-refund/?at=m-refund-1#msg-m-refund-1"' in html


def test_a_phrase_needs_its_words_together(vera_client, indexed):
    assert hit_ids(vera_client.get("/search/", {"q": '"cracked mug"'})) == ["m-refund-3"]


def test_a_trailing_star_finds_words_by_their_start(vera_client, indexed):
    found = hit_ids(vera_client.get("/search/", {"q": "refu*"}))
    assert set(found) == {"m-refund-1", "m-refund-3", "m-order-3"}  # refund, refund, refundable


def test_a_minus_excludes_and_or_widens(vera_client, indexed):
    assert hit_ids(vera_client.get("/search/", {"q": "refu* -mug"})) == ["m-order-3"]
    assert set(hit_ids(vera_client.get("/search/", {"q": "laminate OR parcel"}))) == {
        "m-recipe-1",
        "m-order-1",
        "m-order-3",
    }


def test_an_order_number_with_punctuation_is_found(vera_client, indexed):
    assert set(hit_ids(vera_client.get("/search/", {"q": "A-18896"}))) == {"m-refund-1", "m-refund-2"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "refund", "role": "user"}, {"m-refund-1"}),
        ({"q": "A-18896", "kind": "tool"}, {"m-refund-2"}),
        ({"q": "order*", "tool": "issueRefund"}, {"m-refund-2"}),
        ({"q": "carrier", "errors_only": "1"}, {"m-order-2"}),
        ({"q": "refu*", "resource": "USER_D82"}, {"m-refund-1", "m-refund-3"}),
        ({"q": "refu*", "thread": "thr-ord"}, {"m-order-3"}),
        ({"q": "dough", "kind": "file"}, {"m-recipe-1"}),
        (
            {"q": "refu*", "since": "2026-01-05", "until": "2026-01-05"},
            {"m-refund-1", "m-refund-3", "m-order-3"},
        ),
        ({"q": "refu*", "until": "2026-01-04"}, set()),
    ],
)
def test_filters_narrow_the_results(vera_client, indexed, params, expected):
    assert set(hit_ids(vera_client.get("/search/", params))) == expected


def test_most_relevant_first_is_offered(vera_client, indexed):
    found = hit_ids(vera_client.get("/search/", {"q": "refund OR mug", "order": "relevance"}))
    assert set(found) == {"m-refund-1", "m-refund-3"}


def test_results_come_in_pages_with_cursor_links(vera_client, indexed, monkeypatch):
    monkeypatch.setattr(views, "MESSAGES_PER_PAGE", 2)
    first = vera_client.get("/search/", {"q": "refu* OR parcel"})
    assert hit_ids(first) == ["m-order-3", "m-order-1"]
    [older] = [a.get("href") for a in find_all(first.content.decode(), "a", rel="next")]
    second = vera_client.get(older)
    assert hit_ids(second) == ["m-refund-3", "m-refund-1"]
    assert not find_all(second.content.decode(), "a", rel="next")
    assert find_all(second.content.decode(), "a", rel="prev")


def test_a_mangled_page_link_gets_the_400_panel(vera_client, indexed):
    response = vera_client.get("/search/", {"q": "refund", "cursor": "n12'; DROP"})
    assert response.status_code == 400
    assert b"That page link is not valid" in response.content
    assert vera_client.get("/search/", {"q": "refund", "cursor": "r30"}).status_code == 400  # another order's


@pytest.mark.parametrize(
    "text",
    [
        "NEAR(refund mug)",
        "refund NEAR mug",
        "(((",
        "refund)",
        '"unbalanced',
        'mug"',
        '""',
        "title:refund",
        "^refund",
        "*",
        "refund*mug*",
        "-",
        "--refund",
        "OR",
        "refund OR",
        "AND NOT",
        "refund AND mug",
        "\\",
        "%_%",
        "'; DROP TABLE search_indexedmessage; --",
        "{near}",
        "+refund",
        "a*",
        "🍩 refund",
        "refund " * 200,
    ],
)
def test_no_query_syntax_makes_the_engine_fail(vera_client, indexed, text):
    response = vera_client.get("/search/", {"q": text[:500]})
    assert response.status_code == 200


def test_words_that_look_like_operators_are_searched_as_words(vera_client, indexed):
    assert set(hit_ids(vera_client.get("/search/", {"q": "(cracked mug)"}))) == {"m-refund-1", "m-refund-3"}


def test_only_exclusions_say_what_is_missing(vera_client, indexed):
    response = vera_client.get("/search/", {"q": "-refund"})
    assert b"add a word that is not excluded" in response.content


def test_thread_titles_and_working_memory_match_too(vera_client, indexed):
    html = vera_client.get("/search/", {"q": "pastry"}).content.decode()
    assert "Thread titles" in html and "<mark>Pastry</mark> ideas" in html
    html = vera_client.get("/search/", {"q": "hazelnut"}).content.decode()
    assert "Working memory" in html and 'href="/resources/user_b11/"' in html


def test_typing_gets_only_the_results_partial(vera_client, indexed):
    response = vera_client.get("/search/", {"q": "cracked"}, headers={**HTMX, "HX-Target": "search-results"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-results"')
    assert "<html" not in html
    assert "HX-Target" in response["Vary"]


def test_the_header_box_gets_quick_results(vera_client, indexed):
    response = vera_client.get(
        "/search/", {"q": "laminate"}, headers={**HTMX, "HX-Target": "header-search-results"}
    )
    html = response.content.decode()
    assert 'class="quick-hit" href="/threads/thr-recipe/?at=m-recipe-1#msg-m-recipe-1"' in html
    assert 'href="/search/?q=laminate"' in html
    assert "search-results" not in html


def test_every_page_has_the_search_box(vera_client, indexed):
    html = vera_client.get("/threads/").content.decode()
    [box] = find_all(html, "form", cls="header-search")
    assert box.get("action") == "/search/"


def test_a_search_with_no_indexer_running_catches_up_first(vera_client, support_store):
    assert hit_ids(vera_client.get("/search/", {"q": "laminate"})) == ["m-recipe-1"]


@override_settings(SEARCH_CATCH_UP_SECONDS=0)
def test_an_index_never_built_says_so(vera_client, support_store):
    response = vera_client.get("/search/", {"q": "laminate"})
    assert hit_ids(response) == []
    assert b'data-index-notice="unbuilt"' in response.content
    assert b"manage.py index --follow" in response.content


def test_the_overview_shows_the_index_status_and_the_rebuild_command(vera_client, indexed):
    html = vera_client.get("/").content.decode()
    [card] = find_all(html, "section", data_index_status=...)
    assert "Search index" in card.text
    assert "8" in card.text and "Messages indexed" in card.text
    assert "python manage.py index --rebuild" in card.text


def browser_encoded(value: str) -> str:
    """As a browser sends it (a lone surrogate becomes invalid UTF-8)."""
    return quote(value, safe="", errors="surrogatepass")


SEARCH_PARAMS = [
    "q",
    "resource",
    "thread",
    "role",
    "kind",
    "tool",
    "errors_only",
    "since",
    "until",
    "order",
    "cursor",
    "back",
]


@pytest.mark.parametrize("param", SEARCH_PARAMS)
def test_no_bad_value_in_any_search_parameter_answers_5xx(vera_client, indexed, param):
    for value in HOSTILE_VALUES:
        for headers in (
            {},
            {**HTMX, "HX-Target": "search-results"},
            {**HTMX, "HX-Target": "header-search-results"},
        ):
            response = vera_client.get(f"/search/?q=refund&{param}={browser_encoded(value)}", headers=headers)
            assert response.status_code in (200, 400), (param, value, response.status_code)


def test_no_bad_value_of_at_answers_5xx(vera_client, indexed):
    for value in HOSTILE_VALUES:
        response = vera_client.get(f"/threads/thr-refund/?at={browser_encoded(value)}")
        assert response.status_code in (200, 400), (value, response.status_code)
