"""What was judged, around the score: the messages before and after the scored answer in its thread,
or the workflow run's step outputs. At most two store reads, each one page; a missing thread or run,
or a store that refuses, leaves the context out with a note rather than failing the review page."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from dashboard.core.pages import url_or_empty
from dashboard.core.store import get_store
from dashboard.scores.presenting import output_message_id
from dashboard.threads.presenters import MessageView, chronological, present_messages
from storeclient.errors import StoreError
from storeclient.models import Score

logger = logging.getLogger(__name__)

#: Messages shown before the scored answer, and after it.
BEFORE = 6
AFTER = 2
#: Steps of a run shown (a run's page has them all).
MAX_STEPS = 12


@dataclass
class StepOutput:
    step_id: str
    status: str
    output: Any
    has_output: bool


@dataclass
class JudgedContext:
    thread_id: str = ""
    messages: list[MessageView] = field(default_factory=list)
    #: The id of the scored message among ``messages`` (highlighted), when known.
    scored_message_id: str = ""
    run_status: str = ""
    run_result: Any = None
    has_run_result: bool = False
    steps: list[StepOutput] = field(default_factory=list)
    more_steps: int = 0
    note: str = ""


def judged_context(score: Score) -> JudgedContext:
    try:
        if score.entity_type == "WORKFLOW" and score.entity_id and score.run_id:
            return _run_context(score)
        if score.thread_id:
            return _thread_context(score)
    except StoreError as exc:
        logger.warning("review context for score %s: %s", score.id, exc)
        return JudgedContext(note=f"The context could not be read from the store: {exc}")
    return JudgedContext(note="This score names no thread or workflow run.")


def _thread_context(score: Score) -> JudgedContext:
    thread_id = score.thread_id or ""
    memory = get_store().memory
    message_id = output_message_id(score)
    if message_id:
        found = memory.list_messages(
            thread_id,
            include=[
                {
                    "id": message_id,
                    "threadId": thread_id,
                    "withPreviousMessages": BEFORE,
                    "withNextMessages": AFTER,
                }
            ],
            per_page=0,
        ).messages
    else:
        found = []
    note = ""
    if not found:
        # The scored message is not in the thread (deleted, or the output names none): the newest.
        found = chronological(memory.message_feed(thread_id, limit=BEFORE + AFTER).items)
        note = (
            "The scored message is not in this thread; these are its newest messages." if message_id else ""
        )
    page_url = url_or_empty("threads:detail", thread_id)
    return JudgedContext(
        thread_id=thread_id,
        messages=present_messages(found, page_url=page_url),
        scored_message_id=message_id or "",
        note=note if found else "The thread has no messages (it may have been deleted).",
    )


def _run_context(score: Score) -> JudgedContext:
    run = get_store().workflows.get_workflow_run_by_id(score.run_id, workflow_name=score.entity_id)
    if run is None:
        return JudgedContext(note="The workflow run is no longer in the store.")
    snapshot = run.snapshot if isinstance(run.snapshot, dict) else {}
    steps_map = snapshot.get("context")
    steps: list[StepOutput] = []
    if isinstance(steps_map, dict):
        for step_id, step in steps_map.items():
            if step_id == "input" or not isinstance(step, dict):
                continue
            steps.append(
                StepOutput(str(step_id), str(step.get("status") or ""), step.get("output"), "output" in step)
            )
    return JudgedContext(
        run_status=run.status or "",
        run_result=snapshot.get("result"),
        has_run_result="result" in snapshot,
        steps=steps[:MAX_STEPS],
        more_steps=max(len(steps) - MAX_STEPS, 0),
        note="" if isinstance(run.snapshot, dict) else "The run's snapshot is not valid JSON.",
    )
