"""The XSS corpus in every field the observational-memory, schedule, background-task and vector
pages show (tests/dashboard/runtime_records.py), plus rows with the wrong types: every page still
renders, and holds no markup that can run script or drive htmx."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from dashboard.core.rendering import url_scheme
from dashboard.core.store import use_store
from storeclient.sqlite import SQLiteStore
from tests.storeclient.sqlite.nodetools import needs_node
from tests.support.xss_payloads import PAYLOADS

from .runtime_records import INDEX, RESOURCE, THREAD, write_hostile_runtime
from .thread_records import nodes

pytestmark = needs_node

PAGES = [
    f"/resources/{RESOURCE}/",
    f"/threads/{THREAD}/",
    "/workflows/schedules/",
    *[f"/workflows/schedules/sched_{n}/" for n in range(8)],
    "/workflows/schedules/sched_broken/",
    "/workflows/background-tasks/",
    "/vectors/",
    f"/vectors/{INDEX}/",
    f"/vectors/{INDEX}/?of=v1",
    f"/vectors/{INDEX}/?of={quote(PAYLOADS[0])}",
    f"/vectors/{INDEX}/?of=v-bad",
]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile-runtime") / "mastra.db"
    write_hostile_runtime(path)
    store = SQLiteStore(path, create=False)
    yield store
    store.close()


@pytest.fixture
def rendered(vera_client, hostile_store) -> dict[str, str]:
    out: dict[str, str] = {}
    with use_store(hostile_store):
        for url in PAGES:
            response = vera_client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            out[url] = response.content.decode()
    return out


def test_every_page_renders_whatever_the_rows_hold(rendered):
    assert set(rendered) == set(PAGES)


def test_the_payloads_are_shown_as_text(rendered):
    escaped = "&lt;script&gt;window.__xss=1&lt;/script&gt;"
    assert escaped in rendered["/workflows/background-tasks/"]
    assert escaped in rendered["/workflows/schedules/sched_0/"]
    assert escaped in rendered[f"/vectors/{INDEX}/"]
    # Observations go through the Markdown sanitiser: the script tag is text there too.
    assert "<script>window.__xss" not in rendered[f"/resources/{RESOURCE}/"]
    assert "window.__xss" in rendered[f"/resources/{RESOURCE}/"]


def test_the_only_scripts_are_our_own_static_files(rendered):
    for url, html in rendered.items():
        for node in nodes(html):
            if node.tag == "script":
                assert node.attrs.get("src", "").startswith("/static/"), (url, node.attrs)


def test_no_element_has_an_event_handler_or_inline_style(rendered):
    for url, html in rendered.items():
        for node in nodes(html):
            bad = [name for name in node.attrs if name.startswith("on") or name == "style"]
            assert bad == [], (url, node.tag, node.attrs)


def test_no_link_uses_a_dangerous_scheme(rendered):
    for url, html in rendered.items():
        for node in nodes(html):
            for name in ("href", "src", "action", "formaction", "xlink:href", "data"):
                value = node.attrs.get(name)
                if value is not None:
                    assert url_scheme(value) in (None, "http", "https", "mailto"), (url, node.tag, value[:80])


def test_no_htmx_attribute_comes_from_the_data(rendered):
    # Our own htmx attributes sit on our forms, pagers and links and point at our own pages; the
    # corpus's htmx payloads (hx-get to the logout URL on load, data-hx-*) must stay text.
    for url, html in rendered.items():
        for node in nodes(html):
            assert not [name for name in node.attrs if name.startswith("data-hx-")], (url, node.attrs)
            assert node.attrs.get("hx-trigger") != "load", (url, node.attrs)
            for name in ("hx-get", "hx-post"):
                if name in node.attrs:
                    assert node.attrs[name].startswith("/") and "logout" not in node.attrs[name], (
                        url,
                        node.attrs,
                    )
