"""A bad-request corpus over every URL: whatever an address bar, a stale bookmark or a hostile link
sends — garbage cursors, dates out of any calendar, negative or huge numbers, unknown choices, very
long or half-emoji text, ids that exist nowhere — the answer is a page a person can act on (2xx, 3xx
or 4xx), never a 5xx. Signed in as an admin, so every view runs its code rather than refusing."""

from __future__ import annotations

from urllib.parse import quote

import pytest

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


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_no_hostile_query_string_gives_a_server_error(ada_client, demo_set, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    failures = []
    for url in _urls(demo_set):
        for param in PARAMS:
            for value in HTMX_VALUES if htmx else HOSTILE_VALUES:
                # Encoded as a browser would send it (a lone surrogate becomes invalid UTF-8).
                query = f"{param}={quote(value, safe='', errors='surrogatepass')}"
                response = ada_client.get(f"{url}?{query}", headers=headers)
                _body(response)
                if response.status_code >= 500:
                    failures.append((url, param, value[:20], response.status_code))
    assert not failures, failures[:20]


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
