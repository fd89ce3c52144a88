"""Prefix filters on the lists: ``user_d82`` finds ``user_d82c07`` (ASCII case ignored), through
index ranges; the exact-id filters keep their meaning."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from storeclient import InvalidRequest
from storeclient.interface import Store
from storeclient.models import Feed

from .records import BASE, resource, score_payload, snapshot_with_status, thread


def every_page(fetch: Callable[..., Feed[Any]], *, limit: int = 1) -> list[Any]:
    """All items, page by page (pages of one item, so every page boundary is crossed)."""
    items: list[Any] = []
    cursor: str | None = None
    while True:
        page = fetch(cursor=cursor, limit=limit)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items
        assert len(items) < 100, "the list never ends"


@pytest.fixture
def owners(store: Store) -> Store:
    """Threads of resources whose ids differ in case, in one letter, and by a literal ``_``."""
    for n, owner in enumerate(
        ["user_d82c07", "USER_D82A", "user_d83", "user_8f2c1a", "user_d82c07", "userXd82"], start=1
    ):
        store.memory.save_thread(thread(n, resource=owner))
        store.memory.save_resource(resource(owner))
    return store


def test_a_resource_prefix_finds_every_case_and_groups_by_resource(owners: Store) -> None:
    found = every_page(lambda **page: owners.memory.thread_feed(resource_prefix="user_d82", **page))
    assert [(t.resource_id, t.id) for t in found] == [
        ("user_d82c07", "thread-005"),
        ("user_d82c07", "thread-001"),
        ("USER_D82A", "thread-002"),
    ]
    # One page of everything agrees with pages of one.
    assert owners.memory.thread_feed(resource_prefix="USER_D82", limit=50).items == found


def test_the_exact_resource_filter_still_means_that_resource_only(owners: Store) -> None:
    exact = owners.memory.thread_feed(resource_id="user_d82c07", limit=50).items
    assert sorted(t.id for t in exact) == ["thread-001", "thread-005"]
    assert owners.memory.thread_feed(resource_id="user_d82", limit=50).items == []


def test_an_underscore_or_percent_in_a_prefix_is_literal(owners: Store) -> None:
    assert {t.resource_id for t in owners.memory.thread_feed(resource_prefix="user_", limit=50).items} == {
        "user_d82c07",
        "USER_D82A",
        "user_d83",
        "user_8f2c1a",
    }
    assert owners.memory.thread_feed(resource_prefix="user%", limit=50).items == []


def test_a_thread_id_prefix_combines_with_the_other_filters(owners: Store) -> None:
    found = every_page(lambda **page: owners.memory.thread_feed(id_prefix="THREAD-00", **page))
    assert [t.id for t in found] == [f"thread-00{n}" for n in range(6, 0, -1)]
    both = owners.memory.thread_feed(id_prefix="thread-00", resource_prefix="user_d82", limit=50)
    assert [t.id for t in both.items] == ["thread-005", "thread-002", "thread-001"]
    titled = owners.memory.thread_feed(resource_prefix="user_d8", title_contains="A-10493", limit=50)
    assert [t.id for t in titled.items] == ["thread-003"]


def test_the_resources_list_searches_ids_by_prefix(owners: Store) -> None:
    found = every_page(lambda **page: owners.memory.resource_feed(id_prefix="User_D8", **page))
    assert [r.id for r in found] == ["user_d83", "user_d82c07", "USER_D82A"]
    assert owners.memory.resource_feed(id_prefix="nobody", limit=10).items == []


def test_letters_past_the_sixth_are_still_matched_without_regard_to_case(store: Store) -> None:
    for entity in ("weatherAgent", "WeatherAgentV2", "weatherBot", "supportAgent"):
        store.scores.save_score(score_payload(entity_id=entity))

    def entities(prefix: str) -> list[str | None]:
        return [
            s.entity_id
            for s in every_page(
                lambda **page: store.scores.score_feed(
                    "answer-relevancy-scorer", entity_prefix=prefix, **page
                )
            )
        ]

    assert entities("weather") == ["weatherBot", "weatherAgent", "WeatherAgentV2"]
    assert entities("WEATHERAGENTV") == ["WeatherAgentV2"]
    assert entities("weatherag") == ["weatherAgent", "WeatherAgentV2"]


def test_an_entity_prefix_narrows_lowest_first_and_the_charts(store: Store) -> None:
    for n, entity in enumerate(("weatherAgent", "WeatherAgentV2", "supportAgent", "weatherBot")):
        store.scores.save_score(
            score_payload(entity_id=entity, score=n / 10), created_at=BASE + timedelta(hours=n)
        )
    lowest = store.scores.score_feed("answer-relevancy-scorer", entity_prefix="WEATHER", lowest_first=True)
    assert [(s.entity_id, s.score) for s in lowest.items] == [
        ("weatherAgent", 0.0),
        ("WeatherAgentV2", 0.1),
        ("weatherBot", 0.3),
    ]
    series = store.scores.score_series("answer-relevancy-scorer", entity_prefix="weatherA")
    assert [p.score for p in series.points] == [0.0, 0.1] and series.total == 2
    buckets = store.scores.score_buckets(
        "answer-relevancy-scorer", entity_prefix="weather", bucket_seconds=86_400
    )
    assert buckets.total == 3


def test_runs_filter_by_workflow_and_resource_prefixes(store: Store) -> None:
    runs = [
        ("orderRefund", "run-1", "user_d82c07"),
        ("order-approval", "run-2", "user_8f2c1a"),
        ("OrderSync", "run-3", "USER_D82A"),
        ("catalog-sync", "run-4", "user_d82c07"),
        ("orderRefund", "run-5", "user_8f2c1a"),
    ]
    for n, (name, run_id, owner) in enumerate(runs):
        store.workflows.persist_workflow_snapshot(
            name,
            run_id,
            snapshot_with_status(run_id, "success" if n % 2 else "failed"),
            resource_id=owner,
            created_at=BASE + timedelta(minutes=n),
        )

    def keys(**filters: Any) -> list[str]:
        return [r.run_id for r in every_page(lambda **page: store.workflows.run_feed(**filters, **page))]

    assert keys(workflow_prefix="ORDER") == ["run-5", "run-1", "run-2", "run-3"]
    assert keys(resource_prefix="user_d82") == ["run-4", "run-1", "run-3"]
    assert keys(workflow_prefix="order", resource_prefix="USER_D82") == ["run-1", "run-3"]
    assert keys(workflow_prefix="order", status="failed") == ["run-5", "run-1", "run-3"]
    assert keys(workflow_name="orderRefund") == ["run-5", "run-1"]

    def counts(**filters: Any) -> dict[str, int]:
        return {k: c.value for k, c in store.workflows.status_counts(**filters).items()}

    assert counts(workflow_prefix="ORDER") == {"failed": 3, "success": 1}
    assert counts(resource_prefix="user_d82") == {"failed": 2, "success": 1}
    assert counts(workflow_prefix="order", resource_prefix="user_8f") == {"failed": 1, "success": 1}


def test_a_prefix_no_id_can_start_with_is_refused(store: Store) -> None:
    with pytest.raises(InvalidRequest):
        store.memory.thread_feed(resource_prefix="x" * 501)
