"""Building blocks of Mastra workflow snapshots, shared by the demo's seeded runs and the workflow
pages' tests, so both describe the same workflows in the same shapes.

The shapes follow what ``@mastra/core``'s default engine writes: epoch-ms step timings, a
``serializedStepGraph`` with entries of every type, execution paths, resume labels and
``SerializedError`` objects (older versions stored plain strings, which the callers write as such).
"""

from __future__ import annotations

from typing import Any

#: The request context the demo tenant's runs carry.
TENANT = {"tenantId": "acme-retail"}


def run_state(run_id: str, status: str, graph: list[Any], *, timestamp: int, **fields: Any) -> dict[str, Any]:
    """A snapshot with every top-level key Mastra writes, empty unless ``fields`` fills it."""
    state: dict[str, Any] = {
        "runId": run_id,
        "status": status,
        "value": {},
        "context": {},
        "serializedStepGraph": graph,
        "activePaths": [],
        "activeStepsPath": {},
        "suspendedPaths": {},
        "resumeLabels": {},
        "waitingPaths": {},
        "stepExecutionPath": [],
        "requestContext": dict(TENANT),
        "timestamp": timestamp,
    }
    state.update(fields)
    return state


def step_result(
    status: str, payload: Any, started: int, ended: int | None = None, **fields: Any
) -> dict[str, Any]:
    """One step's record in ``context``; ``fields`` are the outcome (``output``, ``error``, ...)."""
    record: dict[str, Any] = {"status": status, "payload": payload, **fields, "startedAt": started}
    if ended is not None:
        record["endedAt"] = ended
    return record


def step_error(message: str, where: str, name: str = "Error") -> dict[str, Any]:
    """A ``SerializedError`` as a step that threw leaves it: the stack ends in Mastra's executor."""
    return {
        "name": name,
        "message": message,
        "stack": f"{name}: {message}\n    at {where}\n"
        "    at async executeStep (node_modules/@mastra/core/dist/workflows/index.js:1412:24)",
    }


# --- refund-approval: sequential steps, a parallel block, a human approval --------------------------------

REFUND_GRAPH = [
    {"type": "step", "step": {"id": "fetch-order", "description": "Load the order from the OMS"}},
    {
        "type": "parallel",
        "steps": [
            {"type": "step", "step": {"id": "check-fraud", "description": "Score the refund for fraud risk"}},
            {"type": "step", "step": {"id": "check-return-window"}},
        ],
    },
    {
        "type": "step",
        "step": {
            "id": "manager-approval",
            "description": "Human approval for refunds over $50",
            "canSuspend": True,
        },
    },
    {"type": "step", "step": {"id": "issue-refund", "description": "Refund through the payment provider"}},
]
APPROVER_DECISION = {
    "approved": True,
    "approver": "maria.k@acme-retail.example",
    "note": "Photo confirms damage",
}


# --- catalog-sync: foreach, sleep, conditional branches, a dountil loop -----------------------------------


def catalog_graph(concurrency: int) -> list[dict[str, Any]]:
    """The catalog sync, upserting ``concurrency`` SKUs at a time (which items a failure leaves
    unstarted depends on it)."""
    return [
        {"type": "step", "step": {"id": "fetch-changed-skus"}},
        {"type": "foreach", "step": {"id": "upsert-sku"}, "opts": {"concurrency": concurrency}},
        {"type": "sleep", "id": "cooldown", "duration": 2000},
        {
            "type": "conditional",
            "steps": [
                {"type": "step", "step": {"id": "notify-slack"}},
                {"type": "step", "step": {"id": "notify-email"}},
            ],
            "serializedConditions": [
                {"id": "notify-slack-condition", "fn": "async ({ inputData }) => inputData.failures > 0"},
                {"id": "notify-email-condition", "fn": "async () => true"},
            ],
        },
        {
            "type": "loop",
            "step": {"id": "poll-index-job"},
            "loopType": "dountil",
            "serializedCondition": {
                "id": "poll-index-job-condition",
                "fn": "async ({ inputData }) => inputData.done",
            },
        },
    ]


CATALOG_SINCE = {"since": "2026-01-08T00:00:00.000Z"}
CATALOG_NOTIFIED = {"sent": True, "to": "catalog@acme-retail.example"}


# --- customer-onboarding: a nested workflow, sleepUntil, a .map() step ----------------------------------

WELCOME_FLOW = [
    {"type": "step", "step": {"id": "send-welcome"}},
    {"type": "sleep", "id": "wait-a-day", "duration": 86_400_000},
    {"type": "step", "step": {"id": "send-tips", "canSuspend": True}},
]
ONBOARDING_GRAPH = [
    {"type": "step", "step": {"id": "create-account"}},
    {
        "type": "step",
        "step": {
            "id": "welcome-sequence",
            "description": "Nested workflow: the welcome e-mails",
            "component": "WORKFLOW",
            "serializedStepFlow": WELCOME_FLOW,
        },
    },
    {"type": "sleepUntil", "id": "wait-for-launch", "date": "2026-02-01T09:00:00.000Z"},
    {
        "type": "step",
        "step": {"id": "assign-success-manager", "mapConfig": '{"accountId": {"step": "create-account"}}'},
    },
]
#: What a bailed run ends with: the customer already had an account.
ALREADY_ONBOARDED = {"skipped": True, "reason": "account already onboarded"}


# --- review-moderation: a tripwire, a legacy string error ------------------------------------------------

MODERATION_GRAPH = [
    {"type": "step", "step": {"id": "classify-review"}},
    {"type": "step", "step": {"id": "publish-review"}},
]
PII_TRIPWIRE = {
    "reason": "Review contains a customer's phone number (PII)",
    "retry": False,
    "metadata": {"detector": "pii", "matches": 1},
    "processorId": "pii-detector",
}
#: Older Mastra versions stored step errors as plain strings.
INVALID_LABEL_ERROR = "Error: model returned invalid JSON for schema ReviewLabel"
