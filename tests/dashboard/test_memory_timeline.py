"""The working-memory timeline: every version, tied to the turn (or the person) that wrote it.

Agent versions are messages carrying ``updateWorkingMemory`` tool-invocation parts exactly as
Mastra's message list stores them (format 2, ``args: {memory: <string>}``: the whole Markdown
memory in template mode, a JSON object text merged into the memory in schema mode), written
through the store, indexed by the real indexer, then read by the pages.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator

import pytest

from dashboard.core.store import use_store
from dashboard.memory_editor.timeline import build_timeline, deep_merge, line_origins
from dashboard.search.indexer import Indexer
from storeclient.convex import ConvexStore
from storeclient.interface import Store
from storeclient.models import Message, Resource, Thread
from storeclient.sqlite import SQLiteStore
from tests.storeclient.sqlite.nodetools import needs_node, run_node
from tests.support.xss_payloads import PAYLOADS

from .search.records import at, message, parts, text, tool
from .thread_records import nodes

pytestmark = pytest.mark.django_db

RESOURCE_ID = "user_asha"
THREAD = Thread("thr-move", RESOURCE_ID, "Moving house", at(0), at(0), {"agentId": "supportAgent"})
PROFILE_V1 = "# User\n- Name: Asha\n- City: Mumbai\n- Pets: none"
PROFILE_V2 = "# User\n- Name: Asha\n- City: Pune\n- Pets: none"
PROFILE_V3 = "# User\n- Name: Asha\n- City: Pune\n- Pets: none\n- Prefers: email"


def memory_write(id: str, minutes: float, memory: str, thread: Thread = THREAD) -> Message:
    """An assistant turn that called Mastra's working-memory tool, as @mastra/core stores it."""
    call = tool("updateWorkingMemory", {"memory": memory}, result={"success": True})
    call["toolInvocation"]["toolCallId"] = f"call_{id}"
    return message(id, thread, "assistant", minutes, parts({"type": "step-start"}, call))


def set_resource_memory(store: Store, value: str) -> None:
    current = store.memory.get_resource_by_id(RESOURCE_ID)
    if current is None:
        store.memory.save_resource(Resource(RESOURCE_ID, at(0), at(0), value))
    else:
        store.memory.save_resource_working_memory(RESOURCE_ID, value, expected=current.memory_version)


def write_markdown_history(store: Store) -> None:
    """Three agent turns in resource scope (template mode); the store holds the last."""
    store.memory.save_thread(THREAD)
    store.memory.save_messages(
        [
            message("m-hello", THREAD, "user", 1, text("Hi, I'm Asha from Mumbai")),
            memory_write("m-wm-1", 2, PROFILE_V1),
            message("m-move", THREAD, "user", 3, text("I moved to Pune last week")),
            memory_write("m-wm-2", 4, PROFILE_V2),
            memory_write("m-wm-3", 6, PROFILE_V3),
        ]
    )
    set_resource_memory(store, PROFILE_V3)


JSON_THREAD = Thread("thr-json", RESOURCE_ID, "Schema memory", at(10), at(10), {"agentId": "supportAgent"})


def write_json_history(store: Store) -> None:
    """Two agent turns in thread scope (schema mode): the second merges into the first."""
    store.memory.save_thread(JSON_THREAD)
    store.memory.save_messages(
        [
            memory_write(
                "m-json-1", 11, json.dumps({"name": "Asha", "city": "Mumbai", "pets": []}), JSON_THREAD
            ),
            memory_write("m-json-2", 12, json.dumps({"city": "Pune", "pets": None}), JSON_THREAD),
        ]
    )
    thread = store.memory.get_thread_by_id(JSON_THREAD.id)
    assert thread is not None
    store.memory.save_thread_working_memory(
        JSON_THREAD.id, '{"name":"Asha","city":"Pune"}', expected=thread.memory_version
    )


@pytest.fixture(params=["sqlite", "convex"])
def store(request, tmp_path) -> Iterator[Store]:
    if request.param == "sqlite":
        made: Store = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    else:
        server = request.getfixturevalue("convex_backend")
        made = ConvexStore(server.url, server.admin_key, change_settle_seconds=0)
    write_markdown_history(made)
    write_json_history(made)
    assert Indexer(made).poll().drained
    with use_store(made):
        yield made
    made.close()


