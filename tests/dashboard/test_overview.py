from __future__ import annotations

import json

import httpx
import pytest

from dashboard.core.store import use_store
from storeclient.models import Count

from .support import HTMX, SENTINEL_KEY, convex_store


def test_it_shows_the_counts_of_every_domain(vera_client, demo_set):
    content = vera_client.get("/").content.decode()
    assert (
        f'<span class="stat-value">{len(demo_set.threads)}</span><span class="stat-label">Threads</span>'
        in content
    )
    assert f'{len(demo_set.messages)}</span><span class="stat-label">Messages' in content
    assert f'{len(demo_set.resources)}</span><span class="stat-label">Resources' in content
    assert f'{len(demo_set.runs)}</span><span class="stat-label">Workflow runs' in content
    assert f'{len(demo_set.scores)}</span><span class="stat-label">Scores' in content


def test_a_capped_count_reads_as_a_lower_bound(vera_client, demo_store, monkeypatch):
    counts = demo_store.counts()
    monkeypatch.setattr(
        demo_store, "counts", lambda cap, kinds=None: {**counts, "messages": Count(10_000, at_least=True)}
    )
    assert b"10,000+" in vera_client.get("/").content


def test_it_lists_the_most_recently_updated_threads(vera_client, demo_set):
    content = vera_client.get("/").content.decode()
    newest = sorted(demo_set.threads, key=lambda t: t.updated_at, reverse=True)
    assert newest[0].title in content
    assert content.count("<tr>") >= 8 * 2  # eight threads and eight runs


def test_it_lists_recent_runs_with_status_badges(vera_client, demo_set):
    content = vera_client.get("/").content.decode()
    newest = max(demo_set.runs, key=lambda r: r.updated_at)
    assert newest.workflow_name in content
    assert f'<span class="badge badge-{newest.status}">{newest.status}</span>' in content


def test_it_reports_the_store_health(vera_client):
    content = vera_client.get("/").content.decode()
    assert "embedded SQLite" in content
    assert '<span class="badge badge-success">healthy</span>' in content


def test_an_empty_store_explains_what_will_appear(vera_client, empty_store):
    content = vera_client.get("/").content.decode()
    assert "No threads yet" in content
    assert "No workflow runs yet" in content


def test_it_makes_at_most_four_store_calls(vera_client, demo_store, monkeypatch):
    calls = []
    for name, owner in [
        ("counts", demo_store),
        ("health", demo_store),
        ("thread_feed", demo_store.memory),
        ("run_feed", demo_store.workflows),
    ]:
        original = getattr(owner, name)
        monkeypatch.setattr(
            owner, name, lambda *a, _o=original, _n=name, **k: calls.append(_n) or _o(*a, **k)
        )
    vera_client.get("/")
    assert sorted(calls) == ["counts", "health", "run_feed", "thread_feed"]


def test_the_footer_tells_an_admin_where_the_data_lives(ada_client, demo_store):
    assert demo_store.describe() in ada_client.get("/").content.decode()


def test_an_admin_sees_the_sqlite_files_path_on_the_overview(ada_client, demo_store):
    assert f"<dt>Backend</dt><dd>SQLite file {demo_store.path}</dd>" in ada_client.get("/").content.decode()


@pytest.mark.parametrize("persona", ["vera_client", "eddie_client"])
def test_others_are_told_only_the_kind_of_store(request, persona, demo_store, db):
    content = request.getfixturevalue(persona).get("/").content.decode()
    assert 'Data: <span class="mono">embedded SQLite</span>' in content
    assert "<dt>Backend</dt><dd>embedded SQLite</dd>" in content
    assert demo_store.path not in content
    assert "mastra.db" not in content


def test_a_viewer_is_not_shown_the_path_in_an_unhealthy_detail(vera_client, demo_store, monkeypatch):
    from storeclient.models import StoreHealth

    broken = StoreHealth(
        ok=False,
        backend=f"SQLite file {demo_store.path}",
        mode="embedded SQLite",
        detail=f"SQLite error on {demo_store.path}: database disk image is malformed",
    )
    monkeypatch.setattr(demo_store, "health", lambda: broken)
    content = vera_client.get("/").content.decode()
    assert "database disk image is malformed" in content
    assert demo_store.path not in content


def unauthorized(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        401, json={"code": "BadAdminKey", "message": "The provided admin key was invalid for this instance"}
    )


