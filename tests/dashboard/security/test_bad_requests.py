"""A bad-request corpus over every URL: whatever an address bar, a stale bookmark or a hostile link
sends — garbage cursors, dates out of any calendar, negative or huge numbers, unknown choices, very
long or half-emoji text, ids that exist nowhere — the answer is a page a person can act on (2xx, 3xx
or 4xx), never a 5xx. Signed in as an admin, so every view runs its code rather than refusing."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from dashboard.demo.scores import SCORERS

HOSTILE_VALUES = [
    "",
    "-1",
    "99999999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "\x00",
    "eyJ0IjoiXHVkODAwIn0",  # a base64 cursor whose JSON holds a lone surrogate
    "\ud83d",
    "a" * 5_000,
]
#: For htmx requests (the partial paths): the values that reach the most code.
HTMX_VALUES = ["-1", "9999-12-31", "eyJ0IjoiXHVkODAwIn0", "\ud83d"]
PARAMS = ["cursor", "back", "page", "q", "resource", "thread", "status", "workflow", "name", "from", "until",
          "period", "range", "source", "entity", "entity_id", "order", "step", "raw", "per_page", "score", "user",
          "action"]  # fmt: skip


def _urls(demo_set) -> list[str]:  # type: ignore[no-untyped-def]
    thread = demo_set.threads[0]
    run = demo_set.runs[0]
    scorer = next(iter(SCORERS))
    return [
        "/",
        "/threads/",
        f"/threads/{quote(thread.id)}/",
        f"/threads/{quote(thread.id)}/memory/",
        f"/threads/{quote(thread.id)}/messages/nope/raw/",
        "/resources/",
        f"/resources/{quote(thread.resource_id)}/",
        f"/resources/{quote(thread.resource_id)}/memory/",
        "/workflows/",
        f"/workflows/{quote(run.workflow_name)}/{quote(run.run_id)}/",
        "/scores/",
        f"/scores/{scorer}/",
        f"/scores/{scorer}/export.csv",
        f"/scores/{scorer}/export.json",
        f"/scores/{scorer}/no-such-score/",
        "/audit/",
        "/audit/999999/",
        "/threads/does-not-exist/",
        "/resources/does-not-exist/",
        "/workflows/no-such-workflow/no-such-run/",
        "/scores/no-such-scorer/",
    ]


def _body(response) -> None:  # type: ignore[no-untyped-def]
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # an export must stream to its end


class _ReadParams:
    """Records which query parameters the code behind a request reads: a parameter no code reads
    cannot turn a page into a 5xx, so the corpus is sent only for those (a view that reads more once
    given one, the rest of a form say, has those fuzzed as well)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: set[str] = set()
        recorded = self.seen
        original_getitem, original_getlist = MultiValueDict.__getitem__, MultiValueDict.getlist
        original_contains = dict.__contains__

        def getitem(self, key):  # type: ignore[no-untyped-def]
            recorded.add(key)
            return original_getitem(self, key)

        def getlist(self, key, default=None):  # type: ignore[no-untyped-def]
            recorded.add(key)
            return original_getlist(self, key, default)

        def contains(self, key):  # type: ignore[no-untyped-def]
            recorded.add(key)
            return original_contains(self, key)

        monkeypatch.setattr(QueryDict, "__getitem__", getitem)
        monkeypatch.setattr(QueryDict, "getlist", getlist)
        monkeypatch.setattr(QueryDict, "__contains__", contains)
        # QueryDict.get and .dict() go through __getitem__.

    def reading(self) -> set[str]:
        found = set(self.seen)
        self.seen.clear()
        return found


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_no_hostile_query_string_gives_a_server_error(ada_client, demo_set, htmx, monkeypatch):
    headers = {"HX-Request": "true"} if htmx else {}
    reads = _ReadParams(monkeypatch)
    failures = []
    fuzzed = 0
    for url in _urls(demo_set):
        # A query that is not empty, with nothing any view reads: forms bound only to a non-empty
        # query then read every field they have.
        _body(ada_client.get(f"{url}?unread=1", headers=headers))
        first = reads.reading()
        to_fuzz = [param for param in PARAMS if param in first]
        done: set[str] = set()
        while to_fuzz:
            param = to_fuzz.pop()
            done.add(param)
            for value in HTMX_VALUES if htmx else HOSTILE_VALUES:
                # Encoded as a browser would send it (a lone surrogate becomes invalid UTF-8).
                query = f"{param}={quote(value, safe='', errors='surrogatepass')}"
                response = ada_client.get(f"{url}?{query}", headers=headers)
                _body(response)
                fuzzed += 1
                if response.status_code >= 500:
                    failures.append((url, param, value[:20], response.status_code))
                more = reads.reading()
                to_fuzz += [p for p in PARAMS if p in more and p not in done and p not in to_fuzz]
    assert not failures, failures[:20]
    assert fuzzed > 200, "the read-parameter detection found almost nothing to send"


def test_no_hostile_id_gives_a_server_error(ada_client, demo_set):
    ids = ["%2F", "a%2Fb", "%00", quote("\ud83d", safe="", errors="surrogatepass"), "x" * 3_000, "..", "%25"]
    failures = []
    for hostile in ids:
        for template in ("/threads/{}/", "/threads/{}/messages/{}/raw/", "/resources/{}/", "/threads/{}/memory/",
                         "/resources/{}/memory/", "/workflows/{}/{}/", "/scores/{}/", "/scores/{}/{}/",
                         "/scores/{}/export.csv"):  # fmt: skip
            url = template.format(hostile, hostile)
            response = ada_client.get(url)
            _body(response)
            if response.status_code >= 500:
                failures.append((url[:60], response.status_code))
    assert not failures, failures