def test_the_agent_versions_are_listed_in_order_with_their_turns(store):
    timeline = build_timeline("resource", RESOURCE_ID, PROFILE_V3, store)
    assert [(v.author, v.message_id, v.text) for v in timeline.versions] == [
        ("agent", "m-wm-1", PROFILE_V1),
        ("agent", "m-wm-2", PROFILE_V2),
        ("agent", "m-wm-3", PROFILE_V3),
    ]
    assert {v.thread_id for v in timeline.versions} == {THREAD.id}


def test_schema_mode_versions_are_merged_as_mastra_merges_them(store):
    thread = store.memory.get_thread_by_id(JSON_THREAD.id)
    timeline = build_timeline("thread", JSON_THREAD.id, thread.working_memory, store)
    assert [json.loads(v.text) for v in timeline.versions] == [
        {"name": "Asha", "city": "Mumbai", "pets": []},
        {"name": "Asha", "city": "Pune"},
    ]
    # The stored value is the merged one, so nothing is marked as written elsewhere.
    assert [v.author for v in timeline.versions] == ["agent", "agent"]


def test_each_line_names_the_turn_that_introduced_it(store):
    origins = line_origins(build_timeline("resource", RESOURCE_ID, PROFILE_V3, store))
    assert [(o.text, o.version.message_id) for o in origins] == [
        ("# User", "m-wm-1"),
        ("- Name: Asha", "m-wm-1"),
        ("- City: Pune", "m-wm-2"),
        ("- Pets: none", "m-wm-1"),
        ("- Prefers: email", "m-wm-3"),
    ]


def test_the_page_lists_versions_newest_first_and_links_each_turn(store, vera_client):
    response = vera_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/")
    assert response.status_code == 200
    body = response.content.decode()
    links = [f'href="/threads/{THREAD.id}/?at={m}"' for m in ("m-wm-3", "m-wm-2", "m-wm-1")]
    positions = [body.index(link) for link in links]
    assert positions == sorted(positions)
    # The default diff is the newest version against the one before it.
    assert "- Prefers: email" in body.split('id="timeline-diff"')[1].split("</section>")[0]


def test_a_value_written_elsewhere_is_marked(store, vera_client):
    set_resource_memory(store, PROFILE_V3 + "\n- Written by a script")
    body = vera_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/").content.decode()
    assert 'data-author="elsewhere"' in body
    assert "written elsewhere" in body


def test_restoring_an_agent_version_applies_through_the_conflict_safe_save(store, eddie_client):
    current = store.memory.get_resource_by_id(RESOURCE_ID)
    first = build_timeline("resource", RESOURCE_ID, current.working_memory, store).versions[0]
    asked = {"version": current.memory_version.token(), "restore_version": first.key}
    # The first POST only shows what the restore would change and asks; nothing is written yet.
    preview = eddie_client.post(f"/resources/{RESOURCE_ID}/memory/", asked)
    assert preview.status_code == 200 and b'id="restore-confirm-form"' in preview.content
    assert store.memory.get_resource_by_id(RESOURCE_ID).working_memory == current.working_memory
    response = eddie_client.post(f"/resources/{RESOURCE_ID}/memory/", asked | {"confirmed": "on"})
    assert response.status_code == 303
    assert store.memory.get_resource_by_id(RESOURCE_ID).working_memory == PROFILE_V1
    after = build_timeline("resource", RESOURCE_ID, PROFILE_V1, store).versions
    assert (after[-1].author, after[-1].username, after[-1].restore) == ("person", "eddie", True)
    assert after[-1].text == PROFILE_V1


def test_a_restore_from_a_stale_page_conflicts_and_writes_nothing(store, eddie_client):
    stale = store.memory.get_resource_by_id(RESOURCE_ID).memory_version.token()
    set_resource_memory(store, PROFILE_V3 + "\n- Changed meanwhile")
    first = build_timeline("resource", RESOURCE_ID, None, store).versions[0]
    response = eddie_client.post(
        f"/resources/{RESOURCE_ID}/memory/",
        {"version": stale, "restore_version": first.key, "confirmed": "on"},
    )
    assert response.status_code == 409
    assert store.memory.get_resource_by_id(RESOURCE_ID).working_memory.endswith("- Changed meanwhile")


def test_a_viewer_cannot_restore(store, vera_client):
    current = store.memory.get_resource_by_id(RESOURCE_ID)
    first = build_timeline("resource", RESOURCE_ID, None, store).versions[0]
    response = vera_client.post(
        f"/resources/{RESOURCE_ID}/memory/",
        {"version": current.memory_version.token(), "restore_version": first.key},
    )
    assert response.status_code == 403
    assert store.memory.get_resource_by_id(RESOURCE_ID).working_memory == PROFILE_V3


