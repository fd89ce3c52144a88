"""Under gunicorn, one scrape adds up what every worker counted (dashboard/gunicorn_conf.py sets
prometheus_client's multiprocess directory), and the token is what a scraper needs."""

from __future__ import annotations

import secrets

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.dashboard.security.test_production import collected, manage, run_gunicorn  # noqa: F401

pytestmark = pytest.mark.slow

TOKEN = secrets.token_urlsafe(32)


def healthz_count(url: str) -> float:
    scrape = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert scrape.status_code == 200
    for family in text_string_to_metric_families(scrape.text):
        for sample in family.samples:
            if sample.name == "mastra_dashboard_requests_total" and sample.labels["view"] == "core:healthz":
                return sample.value
    return 0.0


def test_a_scrape_counts_the_requests_of_every_worker(collected):  # noqa: F811
    with run_gunicorn(collected, METRICS_TOKEN=TOKEN) as url:
        before = healthz_count(url)
        # New connections each time: gunicorn hands them to both workers.
        for _ in range(20):
            assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
        assert healthz_count(url) - before == 20
        assert httpx.get(f"{url}/metrics", timeout=10).status_code == 302  # no token, no session
