"""Observational memory, schedules, background tasks and semantic-recall vectors written by Mastra's
own TypeScript code (tests/node/mastra_newer_data.mjs: @mastra/libsql into a mastra.db, and
@mastra/convex into the local Convex dev server running the real handler), read back by the Python
stores field for field against what Mastra itself reads back.

Mastra's readers and ours differ only in form: Mastra returns camelCase objects with ISO strings
(or epoch ms for schedules), we return typed models; ``as_mastra`` maps ours to Mastra's shape, so
the comparison is every field Mastra returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from dashboard.demo.convex_dev import ConvexDevServer
from storeclient import ConvexStore
from storeclient.codec import to_iso
from storeclient.interface import Store
from storeclient.models import BackgroundTask, ObservationalMemory, Schedule, ScheduleTrigger
from storeclient.sqlite import SQLiteStore
from tests.storeclient.sqlite.nodetools import needs_node, run_node

pytestmark = needs_node

INDEX = "mastra_memory_text_embedding_3_small"


def _iso(value: datetime | None) -> str | None:
    return to_iso(value) if value is not None else None


def _ms(value: datetime | None) -> int | None:
    return round(value.timestamp() * 1000) if value is not None else None


def _present(record: dict[str, Any]) -> dict[str, Any]:
    # Mastra's readers leave out what is not stored; ours say None (or an empty list).
    return {k: v for k, v in record.items() if v is not None and v != []}


def om_as_mastra(om: ObservationalMemory) -> dict[str, Any]:
    return _present(
        {
            "id": om.id,
            "scope": om.scope,
            "threadId": om.thread_id,
            "resourceId": om.resource_id,
            "createdAt": _iso(om.created_at),
            "updatedAt": _iso(om.updated_at),
            "lastObservedAt": _iso(om.last_observed_at),
            "originType": om.origin_type,
            "generationCount": om.generation_count,
            "activeObservations": om.active_observations,
            "bufferedObservationChunks": [
                _present(
                    {
                        "id": c.id,
                        "cycleId": c.cycle_id,
                        "observations": c.observations,
                        "tokenCount": c.token_count,
                        "messageIds": list(c.message_ids),
                        "messageTokens": c.message_tokens,
                        "lastObservedAt": _iso(c.last_observed_at),
                        "createdAt": _iso(c.created_at),
                        "currentTask": c.current_task,
                        "suggestedContinuation": c.suggested_continuation,
                    }
                )
                for c in om.buffered_chunks
            ],
            "bufferedReflection": om.buffered_reflection,
            "bufferedReflectionTokens": om.buffered_reflection_tokens,
            "reflectedObservationLineCount": om.reflected_observation_line_count,
            "observedMessageIds": list(om.observed_message_ids),
            "observedTimezone": om.observed_timezone,
            "totalTokensObserved": om.total_tokens_observed,
            "observationTokenCount": om.observation_token_count,
            "pendingMessageTokens": om.pending_message_tokens,
            "isReflecting": om.is_reflecting,
            "isObserving": om.is_observing,
            "isBufferingObservation": om.is_buffering_observation,
            "isBufferingReflection": om.is_buffering_reflection,
            "lastBufferedAtTokens": om.last_buffered_at_tokens,
            "lastBufferedAtTime": _iso(om.last_buffered_at_time),
            "config": om.config,
            "metadata": om.metadata,
        }
    )


def schedule_as_mastra(s: Schedule) -> dict[str, Any]:
    return _present(
        {
            "id": s.id,
            "target": s.target,
            "cron": s.cron,
            "timezone": s.timezone,
            "status": s.status,
            "nextFireAt": _ms(s.next_fire_at),
            "lastFireAt": _ms(s.last_fire_at),
            "lastRunId": s.last_run_id,
            "createdAt": _ms(s.created_at),
            "updatedAt": _ms(s.updated_at),
            "metadata": s.metadata,
            "ownerType": s.owner_type,
            "ownerId": s.owner_id,
        }
    )


def trigger_as_mastra(t: ScheduleTrigger) -> dict[str, Any]:
    return _present(
        {
            "id": t.id,
            "scheduleId": t.schedule_id,
            "scheduledFireAt": _ms(t.scheduled_fire_at),
            "actualFireAt": _ms(t.actual_fire_at),
            "outcome": t.outcome,
            "error": t.error,
            "triggerKind": t.trigger_kind,
            "parentTriggerId": t.parent_trigger_id,
            "metadata": t.metadata,
        }
    ) | {"runId": t.run_id}


def task_as_mastra(t: BackgroundTask) -> dict[str, Any]:
    return _present(
        {
            "id": t.id,
            "status": t.status,
            "toolName": t.tool_name,
            "toolCallId": t.tool_call_id,
            "args": t.args,
            "agentId": t.agent_id,
            "threadId": t.thread_id,
            "resourceId": t.resource_id,
            "runId": t.run_id,
            "result": t.result,
            "error": t.error,
            "suspendPayload": t.suspend_payload,
            "retryCount": t.retry_count,
            "maxRetries": t.max_retries,
            "timeoutMs": t.timeout_ms,
            "createdAt": _iso(t.created_at),
            "startedAt": _iso(t.started_at),
            "suspendedAt": _iso(t.suspended_at),
            "completedAt": _iso(t.completed_at),
        }
    )


@pytest.fixture(scope="module", params=["sqlite", "convex"])
def written(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, dict[str, Any]]]:
    """(the Python store, what Mastra read back) after Mastra's TS code wrote the data; written once
    per store kind (the tests only read)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("newer-data") / "mastra.db"
        ts = run_node("mastra_newer_data.mjs", "libsql", str(path))
        store: Store = SQLiteStore(path, create=False)
    else:
        backend: ConvexDevServer = request.getfixturevalue("convex_server")
        backend.reset()
        ts = run_node(
            "mastra_newer_data.mjs", "convex", "--url", backend.url, "--admin-key", backend.admin_key
        )
        store = ConvexStore(backend.url, backend.admin_key)
    yield store, ts["read"]
    store.close()