def test_deep_merge_follows_mastra():
    existing = {"name": "Asha", "address": {"city": "Mumbai", "pin": "400001"}, "tags": ["a"]}
    update = {"address": {"city": "Pune", "pin": None}, "tags": ["b"], "age": 31}
    assert deep_merge(existing, update) == {
        "name": "Asha",
        "address": {"city": "Pune"},
        "tags": ["b"],
        "age": 31,
    }
    assert deep_merge(existing, {}) == existing


XSS = '<script>alert("wm")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_store(tmp_path) -> Iterator[Store]:
    made = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    made.memory.save_thread(THREAD)
    made.memory.save_messages(
        [memory_write("m-x1", 1, f"# User\n- Name: {XSS}"), memory_write("m-x2", 2, f"# User\n- City: {XSS}")]
    )
    made.memory.save_resource(Resource(RESOURCE_ID, at(0), at(0), f"# User\n- City: {XSS}"))
    assert Indexer(made).poll().drained
    with use_store(made):
        yield made
    made.close()


def test_hostile_memory_is_escaped_in_versions_diffs_and_line_origins(hostile_store, vera_client):
    body = vera_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/").content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    escaped = html.escape(XSS, quote=False)
    diff = body.split('id="timeline-diff"')[1].split("</section>")[0]
    origins = body.split('id="line-origins"')[1].split("</section>")[0]
    assert escaped.replace('"', "&quot;") in diff or escaped in diff
    assert escaped.replace('"', "&quot;") in origins or escaped in origins


def test_a_bad_page_link_is_a_400(store, vera_client):
    assert vera_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/?page=abc").status_code == 400
    assert vera_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/?old=<x>").status_code == 400


def test_an_unknown_resource_is_a_404(store, vera_client):
    assert vera_client.get("/resources/nobody/memory/timeline/").status_code == 404


def test_the_thread_page_says_which_turns_changed_working_memory(store, vera_client):
    body = vera_client.get(f"/threads/{THREAD.id}/").content.decode()
    assert body.count("This turn changed working memory") == 3
    assert f'href="/threads/{THREAD.id}/memory/turns/m-wm-2/"' in body


