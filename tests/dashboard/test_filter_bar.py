"""{% filter_bar %}: every list's filters are the same component: a fold whose summary says when a
filter is active, a search form with a label on every field, one primary Apply button, and a Clear
link while something is filtered."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError

from .html_query import find_all, find_one, page_content


def lists(demo_set) -> list[tuple[str, str, str]]:
    scorer_id = demo_set.scores[0].payload["scorerId"]
    return [
        ("/threads/", "/threads/?q=refund", "#thread-table"),
        ("/workflows/", "/workflows/?status=failed", "#run-results"),
        (f"/scores/{scorer_id}/", f"/scores/{scorer_id}/?source=LIVE", "#scorer-results"),
        ("/audit/", "/audit/?outcome=applied", "#audit-results"),
    ]


def test_every_list_draws_its_filters_with_the_one_component(ada_client, demo_set):
    for url, _, target in lists(demo_set):
        content = page_content(ada_client.get(url).content)
        bar = find_one(content, "details", cls="filter-bar")
        assert bar.get("open") is not None, f"{url}: served open, so it works without JS"
        form = find_one(content, "form", cls="filter-form")
        assert form.get("role") == "search" and form.get("aria-label"), url
        assert form.get("hx-target") == target, url
        apply = find_one(content, "button", cls="filter-apply")
        assert apply.text == "Apply" and apply.get("type") == "submit", url
        # Every visible control sits in a labelled field.
        fields = find_all(content, "label", cls="filter-field")
        controls = [
            c for c in find_all(content, "input") + find_all(content, "select") if c.get("type") != "hidden"
        ]
        in_bar = [
            c
            for c in controls
            if c.get("name")
            in {
                "resource",
                "q",
                "workflow",
                "status",
                "since",
                "until",
                "range",
                "source",
                "entity_type",
                "entity_id",
                "user",
                "action",
                "outcome",
                "target",
            }
        ]
        assert in_bar and len(fields) >= len(in_bar), url


def test_the_summary_and_a_clear_link_say_when_a_filter_is_active(ada_client, demo_set):
    for plain, filtered, _ in lists(demo_set):
        if "/scores/" in plain:
            continue  # the scorer page always has a range: it has no "cleared" state
        assert find_all(ada_client.get(plain).content, "span", cls="filter-bar-active") == [], plain
        content = ada_client.get(filtered).content
        assert find_one(content, "span", cls="filter-bar-active").text == "· active", filtered
        assert find_one(content, "a", cls="filter-clear").get("href") == plain, filtered


def test_the_tag_takes_only_named_options():
    with pytest.raises(TemplateSyntaxError, match="name=value"):
        Template('{% load ui %}{% filter_bar "/threads/" %}{% end_filter_bar %}')


def test_the_fields_it_wraps_are_escaped_like_the_rest_of_the_page():
    rendered = Template(
        '{% load ui %}{% filter_bar action="/threads/" label="Filter threads" %}'
        '<label class="filter-field">Title <input name="q" value="{{ q }}"></label>{% end_filter_bar %}'
    ).render(Context({"q": '"><script>alert(1)</script>'}))
    assert "<script>" not in rendered
    assert find_one(rendered, "input", name="q").get("value") == '"><script>alert(1)</script>'
