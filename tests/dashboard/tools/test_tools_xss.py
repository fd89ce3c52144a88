"""The XSS corpus as tool names, arguments and error texts: /tools/ and every tool's page render
it as text, so their markup has exactly the shapes the pages have for benign tools."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from dashboard.core.store import use_store
from dashboard.search.indexer import Indexer
from storeclient.sqlite import SQLiteStore
from tests.support.xss_payloads import PAYLOADS

from ..thread_records import hostile_thread, nodes, write

pytestmark = pytest.mark.django_db


def shapes(html: str) -> set[tuple[str, frozenset[str]]]:
    return {(node.tag, frozenset(node.attrs)) for node in nodes(html)}


@pytest.fixture
def benign_shapes(vera_client, support_store) -> set[tuple[str, frozenset[str]]]:
    Indexer(support_store).poll()
    found = shapes(vera_client.get("/tools/").content.decode())
    found |= shapes(vera_client.get("/tools/issueRefund/").content.decode())
    found |= shapes(vera_client.get("/tools/lookupOrder/").content.decode())
    found |= shapes(vera_client.get("/activity/").content.decode())
    # The page's own "index is behind" banner, shown once a slow test has let the index age.
    found.add(("p", frozenset({"class", "data-index-notice", "role"})))
    return found


@pytest.fixture
def hostile_index(tmp_path: Path, benign_shapes):
    from dashboard.search.models import IndexerState, ToolCall

    # The benign store's rows go: the hostile store is indexed from scratch.
    ToolCall.objects.all().delete()
    IndexerState.objects.all().delete()
    store = SQLiteStore(tmp_path / "hostile.db", change_settle_seconds=0)
    write(store, hostile_thread())
    with use_store(store):
        Indexer(store).poll()
        yield store
    store.close()


def assert_only_page_markup(html: str, benign: set[tuple[str, frozenset[str]]]) -> None:
    unexpected = shapes(html) - benign
    assert not unexpected, unexpected
    assert "<script>window.__xss=1" not in html
    for node in nodes(html):
        # A link or source made from a stored string points at our own pages, never a script.
        for name in ("href", "src", "action"):
            assert not node.attrs.get(name, "/").lstrip().lower().startswith(("javascript:", "data:")), node


def test_the_overview_escapes_hostile_tool_names_and_errors(vera_client, hostile_index, benign_shapes):
    from dashboard.search.models import ToolCall

    assert ToolCall.objects.filter(is_error=True).exists()
    html = vera_client.get("/tools/").content.decode()
    assert html.count("<tr data-tool=") == len(set(PAYLOADS))
    assert_only_page_markup(html, benign_shapes)


def test_every_hostile_tools_page_escapes_it(vera_client, hostile_index, benign_shapes):
    from dashboard.search.models import ToolCall

    names = set(ToolCall.objects.values_list("tool_name", flat=True))
    assert len(names) == len(set(PAYLOADS))
    for name in names:
        response = vera_client.get(reverse("tools:tool", args=[name]))
        assert response.status_code == 200, name
        assert_only_page_markup(response.content.decode(), benign_shapes)


def test_activity_escapes_hostile_messages(vera_client, hostile_index, benign_shapes):
    html = vera_client.get("/activity/").content.decode()
    assert html.count("data-message-id=") == 50
    assert_only_page_markup(html, benign_shapes)
