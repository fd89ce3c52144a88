"""Store-level calls the overview page uses: health and bounded counts."""

from __future__ import annotations

import pytest

from storeclient.errors import InvalidRequest
from storeclient.interface import Store

from .records import conversation, resource, score_payload, suspended_snapshot, thread


def test_an_empty_store_is_healthy_and_counts_zero(store: Store) -> None:
    health = store.health()
    assert health.ok, health.detail
    assert all(c.value == 0 and not c.at_least for c in store.counts().values())


def test_counts_report_each_domain_and_stop_at_the_cap(store: Store) -> None:
    for n in range(1, 5):
        store.memory.save_thread(thread(n))
    store.memory.save_messages(conversation("thread-001", 3))
    store.memory.save_resource(resource())
    store.workflows.persist_workflow_snapshot("w", "r", suspended_snapshot("r"))
    store.scores.save_score(score_payload())
    counts = store.counts()
    assert {k: v.value for k, v in counts.items()} == {
        "threads": 4,
        "messages": 3,
        "resources": 1,
        "runs": 1,
        "scores": 1,
    }
    capped = store.counts(cap=2)
    assert capped["threads"].value >= 2 and capped["threads"].at_least
    assert str(capped["threads"]).endswith("+")


def test_counts_of_some_kinds_count_only_those(store: Store) -> None:
    for n in range(1, 4):
        store.memory.save_thread(thread(n))
    store.workflows.persist_workflow_snapshot("w", "r", suspended_snapshot("r"))
    assert {k: v.value for k, v in store.counts(kinds=["runs", "threads"]).items()} == {
        "threads": 3,
        "runs": 1,
    }
    assert store.counts(kinds=[]) == {}
    with pytest.raises(InvalidRequest, match="cannot count"):
        store.counts(kinds=["runs", "users"])


def test_describe_names_the_backend_without_secrets(store: Store) -> None:
    text = store.describe()
    assert text and "key" not in text.lower()
