"""render_untrusted_markdown and the URL checks every page uses for stored, untrusted content."""

from __future__ import annotations

import pytest

from dashboard.core.rendering import (
    MARKDOWN_MAX_CHARS,
    parse_data_uri,
    render_untrusted_markdown,
    safe_image_src,
    safe_link_url,
    url_scheme,
)
from dashboard.working_memory.rules import working_memory_kind, working_memory_view
from tests.support.xss_payloads import PAYLOADS, URLS

from .thread_records import nodes

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def assert_inert(html: str) -> None:
    for node in nodes(html):
        assert node.tag in ALLOWED_TAGS, f"<{node.tag}> survived in {html!r}"
        for name, value in node.attrs.items():
            assert name in {"href", "title", "rel", "start"}, f"attribute {name}= survived in {html!r}"
            if name == "href":
                assert url_scheme(value) in {"http", "https", "mailto"}, f"href {value!r} survived"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_as_markup_that_can_run_script(payload):
    assert_inert(render_untrusted_markdown(payload))


@pytest.mark.parametrize("url", URLS)
def test_no_dangerous_url_survives_as_a_markdown_link(url):
    assert_inert(render_untrusted_markdown(f"[click]({url}) and <{url}>"))


def test_markdown_renders_the_usual_blocks():
    html = render_untrusted_markdown(
        "## Export\n\nUse **the API** or ~~the CSV~~.\n\n```python\nprint(1 < 2)\n```\n\n"
        "| Parameter | Default |\n|---|---|\n| `since` | 30 days |\n\n> Pages are cursor-based.\n\n1. one\n2. two"
    )
    assert "<h2>Export</h2>" in html
    assert "<strong>the API</strong>" in html
    assert "<s>the CSV</s>" in html
    assert "<pre><code>print(1 &lt; 2)\n</code></pre>" in html
    assert "<table>" in html and "<td><code>since</code></td>" in html
    assert "<blockquote>" in html and "<ol>" in html


def test_links_keep_http_and_mailto_targets_and_open_without_an_opener():
    html = render_untrusted_markdown(
        "[docs](https://docs.example/api) <https://x.example> [mail](mailto:a@b.example)"
    )
    assert '<a href="https://docs.example/api" rel="noopener noreferrer">docs</a>' in html
    assert '<a href="https://x.example" rel="noopener noreferrer">' in html
    assert 'href="mailto:a@b.example"' in html


def test_raw_html_is_shown_as_text():
    html = render_untrusted_markdown("Press <kbd>Ctrl</kbd> then <script>alert(1)</script>")
    assert "&lt;kbd&gt;Ctrl&lt;/kbd&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_relative_links_lose_their_target():
    # A link into the dashboard itself ("/resources/x/memory/") from a message is never useful.
    assert "href" not in render_untrusted_markdown("[settings](/accounts/logout/)")


def test_images_become_links_and_never_load():
    html = render_untrusted_markdown("![chart](https://cdn.example/chart.png)")
    assert "<img" not in html
    assert '<a href="https://cdn.example/chart.png" rel="noopener noreferrer">[image: chart]</a>' in html


def test_htmx_and_data_attributes_never_survive():
    html = render_untrusted_markdown('<div hx-get="/x" data-hx-post="/y" data-anything="1">x</div>')
    assert "&lt;div hx-get=" in html  # shown as text
    assert not [name for node in nodes(html) for name in node.attrs if name.startswith(("hx-", "data-"))]


def test_text_over_the_cap_is_escaped_plain_text_with_a_note():
    text = "<b>" + "a" * MARKDOWN_MAX_CHARS
    html = render_untrusted_markdown(text)
    assert html.startswith('<p class="render-note">Shown as plain text')
    assert '<pre class="plain-text">&lt;b&gt;aaa' in html


def test_inputs_that_make_markdown_quadratic_are_shown_as_plain_text():
    # Thousands of unmatched "[" make markdown-it's link scan quadratic (seconds of CPU).
    for hostile in ("[" * 5_000, "![" * 2_500, "[(" * 2_500):
        assert render_untrusted_markdown(hostile).startswith('<p class="render-note">'), hostile[:4]
    assert "render-note" not in render_untrusted_markdown("[a](https://a.example) " * 200)


def test_results_are_cached_per_text():
    text = "cache me **once** " + str(id(object()))
    assert render_untrusted_markdown(text) is render_untrusted_markdown(text)


def test_empty_text_renders_nothing():
    assert render_untrusted_markdown("") == ""
    assert render_untrusted_markdown(None) == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://docs.example/a?b=c", "https://docs.example/a?b=c"),
        ("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
        ("  https://example.com  ", "https://example.com"),
        ("javascript:alert(1)", None),
        (" JaVa\tScRiPt:alert(1)", None),
        ("\x00javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("vbscript:x", None),
        ("https:/missing-slash", None),
        ("https:///no-host", None),
        ("//evil.example", None),
        ("/relative", None),
        (None, None),
        (42, None),
    ],
)
def test_only_absolute_http_urls_become_links(url, expected):
    assert safe_link_url(url) == expected


def test_images_load_only_from_https_or_raster_data_uris():
    assert safe_image_src("https://cdn.example/a.png", "image/png") == "https://cdn.example/a.png"
    assert safe_image_src("data:image/webp;base64,UklGRg==") == "data:image/webp;base64,UklGRg=="
    assert safe_image_src("http://cdn.example/a.png", "image/png") is None
    assert safe_image_src("https://cdn.example/a.svg", "image/svg+xml") is None
    assert safe_image_src("data:image/svg+xml;base64,PHN2Zz4=") is None
    assert safe_image_src("data:image/png;base64,AAAA", "image/svg+xml") is None
    assert safe_image_src("data:text/html;base64,PHNjcmlwdD4=", "image/png") is None
    assert safe_image_src("https://cdn.example/page", "text/html") is None


def test_data_uri_sizes_come_from_the_base64_length():
    assert parse_data_uri("data:application/pdf;base64,QUJDRA==").size == 4
    assert parse_data_uri("data:image/png;base64,QUJD").size == 3
    assert parse_data_uri("data:,hello").media_type == "text/plain"
    assert parse_data_uri("https://example.com") is None


def test_working_memory_in_schema_mode_is_shown_as_json_and_template_mode_as_markdown():
    json_view = working_memory_view('{"name":"Arjun Mehta","openOrders":["A-10492"]}')
    assert json_view.kind == "json" and json_view.value["openOrders"] == ["A-10492"]
    markdown = working_memory_view("# User Information\n- **First Name**: Dana\n")
    assert markdown.kind == "markdown" and "<strong>First Name</strong>" in markdown.html
    assert working_memory_view("  ").kind == "empty"
    assert working_memory_kind("[not json") == "markdown"
    assert working_memory_kind('"a string"') == "markdown"
