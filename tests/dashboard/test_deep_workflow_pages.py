"""Workflow snapshots an agent's code can write but no page can draw in full: parallel blocks
nested inside each other hundreds deep, and nested workflows whose ids hold "/". The run list, the
run page and the nested run answer 200 with what can be drawn and a note, never a 500."""

from __future__ import annotations

import sqlite3

from django.test import Client

from storeclient.sqlite import SQLiteStore

RUN_ID = "4c1d9e2a-7b3f-4a8e-9d6c-2f1e0a9b8c7d"
STARTED = 1_767_967_331_600


def deep_parallel_snapshot(depth: int) -> str:
    """A finished run whose only step sits inside ``depth`` parallel blocks, as JSON text (Python's
    encoder refuses values this deep; Mastra's JavaScript does not)."""
    entry = '{"type":"step","step":{"id":"charge-card","description":"Charge the card"}}'
    for _ in range(depth):
        entry = '{"type":"parallel","steps":[' + entry + "]}"
    record = (
        f'{{"status":"success","payload":{{"orderId":"A-18896"}},"output":{{"charged":true}},'
        f'"startedAt":{STARTED},"endedAt":{STARTED + 840}}}'
    )
    return (
        f'{{"runId":"{RUN_ID}","status":"success","value":{{}},"serializedStepGraph":[{entry}],'
        f'"context":{{"input":{{"orderId":"A-18896"}},"charge-card":{record}}},'
        f'"activePaths":[],"suspendedPaths":{{}},"waitingPaths":{{}},"timestamp":{STARTED + 900}}}'
    )


def insert_run(store: SQLiteStore, workflow_name: str, snapshot: str) -> None:
    with sqlite3.connect(store.path) as conn:
        conn.execute(
            'INSERT INTO mastra_workflow_snapshot (workflow_name, run_id, "resourceId", snapshot, "createdAt", '
            '"updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
            (
                workflow_name,
                RUN_ID,
                "user_8f2c1a",
                snapshot,
                "2026-01-09T14:02:11.600Z",
                "2026-01-09T14:02:13.600Z",
            ),
        )


def test_parallel_blocks_nested_80_deep_draw_what_they_can(vera_client: Client, empty_store):
    insert_run(empty_store, "order-payment", deep_parallel_snapshot(80))
    runs = vera_client.get("/workflows/")
    assert runs.status_code == 200
    assert "order-payment" in runs.content.decode()
    page = vera_client.get(f"/workflows/order-payment/{RUN_ID}/")
    assert page.status_code == 200
    assert "nested deeper than" in page.content.decode()


def test_parallel_blocks_nested_400_deep_answer_200(vera_client: Client, empty_store):
    insert_run(empty_store, "order-payment", deep_parallel_snapshot(400))
    assert vera_client.get("/workflows/").status_code == 200
    page = vera_client.get(f"/workflows/order-payment/{RUN_ID}/")
    assert page.status_code == 200
    assert "nested deeper than" in page.content.decode()


def test_the_raw_snapshot_of_a_deep_run_answers(vera_client: Client, empty_store):
    insert_run(empty_store, "order-payment", deep_parallel_snapshot(400))
    page = vera_client.get(f"/workflows/order-payment/{RUN_ID}/?raw=1")
    assert page.status_code == 200
    assert "charge-card" in page.content.decode()


def nested_parent_snapshot() -> str:
    step = '{"id":"billing/refund","component":"WORKFLOW","serializedStepFlow":[{"type":"step","step":{"id":"issue-refund"}}]}'
    record = f'{{"status":"success","payload":{{}},"output":{{"refunded":true}},"startedAt":{STARTED},"endedAt":{STARTED + 500}}}'
    return (
        f'{{"runId":"{RUN_ID}","status":"success","value":{{}},"serializedStepGraph":[{{"type":"step","step":{step}}}],'
        f'"context":{{"input":{{}},"billing/refund":{record}}},"activePaths":[],"timestamp":{STARTED + 600}}}'
    )


def nested_own_snapshot() -> str:
    record = f'{{"status":"success","payload":{{}},"output":{{"refunded":true}},"startedAt":{STARTED},"endedAt":{STARTED + 400}}}'
    return (
        f'{{"runId":"{RUN_ID}","status":"success","value":{{}},"serializedStepGraph":[{{"type":"step","step":{{"id":"issue-refund"}}}}],'
        f'"context":{{"input":{{}},"issue-refund":{record}}},"activePaths":[],"timestamp":{STARTED + 450}}}'
    )


def test_a_nested_workflow_whose_id_holds_a_slash_links_its_own_run(vera_client: Client, empty_store):
    insert_run(empty_store, "support-escalation", nested_parent_snapshot())
    insert_run(empty_store, "billing/refund", nested_own_snapshot())
    page = vera_client.get(f"/workflows/support-escalation/{RUN_ID}/")
    assert page.status_code == 200
    assert f'href="/workflows/billing/refund/{RUN_ID}/"' in page.content.decode()
    nested = vera_client.get(f"/workflows/billing/refund/{RUN_ID}/")
    assert nested.status_code == 200
    assert "issue-refund" in nested.content.decode()
    runs = vera_client.get("/workflows/")
    assert runs.status_code == 200
    assert f'href="/workflows/billing/refund/{RUN_ID}/"' in runs.content.decode()


def test_a_snapshot_too_deep_to_decode_is_shown_as_its_text_with_the_reason(vera_client: Client, empty_store):
    insert_run(empty_store, "order-payment", deep_parallel_snapshot(3000))
    assert vera_client.get("/workflows/").status_code == 200
    page = vera_client.get(f"/workflows/order-payment/{RUN_ID}/")
    assert page.status_code == 200
    assert "JSON nested too deeply to decode." in page.content.decode()
