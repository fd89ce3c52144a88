"""Fixtures for the review pages: the clock at the demo data's "now", a counting store, and helpers
that start a queue and post verdicts the way the page does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dashboard.core.store import use_store
from dashboard.reviews.models import ReviewQueue
from storeclient.sqlite import SQLiteStore
from tests.support.counting_store import CountingStore

from ..conftest import DEMO_NOW

SCORER = "answer-relevancy-scorer"


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[datetime]:
    with time_machine.travel(DEMO_NOW, tick=False):
        yield DEMO_NOW


@pytest.fixture
def counting(demo_store: SQLiteStore) -> Iterator[CountingStore]:
    store = CountingStore(demo_store)
    with use_store(store):
        yield store


def store_reads(counting: CountingStore) -> list[str]:
    return [name.rsplit(".", 1)[-1] for name, _, _ in counting.log if name != "describe"]


def start_queue(client: Client, **fields: Any) -> ReviewQueue:
    data = {"scorer": SCORER, "pick": "worst", "size": "5", "range": "all", "unreviewed_only": "on", **fields}
    response = client.post(reverse("reviews:start"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ReviewQueue.objects.latest("id")


def post_review(client: Client, score_id: str, *, revision: int = 0, htmx: bool = True, **fields: Any) -> Any:
    data = {"revision": str(revision), **fields}
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "review-status"} if htmx else {}
    return client.post(reverse("reviews:save", args=[score_id]), data, **headers)


def signed_in(user: Any) -> Client:
    """A client of its own for ``user`` (the personas' ``*_client`` fixtures share one client)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(eddie: Any) -> Client:
    return signed_in(eddie)
