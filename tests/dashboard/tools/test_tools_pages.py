"""/tools/ and a tool's page over the support conversations and over what Mastra's own LibSQLStore writes."""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.search.indexer import Indexer
from dashboard.tools.stats import normalise_error
from storeclient.sqlite import SQLiteStore
from tests.storeclient.sqlite.nodetools import needs_node, run_node

from .counting import expected_counts

pytestmark = pytest.mark.django_db


_TAG = re.compile(r"<[^>]+>")


def plain(fragment: str) -> str:
    return htmllib.unescape(_TAG.sub("", fragment)).strip()


def tool_rows(page: str) -> dict[str, dict[str, str]]:
    rows = {}
    for name, row in re.findall(r'<tr data-tool="([^"]*)">(.*?)</tr>', page, re.S):
        rows[htmllib.unescape(name)] = {
            cell: plain(re.search(rf"<td [^>]*data-{cell}>(.*?)</td>", row, re.S).group(1))
            for cell in ("calls", "failures", "waiting", "failure-rate")
        }
    return rows


def hrefs(fragment: str) -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(r'href="([^"]*)"', fragment)]


def hit_links(page: str) -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(r'<a class="hit-link" href="([^"]*)"', page)]


def marked(page: str, tag: str, marker: str) -> list[str]:
    """The contents of each ``<tag ... marker ...>`` element (not nested in one of its kind)."""
    return re.findall(rf"<{tag}\b[^>]*\b{marker}\b[^>]*>(.*?)</{tag}>", page, re.S)


def assert_page_matches_store(client, store) -> None:
    calls, failures = expected_counts(store)
    rows = tool_rows(client.get("/tools/").content.decode())
    assert set(rows) == set(calls)
    for name in calls:
        assert rows[name]["calls"] == str(calls[name]), name
        assert rows[name]["failures"] == str(failures[name]), name


def test_per_tool_counts_match_the_stored_messages(vera_client, support_store):
    Indexer(support_store).poll()
    assert_page_matches_store(vera_client, support_store)
    rows = tool_rows(vera_client.get("/tools/").content.decode())
    # One error text, one isError result, one success: each tool's verdict as the thread page shows it.
    assert rows["issueRefund"]["failure-rate"] == "100%"
    assert rows["trackParcel"]["failures"] == "1"
    assert rows["lookupOrder"]["failures"] == "0"


def test_the_page_says_how_current_the_figures_are(vera_client, support_store):
    page = vera_client.get("/tools/").content.decode()
    assert "has not been built yet" in page
    Indexer(support_store).poll()
    page = vera_client.get("/tools/").content.decode()
    assert "behind the store" in plain(marked(page, "p", "data-index-freshness")[0])


def test_filters_narrow_the_counts(vera_client, support_store):
    Indexer(support_store).poll()
    assert set(tool_rows(vera_client.get("/tools/?agent=orderAgent").content.decode())) == {"trackParcel"}
    assert set(tool_rows(vera_client.get("/tools/?resource=USER_D82").content.decode())) == {
        "lookupOrder",
        "issueRefund",
    }
    assert tool_rows(vera_client.get("/tools/?since=2026-01-06").content.decode()) == {}
    assert "lookupOrder" in tool_rows(
        vera_client.get("/tools/?since=2026-01-05&until=2026-01-05").content.decode()
    )


def test_bad_filters_get_the_400_panel(vera_client, support_store):
    response = vera_client.get("/tools/?since=2026-02-01&until=2026-01-01")
    assert response.status_code == 400
    assert "before" in response.content.decode()
    assert vera_client.get("/tools/?since=not-a-day").status_code == 400
    assert vera_client.get("/tools/lookupOrder/?until=9999-12-31").status_code == 400