def test_observational_memory_reads_back_as_mastra_reads_it(written: tuple[Store, dict[str, Any]]) -> None:
    store, ts = written
    resource = store.observations.get_observational_memory(None, "user-om")
    thread = store.observations.get_observational_memory("thread-om-1", "user-om")
    assert resource is not None and thread is not None
    assert om_as_mastra(resource) == _present(ts["omResource"])
    assert om_as_mastra(thread) == _present(ts["omThread"])
    # The reflection made a second generation; the history is newest first, like Mastra's.
    history = store.observations.get_observational_memory_history(None, "user-om", 10)
    assert [om_as_mastra(g) for g in history] == [_present(g) for g in ts["omResourceHistory"]]
    assert [g.generation_count for g in history] == [1, 0]
    assert thread.buffered_chunks[0].current_task == "Offer a replacement blender"


def test_schedules_and_triggers_read_back_as_mastra_reads_them(written: tuple[Store, dict[str, Any]]) -> None:
    store, ts = written
    listed = store.schedules.list_schedules()
    assert [schedule_as_mastra(s) for s in listed.schedules] == sorted(
        (_present(s) for s in ts["schedules"]), key=lambda s: (s["createdAt"], s["id"])
    )
    assert not listed.capped
    triggers = store.schedules.list_triggers("wf_nightly-report")
    assert [trigger_as_mastra(t) for t in triggers] == [
        _present(t) | {"runId": t["runId"]} for t in ts["triggers"]
    ]
    digest = store.schedules.get_schedule("wf_weekly-digest")  # written by Mastra's startWorkers()
    assert digest is not None and digest.status == "active" and digest.next_fire_at is not None
    assert digest.next_fire_at.weekday() == 0  # the cron's Monday (09:00 Berlin is still Monday in UTC)
    nightly = store.schedules.get_schedule("wf_nightly-report")
    assert (
        nightly is not None and nightly.workflow_id == "nightly-report" and nightly.target_type == "workflow"
    )
    assert [s.id for s in store.schedules.list_schedules(workflow_id="nightly-report").schedules] == [
        "wf_nightly-report"
    ]
    # The published fire points at the run it started, which the workflow store has.
    run = store.workflows.get_workflow_run_by_id(triggers[0].run_id or "", workflow_name="nightly-report")
    assert run is not None and run.status == "success"


def test_background_tasks_read_back_as_mastra_reads_them(written: tuple[Store, dict[str, Any]]) -> None:
    store, ts = written
    listed = store.background_tasks.list_tasks()
    mastra_newest_first = sorted(ts["tasks"]["tasks"], key=lambda t: t["createdAt"], reverse=True)
    assert [task_as_mastra(t) for t in listed.tasks] == [_present(t) for t in mastra_newest_first]
    assert listed.total == ts["tasks"]["total"] == 3
    failed = store.background_tasks.list_tasks(status="failed").tasks
    assert [(t.id, t.error_message) for t in failed] == [("bt_failed", "SEC API returned 429")]
    assert store.background_tasks.get_task("bt_done") == next(t for t in listed.tasks if t.id == "bt_done")


def test_vector_indexes_and_neighbours_match_mastras_own_query(written: tuple[Store, dict[str, Any]]) -> None:
    store, ts = written
    [index] = store.vectors.list_indexes()
    assert (index.name, index.dimension, index.metric, index.count) == (
        INDEX,
        ts["describe"]["dimension"],
        ts["describe"]["metric"],
        ts["describe"]["count"],
    )
    neighbours = store.vectors.neighbours(INDEX, "m1", top_k=2)
    assert neighbours is not None and neighbours.complete
    # Mastra's query ranks m1 itself first; the dashboard shows the others, in Mastra's order.
    mastra = [n for n in ts["neighbours"] if n["id"] != "m1"]
    assert [n.id for n in neighbours.items] == [n["id"] for n in mastra]
    assert [round(n.score, 5) for n in neighbours.items] == [round(n["score"], 5) for n in mastra]
    assert [n.metadata for n in neighbours.items] == [n["metadata"] for n in mastra]
    sample = store.vectors.sample(INDEX, limit=2)
    assert len(sample) == 2 and all(len(v.embedding) == 4 for v in sample)
    assert store.vectors.get_vector(INDEX, "nope") is None