def test_a_turn_shows_its_diff_against_the_version_before(store, vera_client):
    response = vera_client.get(f"/threads/{THREAD.id}/memory/turns/m-wm-2/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "- City: Mumbai" in body and "- City: Pune" in body
    assert 'class="diff-count-added">+1<' in body and 'class="diff-count-removed">−1<' in body


def test_a_thread_scoped_turn_diffs_the_thread_memory(store, vera_client):
    body = vera_client.get(f"/threads/{JSON_THREAD.id}/memory/turns/m-json-2/").content.decode()
    assert "Pune" in body and "pets" in body
    assert "The thread's memory" in body


def test_a_turn_not_in_the_index_says_so(store, vera_client):
    body = vera_client.get(f"/threads/{THREAD.id}/memory/turns/m-hello/").content.decode()
    assert 'id="turn-not-indexed"' in body


# --- an agent run by Mastra's own code -------------------------------------------------------------


@needs_node
@pytest.mark.parametrize("backend", ["sqlite", "convex"])
@pytest.mark.parametrize(
    ("mode", "memories", "expected"),
    [
        ("markdown", [PROFILE_V1, PROFILE_V2], PROFILE_V2),
        ("json", ['{"name":"Asha","city":"Mumbai"}', '{"city":"Pune"}'], '{"name":"Asha","city":"Pune"}'),
    ],
    ids=["markdown", "json"],
)
def test_a_mastra_agent_runs_writes_are_each_seen_with_their_time(
    request, tmp_path, vera_client, eddie_client, backend, mode, memories, expected
):
    """The pinned @mastra/core's MessageHistory drops updateWorkingMemory calls from the messages it
    persists ("hide args from message history"), so a real agent's writes leave no turn to replay.
    The indexer keeps each value it sees instead: two turns of a real Mastra agent, the index
    polled after each, are two versions "changed outside the dashboard", in order, the first of
    them restorable."""

    def run_turn(n: int, memory: str) -> dict:
        spec = {
            "scope": "resource",
            "mode": mode,
            "resourceId": RESOURCE_ID,
            "threadId": "thr-run",
            "turns": [{"user": f"turn {n}", "memory": memory}],
        }
        if backend == "sqlite":
            return run_node("working_memory_agent.mjs", str(tmp_path / "mastra.db"), stdin=json.dumps(spec))
        server = request.getfixturevalue("convex_backend")
        return run_node(
            "working_memory_agent.mjs", "convex", server.url, server.admin_key, stdin=json.dumps(spec)
        )

    def store_of() -> Store:
        if backend == "sqlite":
            return SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
        server = request.getfixturevalue("convex_backend")
        return ConvexStore(server.url, server.admin_key, change_settle_seconds=0)

    as_value = json.loads if mode == "json" else str
    ran = run_turn(0, memories[0])
    made = store_of()
    try:
        indexer = Indexer(made)
        assert indexer.poll().drained
        ran = run_turn(1, memories[1])
        stored = ran["workingMemory"]
        assert as_value(stored) == as_value(expected)
        stored_parts = [part["type"] for m in ran["messages"] for part in m["content"]["parts"]]
        assert "text" in stored_parts and "tool-invocation" not in stored_parts
        assert indexer.poll().drained
        with use_store(made):
            resource = made.memory.get_resource_by_id(RESOURCE_ID)
            assert resource is not None and resource.working_memory == stored
            timeline = build_timeline("resource", RESOURCE_ID, resource.working_memory, made)
            assert [v.author for v in timeline.versions] == ["seen", "seen"]
            first, second = timeline.versions
            assert as_value(second.text) == as_value(expected) and as_value(first.text) != as_value(expected)
            assert first.at is not None and second.at is not None and first.at <= second.at
            body = vera_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/").content.decode()
            assert body.count('data-author="seen"') == 2 and "changed outside the dashboard" in body
            editor_view = eddie_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/").content.decode()
            assert f'name="restore_version" value="{first.key}"' in editor_view
    finally:
        made.close()


def test_an_editor_sees_restore_buttons_that_post_to_the_editor(store, eddie_client):
    body = eddie_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/").content.decode()
    # Every version but the current one can be restored, through the editor's conflict-safe save.
    assert body.count(f'action="/resources/{RESOURCE_ID}/memory/"') == 2
    assert 'name="restore_version" value="call-' in body


def test_a_viewer_sees_no_restore_buttons(store, vera_client):
    body = vera_client.get(f"/resources/{RESOURCE_ID}/memory/timeline/").content.decode()
    assert "restore_version" not in body


#: What the timeline's own markup uses; a stored payload must never add another tag or attribute.
TIMELINE_TAGS = {"section", "h2", "p", "strong", "span", "a", "ol", "li", "nav", "div", "table", "tbody"}
TIMELINE_TAGS |= {"tr", "td", "form", "input", "button", "time"}
TIMELINE_ATTRS = {"class", "id", "href", "aria-labelledby", "aria-label", "aria-hidden", "data-author"}
TIMELINE_ATTRS |= {"colspan", "reversed", "method", "action", "type", "name", "value", "datetime", "title"}


@pytest.fixture
def corpus_store(tmp_path) -> Iterator[Store]:
    """Two agent turns and the stored value, each a memory made of the whole XSS corpus."""
    made = SQLiteStore(tmp_path / "mastra.db", change_settle_seconds=0)
    half = len(PAYLOADS) // 2
    first = "\n".join(PAYLOADS[:half])
    second = "\n".join(PAYLOADS)
    made.memory.save_thread(THREAD)
    made.memory.save_messages([memory_write("m-c1", 1, first), memory_write("m-c2", 2, second)])
    made.memory.save_resource(Resource(RESOURCE_ID, at(0), at(0), second + "\n" + PAYLOADS[0]))
    assert Indexer(made).poll().drained
    with use_store(made):
        yield made
    made.close()


@pytest.mark.parametrize(
    "path",
    [f"/resources/{RESOURCE_ID}/memory/timeline/", f"/threads/{THREAD.id}/memory/turns/m-c2/"],
    ids=["timeline", "turn"],
)
def test_the_xss_corpus_stays_text_in_versions_diffs_and_line_origins(corpus_store, eddie_client, path):
    page = eddie_client.get(path).content.decode()
    shown = [n for n in nodes(page) if n.inside("timeline-card")]
    assert len(shown) > 20
    for node in shown:
        assert node.tag in TIMELINE_TAGS, (node.tag, node.attrs)
        assert set(node.attrs) <= TIMELINE_ATTRS, (node.tag, node.attrs)
        if node.tag == "a":
            assert node.attrs["href"].startswith(("/threads/", "/resources/", "?", "#")), node.attrs
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