@pytest.fixture
def rejected_key_store():
    store = convex_store(httpx.MockTransport(unauthorized))
    with use_store(store):
        yield store
    store.close()


def test_a_rejected_admin_key_shows_the_error_panel_not_a_500(vera_client, rejected_key_store):
    response = vera_client.get("/")
    assert response.status_code == 502
    content = response.content.decode()
    assert "The store refused our credentials" in content
    assert "CONVEX_ADMIN_KEY" in content
    assert '<nav class="site-nav container-fluid" aria-label="Main">' in content  # still the whole page
    assert SENTINEL_KEY not in content
    assert SENTINEL_KEY.partition("|")[2] not in content


def test_an_unreachable_backend_shows_what_to_check(vera_client, unreachable_store):
    response = vera_client.get("/")
    assert response.status_code == 503
    content = response.content.decode()
    assert "The store is not reachable" in content
    assert "CONVEX_URL" in content


def test_the_error_is_logged_without_the_key(vera_client, rejected_key_store, caplog):
    vera_client.get("/")
    assert "AuthError" in caplog.text
    assert SENTINEL_KEY.partition("|")[2] not in caplog.text


def test_the_panel_offers_a_reload(vera_client, unreachable_store):
    assert b'<a href="">Reload the page</a>' in vera_client.get("/").content


def test_the_overview_has_no_inline_script(vera_client):
    content = vera_client.get("/").content.decode()
    assert "<script>" not in content
    assert "onclick" not in content
    json.loads(content.split('name="htmx-config" content=\'')[1].split("'")[0])


def test_the_overview_is_not_a_partial_even_for_htmx(vera_client):
    assert b"<html" in vera_client.get("/", headers=HTMX).content


@pytest.mark.convex
def test_a_deployment_without_the_dashboard_module_is_told_how_to_enable_it(
    vera_client, convex_handler_only_backend
):
    from storeclient import ConvexStore

    store = ConvexStore(convex_handler_only_backend.url, convex_handler_only_backend.admin_key)
    with use_store(store):
        content = vera_client.get("/").content.decode()
    assert "standard handler" in content
    assert "data-module-hint" in content and "npx convex deploy" in content
    store.close()


@pytest.mark.convex
def test_a_deployment_with_the_dashboard_module_needs_no_hint(vera_client, convex_backend):
    from storeclient import ConvexStore

    store = ConvexStore(convex_backend.url, convex_backend.admin_key)
    with use_store(store):
        content = vera_client.get("/").content.decode()
    assert "dashboard module" in content
    assert "data-module-hint" not in content
    store.close()


@pytest.mark.convex
def test_only_an_admin_is_shown_the_convex_deployment_host(client, vera, ada, convex_backend):
    from urllib.parse import urlsplit

    from storeclient import ConvexStore

    host = urlsplit(convex_backend.url).netloc
    store = ConvexStore(convex_backend.url, convex_backend.admin_key)
    with use_store(store):
        client.force_login(vera)
        seen_by_vera = client.get("/").content.decode()
        client.force_login(ada)
        seen_by_ada = client.get("/").content.decode()
    store.close()
    assert host not in seen_by_vera
    assert 'Data: <span class="mono">Convex</span>' in seen_by_vera
    assert "<dt>Backend</dt><dd>Convex</dd>" in seen_by_vera
    assert f"Convex deployment {host}" in seen_by_ada


def test_an_unreachable_backend_keeps_its_address_from_a_viewer(vera_client, unreachable_store):
    content = vera_client.get("/").content.decode()
    assert "The store is not reachable" in content
    assert "127.0.0.1:9" not in content


def test_an_admin_is_told_which_address_did_not_answer(ada_client, unreachable_store):
    assert "127.0.0.1:9" in ada_client.get("/").content.decode()


def test_a_store_that_cannot_be_opened_keeps_its_path_from_a_viewer(vera_client, tmp_path, settings):
    from dashboard.core.store import set_store

    damaged = tmp_path / "mastra.db"
    damaged.write_bytes(b"not a database at all, but an agent's stray log file" * 100)
    settings.STORE_BACKEND, settings.MASTRA_SQLITE_PATH = "sqlite", damaged
    previous = set_store(None)  # the next page builds the store from settings, and fails
    try:
        response = vera_client.get("/")
    finally:
        set_store(previous)
    assert response.status_code == 502
    assert "file is not a database" in response.content.decode()
    assert str(damaged) not in response.content.decode()
