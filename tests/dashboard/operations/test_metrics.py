"""/metrics: Prometheus text for admins and for the scraper's token, counting what users do."""

from __future__ import annotations

import re
import secrets

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from storeclient.errors import BackendUnavailable

TOKEN = secrets.token_urlsafe(32)


def scrape(client: Client, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_page_view_and_its_store_calls_are_counted(ada_client, demo_store):
    before = scrape(ada_client)
    assert ada_client.get("/threads/").status_code == 200
    after = scrape(ada_client)
    page = {"view": "threads:list", "method": "GET", "status": "200"}
    assert (
        value(after, "mastra_dashboard_requests_total", **page)
        - value(before, "mastra_dashboard_requests_total", **page)
        == 1
    )
    latency = "mastra_dashboard_request_duration_seconds_count"
    assert value(after, latency, view="threads:list") - value(before, latency, view="threads:list") == 1
    feed = {"operation": "memory.thread_feed"}
    assert (
        value(after, "mastra_dashboard_store_calls_total", **feed)
        - value(before, "mastra_dashboard_store_calls_total", **feed)
        == 1
    )
    timed = "mastra_dashboard_store_call_duration_seconds_count"
    assert value(after, timed, **feed) - value(before, timed, **feed) == 1


def test_a_failing_store_call_is_counted_by_error_type(ada_client, unreachable_store):
    errors = "mastra_dashboard_store_call_errors_total"
    labels = {"operation": "memory.thread_feed", "error": BackendUnavailable.__name__}
    before = value(scrape(ada_client), errors, **labels)
    assert ada_client.get("/threads/").status_code == 503
    assert value(scrape(ada_client), errors, **labels) - before == 1


def test_an_unrouted_path_is_one_label_not_one_per_path(ada_client):
    ada_client.get("/no-such-page-3f9a/")
    text = ada_client.get("/metrics").content.decode()
    assert 'view="unrouted"' in text
    assert "no-such-page" not in text


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/metrics")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/metrics"
    assert b"mastra_dashboard" not in response.content


def test_a_viewer_is_refused(vera_client):
    response = vera_client.get("/metrics")
    assert response.status_code == 403
    assert b"mastra_dashboard_requests_total" not in response.content


def test_an_editor_is_refused(eddie_client):
    response = eddie_client.get("/metrics")
    assert response.status_code == 403
    assert b"mastra_dashboard_requests_total" not in response.content


def test_the_token_lets_a_scraper_in_without_a_session(client, settings, demo_store):
    settings.METRICS_TOKEN = TOKEN
    assert scrape(client, Authorization=f"Bearer {TOKEN}")
    refused = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
    assert refused.status_code == 302


def test_a_viewer_with_a_wrong_token_is_still_refused(vera_client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert vera_client.get("/metrics", headers={"Authorization": "Bearer not-the-token"}).status_code == 403
    assert vera_client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_without_a_configured_token_no_bearer_value_opens_it(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 302


def test_the_index_lag_is_reported_when_the_index_says_how_far_behind_it_is(ada_client, settings):
    settings.METRICS_INDEX_STATUS = f"{__name__}.index_status_behind"
    samples = scrape(ada_client)
    assert value(samples, "mastra_dashboard_index_lag_seconds") == 42.5
    settings.METRICS_INDEX_STATUS = "dashboard.no_such_app.indexer.status"
    assert not re.search(
        r"^mastra_dashboard_index_lag_seconds ", ada_client.get("/metrics").content.decode(), re.M
    )


class _Status:
    seconds_behind = 42.5


def index_status_behind() -> _Status:
    """Stands in for dashboard.search.indexer.status (another branch): same attribute, real call."""
    return _Status()