def test_drill_downs_find_the_messages_through_search(vera_client, support_store):
    Indexer(support_store).poll()
    page = vera_client.get("/tools/").content.decode()
    row = re.search(r'<tr data-tool="issueRefund">(.*?)</tr>', page, re.S).group(1)
    failures_link = hrefs(marked(row, "td", "data-failures")[0])[0]
    assert parse_qs(urlsplit(failures_link).query)["errors_only"] == ["1"]
    results = vera_client.get(failures_link).content.decode()
    assert hit_links(results) == ["/threads/thr-refund/?at=m-refund-2#msg-m-refund-2"]
    for group in marked(page, "li", "data-error-group"):
        assert len(hit_links(vera_client.get(hrefs(group)[0]).content.decode())) == 1, plain(group)


def test_a_tools_page(vera_client, support_store):
    Indexer(support_store).poll()
    page = vera_client.get("/tools/issueRefund/").content.decode()
    assert "1 calls" in plain(marked(page, "p", "data-tool-summary")[0])
    keys = [plain(k).split()[0] for k in marked(page, "dt", "data-arg-key")]
    assert keys == ["orderId", "amount"]
    assert "A-18896" in plain(marked(page, "dl", "argument-keys")[0])
    failing = marked(page, "li", "data-failing-call")
    assert len(failing) == 1 and "Amount exceeds order total" in plain(failing[0])
    assert hrefs(failing[0])[0] == "/threads/thr-refund/?at=m-refund-2#msg-m-refund-2"
    assert 'data-day="2026-01-05"' in page


def test_an_unknown_tool_is_404_with_the_page(vera_client, support_store):
    Indexer(support_store).poll()
    response = vera_client.get("/tools/noSuchTool/")
    assert response.status_code == 404
    assert "No calls of this tool" in response.content.decode()


def test_waiting_calls_are_counted_until_their_result_arrives(vera_client, support_store):
    from storeclient.models import Message
    from tests.dashboard.search.records import ORDER, at

    indexer = Indexer(support_store)  # one worker: a second would wait for the first one's lease
    invocation = {
        "toolName": "trackParcel",
        "toolCallId": "call-wait-1",
        "state": "call",
        "args": {"carrier": "UPS"},
    }
    support_store.memory.save_messages(
        [
            Message(
                id="m-wait",
                thread_id=ORDER.id,
                role="assistant",
                created_at=at(60),
                resource_id=ORDER.resource_id,
                content={"format": 2, "parts": [{"type": "tool-invocation", "toolInvocation": invocation}]},
            )
        ]
    )
    indexer.poll()
    assert tool_rows(vera_client.get("/tools/").content.decode())["trackParcel"]["waiting"] == "1"
    answered = {**invocation, "state": "result", "result": {"eta": "Friday"}}
    support_store.memory.save_messages(
        [
            Message(
                id="m-wait-result",
                thread_id=ORDER.id,
                role="assistant",
                created_at=at(61),
                resource_id=ORDER.resource_id,
                content={"format": 2, "parts": [{"type": "tool-invocation", "toolInvocation": answered}]},
            )
        ]
    )
    indexer.poll()
    assert tool_rows(vera_client.get("/tools/").content.decode())["trackParcel"]["waiting"] == "0"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Order A-18896 not found", "Order A-20001 not found"),
        ("timeout after 3000 ms", "timeout after 12 ms"),
        ("no run 3f2b8c1e-0a4d-4e5f-9c7b-1d2e3f4a5b6c", "no run 00000000-1111-2222-3333-444444444444"),
        ("bad hash deadbeef01", "bad hash 0a1b2c3d4e"),
        ("user 'alice' unknown", "user 'bob' unknown"),
    ],
)
def test_error_messages_differing_only_in_ids_are_one_group(first, second):
    assert normalise_error(first) == normalise_error(second)


def test_different_errors_stay_apart():
    assert normalise_error("carrier timeout") != normalise_error("carrier refused")


@needs_node
def test_counts_on_what_mastras_own_libsql_store_writes(vera_client, tmp_path):
    from dashboard.core.store import use_store

    path = tmp_path / "mastra.db"
    run_node("libsql_client.mjs", "write", str(path), stdin="{}")
    store = SQLiteStore(path, change_settle_seconds=0)
    try:
        with use_store(store):
            Indexer(store).poll()
            assert_page_matches_store(vera_client, store)
            assert "weatherTool" in tool_rows(vera_client.get("/tools/").content.decode())
    finally:
        store.close()
