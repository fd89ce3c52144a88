"""The XSS corpus (tests/support/xss_payloads.py) placed in every part of a thread: message text,
reasoning, tool names, arguments, results and errors, file names and URLs, source URLs and titles,
data parts, working memory, metadata and the title. Whatever the payload, the rendered page holds
no markup that can run script or drive htmx. (tests/browser/test_threads.py loads the same thread in
Chromium and checks that nothing ran.)"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboard.core.rendering import url_scheme
from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.support.xss_payloads import PAYLOADS

from .support import HTMX
from .thread_records import hostile_thread, nodes, write

SAFE_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,")


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("hostile") / "mastra.db")
    records = write(store, hostile_thread())
    yield store, records
    store.close()


@pytest.fixture
def hostile(hostile_store):
    with use_store(hostile_store[0]):
        yield hostile_store[1]


@pytest.fixture(scope="module")
def thread_html(hostile_store, django_db_setup, django_db_blocker) -> str:
    """The thread page followed by every older page "Load older" fetches (the corpus spans two).
    Rendered once for the module: the assertions below only read it."""
    with django_db_blocker.unblock(), use_store(hostile_store[0]):
        reader = User.objects.create_user("xss-reader")
        client = Client()
        client.force_login(reader)
        try:
            response = client.get("/threads/thread-hostile/")
            assert response.status_code == 200
            html = [response.content.decode()]
            while older := re.search(
                r'<a href="([^"]+)" hx-get="[^"]+" hx-target="closest .load-older"', html[-1]
            ):
                partial = client.get(older.group(1).replace("&amp;", "&"), headers=HTMX)
                assert partial.status_code == 200
                # Older pages are swapped into the message list: check them as if they were in it.
                html.append(f'<section id="messages" class="messages">{partial.content.decode()}</section>')
        finally:
            client.logout()
            reader.delete()
    assert len(html) > 1
    return "\n".join(html)


def test_the_corpus_is_big_enough():
    assert len(PAYLOADS) >= 60


def test_the_only_scripts_are_our_own_static_files(thread_html):
    scripts = [n for n in nodes(thread_html) if n.tag == "script"]
    assert scripts
    for script in scripts:
        assert script.attrs.get("src", "").startswith("/static/"), script.attrs
        assert script.attrs.get("nonce")


def test_no_element_in_the_message_area_has_an_event_handler(thread_html):
    offenders = [
        (n.tag, name)
        for n in nodes(thread_html)
        if n.inside("messages")
        for name in n.attrs
        if name.startswith("on")
    ]
    assert offenders == []


def test_no_element_anywhere_has_an_event_handler_or_inline_style(thread_html):
    for node in nodes(thread_html):
        assert not [name for name in node.attrs if name.startswith("on") or name == "style"], (
            node.tag,
            node.attrs,
        )


def test_no_htmx_attribute_survives_inside_message_content(thread_html):
    inside = [n for n in nodes(thread_html) if n.inside("message")]
    assert inside
    for node in inside:
        bad = [name for name in node.attrs if name.startswith(("hx-", "data-hx-"))]
        assert bad == [], (node.tag, node.attrs)


def test_no_link_or_source_uses_a_dangerous_scheme(thread_html):
    for node in nodes(thread_html):
        for name in ("href", "src", "action", "formaction", "xlink:href", "data"):
            value = node.attrs.get(name)
            if value is None:
                continue
            scheme = url_scheme(value)
            if scheme == "data":
                # Inline images of raster types, and inert downloads served as octet-stream.
                assert SAFE_IMAGE_DATA.match(value) or value.startswith("data:application/octet-stream"), (
                    value[:80]
                )
            else:
                assert scheme in (None, "http", "https", "mailto"), (node.tag, name, value[:80])


def test_no_dangerous_elements_come_through(thread_html):
    allowed_in_messages = {
        "article", "header", "span", "a", "time", "div", "details", "summary", "pre", "p", "ul", "li",
        "strong", "em", "del", "s", "code", "blockquote", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td", "br", "hr", "figure", "figcaption", "img", "button",
    }  # fmt: skip
    for node in nodes(thread_html):
        if node.inside("messages"):
            assert node.tag in allowed_in_messages, node.tag


def test_images_load_only_from_https_or_raster_data(thread_html):
    for node in nodes(thread_html):
        if node.tag == "img":
            src = node.attrs["src"]
            assert src.startswith("https://") or SAFE_IMAGE_DATA.match(src), src[:80]


def test_no_element_takes_an_id_or_name_from_the_data(thread_html):
    # DOM clobbering: ids come from us ("msg-<id>" and fixed names), never from message markup.
    for node in nodes(thread_html):
        if node.inside("message-body"):
            assert "id" not in node.attrs and "name" not in node.attrs, node.attrs


def test_the_title_is_shown_as_text(thread_html):
    assert (
        "&lt;img src=x onerror=window.__xss=1&gt; &lt;script&gt;window.__xss=1&lt;/script&gt; hostile thread"
        in thread_html
    )


def test_every_message_is_still_shown(thread_html, hostile):
    for message in hostile.messages:
        assert f'id="msg-{message.id}"' in thread_html


def test_the_thread_list_shows_hostile_titles_as_text(vera_client, hostile):
    html = vera_client.get("/threads/", headers=HTMX).content.decode()
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    for node in nodes(html):
        assert node.tag not in ("script", "img")
