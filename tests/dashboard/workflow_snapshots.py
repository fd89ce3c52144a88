"""Realistic Mastra workflow runs for the workflow pages' tests, one builder per situation.

The workflows, their step graphs and the snapshot shapes come from ``dashboard.demo.snapshots``,
which the demo data is built from too; this module pins one run per situation with fixed ids and
timings, plus the malformed and foreign snapshots only tests need. Each builder returns a
``RunFixture`` and ``EXPECTED`` says which status every drawn step must show.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.demo.snapshots import (
    ALREADY_ONBOARDED,
    CATALOG_NOTIFIED,
    INVALID_LABEL_ERROR,
    MODERATION_GRAPH,
    ONBOARDING_GRAPH,
    PII_TRIPWIRE,
    REFUND_GRAPH,
    WELCOME_FLOW,
    catalog_graph,
    run_state,
    step_result,
)
from dashboard.demo.snapshots import APPROVER_DECISION as DECISION
from dashboard.demo.snapshots import CATALOG_SINCE as SINCE
from dashboard.demo.snapshots import step_error as stack
from storeclient.interface import Store

#: 2026-01-09T14:02:11.600Z: every run starts here, and its step timings are offsets from it.
T0 = datetime(2026, 1, 9, 14, 2, 11, 600_000, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)


def at(offset_ms: int) -> int:
    return T0_MS + offset_ms


@dataclass(frozen=True)
class RunFixture:
    workflow_name: str
    run_id: str
    snapshot: dict[str, Any] | str
    resource_id: str | None = None
    created_at: datetime = T0
    updated_at: datetime | None = None

    @property
    def url(self) -> str:
        return f"/workflows/{self.workflow_name}/{self.run_id}/"

    def persist(self, store: Store, *, as_string: bool = False) -> RunFixture:
        """Save through the store interface; ``as_string`` stores the snapshot as JSON text, the way
        current Mastra writes it (older rows hold an object)."""
        snapshot = self.snapshot
        if as_string and not isinstance(snapshot, str):
            snapshot = json.dumps(snapshot)
        store.workflows.persist_workflow_snapshot(
            self.workflow_name,
            self.run_id,
            snapshot,
            resource_id=self.resource_id,
            created_at=self.created_at,
            updated_at=self.updated_at or self.created_at + timedelta(seconds=2),
        )
        return self


def _state(
    run_id: str, status: str, graph: list[Any], *, timestamp: int = T0_MS, **fields: Any
) -> dict[str, Any]:
    return run_state(run_id, status, graph, timestamp=timestamp, **fields)


# --- refund-approval: sequential steps, a parallel block, a human approval --------------------------------

REFUND_INPUT = {
    "orderId": "A-10492",
    "customerId": "user_8f2c1a",
    "reason": "arrived damaged",
    "amount": 84.5,
}
ORDER = {
    "orderId": "A-10492",
    "sku": "BLND-900",
    "total": 84.5,
    "currency": "USD",
    "deliveredAt": "2026-01-07T18:22:00.000Z",
}
CHECKS = {
    "check-fraud": {"riskScore": 0.07, "flagged": False},
    "check-return-window": {"withinWindow": True, "daysSinceDelivery": 2},
}
APPROVAL_ASK = {
    "message": "Refund of $84.50 exceeds the $50 auto-approve limit",
    "requestedBy": "supportAgent",
}


def _refund_context_until_checks() -> dict[str, Any]:
    return {
        "input": REFUND_INPUT,
        "fetch-order": step_result("success", REFUND_INPUT, at(10), at(358), output=ORDER),
        "check-fraud": step_result("success", ORDER, at(361), at(590), output=CHECKS["check-fraud"]),
        "check-return-window": step_result(
            "success", ORDER, at(362), at(431), output=CHECKS["check-return-window"]
        ),
    }


def refund_suspended(run_id: str = "5d0f3a8e-9c41-4b7e-a2f1-6e8d0c3b7a21") -> RunFixture:
    """A human approval suspended right after a parallel block, waiting for a manager."""
    context = _refund_context_until_checks()
    context["manager-approval"] = {
        "status": "suspended",
        "payload": CHECKS,
        "suspendPayload": APPROVAL_ASK,
        "startedAt": at(640),
        "suspendedAt": at(655),
    }
    state = _state(
        run_id,
        "suspended",
        REFUND_GRAPH,
        context=context,
        suspendedPaths={"manager-approval": [2]},
        resumeLabels={"approve": {"stepId": "manager-approval"}, "reject": {"stepId": "manager-approval"}},
        stepExecutionPath=["fetch-order", "check-fraud", "check-return-window", "manager-approval"],
        timestamp=at(661),
    )
    return RunFixture(
        "refund-approval", run_id, state, "user_8f2c1a", updated_at=T0 + timedelta(milliseconds=662)
    )


def refund_running(run_id: str = "0b6d2f7e-3c55-4d8a-9e12-7a4c1b9d0e33") -> RunFixture:
    context = _refund_context_until_checks()
    context["manager-approval"] = step_result("running", CHECKS, at(640))
    state = _state(
        run_id,
        "running",
        REFUND_GRAPH,
        context=context,
        activePaths=[2],
        activeStepsPath={"manager-approval": [2]},
        stepExecutionPath=["fetch-order", "check-fraud", "check-return-window", "manager-approval"],
        timestamp=at(650),
    )
    return RunFixture("refund-approval", run_id, state, "user_8f2c1a")


def refund_success(run_id: str = "c3a9e0b1-7f42-4a5d-b8e6-1d2c3b4a5f60") -> RunFixture:
    context = _refund_context_until_checks()
    context["manager-approval"] = {
        "status": "success",
        "payload": CHECKS,
        "suspendPayload": APPROVAL_ASK,
        "resumePayload": DECISION,
        "output": DECISION,
        "startedAt": at(640),
        "suspendedAt": at(655),
        "resumedAt": at(1_800_655),
        "endedAt": at(1_800_675),
    }
    refund = {"refundId": "re_3f9a1c7d2b8e", "amount": 84.5, "currency": "USD", "status": "succeeded"}
    context["issue-refund"] = step_result("success", DECISION, at(1_800_680), at(1_801_912), output=refund)
    state = _state(
        run_id,
        "success",
        REFUND_GRAPH,
        context=context,
        result=refund,
        stepExecutionPath=[
            "fetch-order",
            "check-fraud",
            "check-return-window",
            "manager-approval",
            "issue-refund",
        ],
        timestamp=at(1_801_920),
    )
    return RunFixture(
        "refund-approval", run_id, state, "user_8f2c1a", updated_at=T0 + timedelta(seconds=1802)
    )


def refund_failed(run_id: str = "9e8d7c6b-5a49-4382-a1f0-e9d8c7b6a504") -> RunFixture:
    context = _refund_context_until_checks()
    error = stack("Fraud service returned HTTP 503", "scoreRefund (src/mastra/workflows/refund.ts:41:11)")
    context["check-fraud"] = step_result("failed", ORDER, at(361), at(2_361), error=error)
    state = _state(
        run_id,
        "failed",
        REFUND_GRAPH,
        context=context,
        error=error,
        stepExecutionPath=["fetch-order", "check-fraud", "check-return-window"],
        timestamp=at(2_370),
    )
    return RunFixture("refund-approval", run_id, state, "user_3b7d90")


def refund_canceled(run_id: str = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a10") -> RunFixture:
    context = {
        "input": REFUND_INPUT,
        "fetch-order": step_result("success", REFUND_INPUT, at(10), at(358), output=ORDER),
    }
    state = _state(run_id, "canceled", REFUND_GRAPH, context=context, stepExecutionPath=["fetch-order"])
    return RunFixture("refund-approval", run_id, state, "user_8f2c1a")


# --- catalog-sync: foreach, sleep, conditional branches, a dountil loop -----------------------------------

CATALOG_GRAPH = catalog_graph(concurrency=1)
SKUS = [
    {"sku": "BLND-900", "price": 84.5},
    {"sku": "KTL-210", "price": 39},
    {"sku": "MXR-5", "price": 249},
    {"sku": "SCL-01", "price": 24.9},
]


def _catalog_fetch() -> dict[str, Any]:
    return {
        "input": SINCE,
        "fetch-changed-skus": step_result("success", SINCE, at(112), at(1_873), output=SKUS),
    }


def catalog_failed_foreach(run_id: str = "b7c2e1d4-0a9f-4c3b-8e61-2f5d7a9c4e10") -> RunFixture:
    """A foreach that failed on its third item: two items upserted, the third hit Shopify's rate
    limit, the fourth never started (concurrency 1)."""
    context = _catalog_fetch()
    error = stack(
        "Shopify Admin API 429: rate limit exceeded (MXR-5)",
        "upsertSku (src/mastra/workflows/catalog-sync.ts:58:13)",
    )
    context["upsert-sku"] = step_result(
        "failed",
        SKUS,
        at(1_880),
        at(3_412),
        output=[{"ok": True, "sku": "BLND-900"}, {"ok": True, "sku": "KTL-210"}, None],
        error=error,
    )
    state = _state(
        run_id,
        "failed",
        CATALOG_GRAPH,
        context=context,
        value={"processed": 2},
        error={"name": "Error", "message": "Shopify Admin API 429: rate limit exceeded (MXR-5)"},
        stepExecutionPath=["fetch-changed-skus", "upsert-sku"],
        timestamp=at(3_420),
    )
    return RunFixture("catalog-sync", run_id, state)


def catalog_foreach_running(run_id: str = "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70") -> RunFixture:
    context = _catalog_fetch()
    context["upsert-sku"] = step_result(
        "running", SKUS, at(1_880), output=[{"ok": True, "sku": "BLND-900"}, None, None, None]
    )
    state = _state(
        run_id,
        "running",
        catalog_graph(concurrency=2),
        context=context,
        activePaths=[1],
        activeStepsPath={"upsert-sku": [1]},
        value={"processed": 1},
        stepExecutionPath=["fetch-changed-skus", "upsert-sku"],
        timestamp=at(2_500),
    )
    return RunFixture("catalog-sync", run_id, state)


def _catalog_through_cooldown() -> dict[str, Any]:
    context = _catalog_fetch()
    done = [{"ok": True, "sku": s["sku"]} for s in SKUS]
    context["upsert-sku"] = step_result("success", SKUS, at(1_880), at(4_020), output=done)
    context["cooldown"] = step_result("success", done, at(4_023), at(6_023), output=done)
    return context


def catalog_waiting(run_id: str = "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7") -> RunFixture:
    context = _catalog_through_cooldown()
    context["cooldown"] = step_result("waiting", context["cooldown"]["payload"], at(4_023))
    state = _state(
        run_id,
        "waiting",
        CATALOG_GRAPH,
        context=context,
        waitingPaths={"cooldown": [2]},
        stepExecutionPath=["fetch-changed-skus", "upsert-sku", "cooldown"],
        timestamp=at(4_030),
    )
    return RunFixture("catalog-sync", run_id, state)


def catalog_success(run_id: str = "f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f") -> RunFixture:
    context = _catalog_through_cooldown()
    context["notify-email"] = step_result(
        "success", {"failures": 0}, at(6_030), at(6_410), output=CATALOG_NOTIFIED
    )
    context["poll-index-job"] = step_result(
        "success",
        {"jobId": "idx_4c1e9a"},
        at(6_415),
        at(11_020),
        output={"done": True, "attempts": 3, "indexed": 4},
    )
    state = _state(
        run_id,
        "success",
        CATALOG_GRAPH,
        context=context,
        value={"processed": 4},
        result={"processed": 4, "indexed": 4},
        stepExecutionPath=["fetch-changed-skus", "upsert-sku", "cooldown", "notify-email", "poll-index-job"],
        timestamp=at(11_025),
    )
    return RunFixture("catalog-sync", run_id, state)


def catalog_paused(run_id: str = "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d") -> RunFixture:
    fixture = catalog_success(run_id)
    assert isinstance(fixture.snapshot, dict)
    state = json.loads(json.dumps(fixture.snapshot))
    state["status"] = "paused"
    del state["result"]
    state["context"]["poll-index-job"] = step_result("paused", {"jobId": "idx_4c1e9a"}, at(6_415))
    return replace(fixture, snapshot=state)


def catalog_suspended_foreach(run_id: str = "c0ffee00-1234-4abc-8def-0123456789ab") -> RunFixture:
    """A foreach whose items each wait for a buyer's sign-off: one signed off, two still suspended."""
    context = _catalog_fetch()
    items = SKUS[:3]
    per_item = [
        {"status": "success", "output": {"ok": True, "sku": "BLND-900"}, "suspendPayload": {}},
        {
            "status": "suspended",
            "suspendPayload": {"askBuyer": "price drop on KTL-210 > 20%"},
            "suspendedAt": at(2_100),
        },
        {
            "status": "suspended",
            "suspendPayload": {"askBuyer": "price drop on MXR-5 > 20%"},
            "suspendedAt": at(2_140),
        },
    ]
    context["upsert-sku"] = {
        "status": "suspended",
        "payload": items,
        "startedAt": at(1_880),
        "suspendedAt": at(2_150),
        "suspendPayload": {
            "askBuyer": "price drop on KTL-210 > 20%",
            "__workflow_meta": {
                "foreachIndex": 1,
                "foreachOutput": per_item,
                "resumeLabels": {
                    "sign-off-KTL-210": {"stepId": "upsert-sku", "foreachIndex": 1},
                    "sign-off-MXR-5": {"stepId": "upsert-sku", "foreachIndex": 2},
                },
            },
        },
    }
    state = _state(
        run_id,
        "suspended",
        CATALOG_GRAPH,
        context=context,
        suspendedPaths={"upsert-sku": [1]},
        resumeLabels={
            "sign-off-KTL-210": {"stepId": "upsert-sku", "foreachIndex": 1},
            "sign-off-MXR-5": {"stepId": "upsert-sku", "foreachIndex": 2},
        },
        timestamp=at(2_160),
    )
    return RunFixture("catalog-sync", run_id, state)


# --- customer-onboarding: a nested workflow, sleepUntil, a .map() step ----------------------------------

SIGNUP = {"customerId": "user_5e1a77", "email": "u5e1a77@mail.example", "plan": "pro"}
ACCOUNT = {"accountId": "acct_9f3c2a1b7e", "email": "u5e1a77@mail.example"}


def onboarding_nested_success(
    run_id: str = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
) -> tuple[RunFixture, RunFixture]:
    """The parent run and, under the same run id, the nested welcome-sequence run Mastra persists."""
    nested_context = {
        "input": ACCOUNT,
        "send-welcome": step_result("success", ACCOUNT, at(950), at(1_400), output={"messageId": "msg_01"}),
        "wait-a-day": step_result(
            "success", {"messageId": "msg_01"}, at(1_401), at(86_401_401), output={"messageId": "msg_01"}
        ),
        "send-tips": step_result(
            "success",
            {"messageId": "msg_01"},
            at(86_401_410),
            at(86_401_900),
            output={"sent": ["welcome", "tips"], "opened": True},
        ),
    }
    nested = _state(
        run_id,
        "success",
        WELCOME_FLOW,
        context=nested_context,
        result={"sent": ["welcome", "tips"], "opened": True},
        timestamp=at(86_401_900),
    )
    context = {
        "input": SIGNUP,
        "create-account": step_result("success", SIGNUP, at(200), at(940), output=ACCOUNT),
        "welcome-sequence": step_result(
            "success", ACCOUNT, at(945), at(86_401_905), output={"sent": ["welcome", "tips"], "opened": True}
        ),
        "wait-for-launch": step_result(
            "success",
            {"sent": ["welcome", "tips"], "opened": True},
            at(86_401_910),
            at(86_441_910),
            output={"sent": ["welcome", "tips"], "opened": True},
        ),
        "assign-success-manager": step_result(
            "success",
            {"accountId": ACCOUNT["accountId"]},
            at(86_441_915),
            at(86_442_100),
            output={"accountId": ACCOUNT["accountId"], "manager": "Maria K."},
        ),
    }
    parent = _state(
        run_id,
        "success",
        ONBOARDING_GRAPH,
        context=context,
        result={"accountId": ACCOUNT["accountId"], "manager": "Maria K."},
        stepExecutionPath=["create-account", "welcome-sequence", "wait-for-launch", "assign-success-manager"],
        timestamp=at(86_442_100),
    )
    updated = T0 + timedelta(milliseconds=86_442_100)
    return (
        RunFixture("customer-onboarding", run_id, parent, "user_5e1a77", updated_at=updated),
        RunFixture(
            "welcome-sequence",
            run_id,
            nested,
            "user_5e1a77",
            created_at=T0 + timedelta(seconds=1),
            updated_at=updated,
        ),
    )


def onboarding_nested_suspended(run_id: str = "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e") -> RunFixture:
    """The nested workflow's last step suspended; only the parent's snapshot is stored (the nested
    run's own snapshot is missing), so the path comes from ``__workflow_meta``."""
    context = {
        "input": SIGNUP,
        "create-account": step_result("success", SIGNUP, at(200), at(940), output=ACCOUNT),
        "welcome-sequence": {
            "status": "suspended",
            "payload": ACCOUNT,
            "suspendPayload": {
                "reason": "Customer has not confirmed their e-mail address",
                "__workflow_meta": {"runId": run_id, "path": ["send-tips"]},
            },
            "startedAt": at(945),
            "suspendedAt": at(86_401_420),
        },
    }
    state = _state(
        run_id,
        "suspended",
        ONBOARDING_GRAPH,
        context=context,
        suspendedPaths={"welcome-sequence": [1]},
        resumeLabels={"email-confirmed": {"stepId": "welcome-sequence"}},
        timestamp=at(86_401_430),
    )
    return RunFixture("customer-onboarding", run_id, state, "user_5e1a77")


def onboarding_pending(run_id: str = "8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f") -> RunFixture:
    state = _state(run_id, "pending", ONBOARDING_GRAPH, context={"input": SIGNUP})
    return RunFixture("customer-onboarding", run_id, state, "user_5e1a77")


def onboarding_bailed(run_id: str = "9d0e1f2a-3b4c-4d5e-9f6a-7b8c9d0e1f2a") -> RunFixture:
    context = {
        "input": SIGNUP,
        "create-account": step_result(
            "success", SIGNUP, at(200), at(610), output={"existing": True, "accountId": "acct_000a11"}
        ),
    }
    state = _state(
        run_id,
        "bailed",
        ONBOARDING_GRAPH,
        context=context,
        result=ALREADY_ONBOARDED,
        stepExecutionPath=["create-account"],
    )
    return RunFixture("customer-onboarding", run_id, state, "user_5e1a77")


# --- review-moderation: a tripwire, a legacy string error ------------------------------------------------

REVIEW = {
    "reviewId": "rev_77aa01",
    "sku": "KTL-210",
    "stars": 2,
    "text": "Call me on 555-0142, the lid leaks.",
}


def moderation_tripwire(run_id: str = "aa11bb22-cc33-4d44-8e55-ff6677889900") -> RunFixture:
    trip = PII_TRIPWIRE
    context = {
        "input": REVIEW,
        "classify-review": step_result("failed", REVIEW, at(300), at(1_240), tripwire=trip),
    }
    state = _state(
        run_id,
        "tripwire",
        MODERATION_GRAPH,
        context=context,
        tripwire=trip,
        stepExecutionPath=["classify-review"],
    )
    return RunFixture("review-moderation", run_id, state)


def moderation_failed_string_error(run_id: str = "bb22cc33-dd44-4e55-9f66-007788990011") -> RunFixture:
    message = INVALID_LABEL_ERROR
    context = {
        "input": REVIEW,
        "classify-review": step_result("failed", REVIEW, at(300), at(2_010), error=message),
    }
    state = _state(run_id, "failed", MODERATION_GRAPH, context=context, error=message)
    return RunFixture("review-moderation", run_id, state)


# --- a legacy workflow: waitForEvent and a dowhile loop ---------------------------------------------------

LEGACY_GRAPH = [
    {"type": "step", "step": {"id": "open-ticket"}},
    {
        "type": "loop",
        "step": {"id": "retry-carrier-lookup"},
        "loopType": "dowhile",
        "serializedCondition": {
            "id": "retry-carrier-lookup-condition",
            "fn": "async ({ inputData }) => !inputData.found && inputData.attempts < 3",
        },
    },
    {
        "type": "waitForEvent",
        "event": "carrier-pickup-confirmed",
        "step": {"id": "await-pickup"},
        "timeout": 172_800_000,
    },
    {"type": "step", "step": {"id": "close-ticket"}},
]


def legacy_wait_for_event(run_id: str = "cc33dd44-ee55-4f66-8077-118899001122") -> RunFixture:
    context = {
        "input": {"ticketId": "T-88213"},
        "open-ticket": step_result(
            "success",
            {"ticketId": "T-88213"},
            at(100),
            at(420),
            output={"ticketId": "T-88213", "carrier": "DHL"},
        ),
        "retry-carrier-lookup": step_result(
            "success",
            {"ticketId": "T-88213", "carrier": "DHL"},
            at(425),
            at(3_900),
            output={"found": True, "attempts": 2, "trackingId": "JD0142"},
        ),
        "await-pickup": step_result(
            "waiting", {"found": True, "attempts": 2, "trackingId": "JD0142"}, at(3_905)
        ),
    }
    state = _state(
        run_id,
        "waiting",
        LEGACY_GRAPH,
        context=context,
        waitingPaths={"carrier-pickup-confirmed": [2]},
        timestamp=at(3_910),
    )
    return RunFixture("carrier-returns", run_id, state)


# --- malformed and foreign snapshots ----------------------------------------------------------------------


def missing_context(run_id: str = "dd44ee55-ff66-4077-8188-229900112233") -> RunFixture:
    """What Mastra's conformance suite persists: an arbitrary shape with its own status word."""
    state = {
        "runId": run_id,
        "status": "completed",
        "value": {},
        "stepResults": {"step-1": "done"},
        "timestamp": T0_MS,
    }
    return RunFixture("conformance-workflow", run_id, state)


def unknown_step_type(run_id: str = "ee55ff66-0077-4188-9299-330011223344") -> RunFixture:
    graph = [
        {"type": "step", "step": {"id": "plan-trip"}},
        {"type": "agentLoop", "agent": "travelAgent", "maxSteps": 8},
        {"type": "step", "step": {"id": "book-trip"}},
        "not-an-entry",
    ]
    context = {
        "input": {"city": "Porto"},
        "plan-trip": step_result("success", {"city": "Porto"}, at(1), at(900), output={"days": 3}),
        "legacy-extra": {
            "status": "success",
            "output": {"note": "recorded but not in the graph"},
            "startedAt": at(901),
            "endedAt": at(950),
        },
    }
    state = _state(run_id, "running", graph, context=context, activePaths=[1])
    return RunFixture("trip-planner", run_id, state)


def not_json(run_id: str = "ff667700-1188-4299-83aa-441122334455") -> RunFixture:
    return RunFixture(
        "refund-approval",
        run_id,
        '{"runId": "' + run_id + '", "status": "running", "context": {<script>',
        "user_8f2c1a",
    )


def write_raw(store: Any, fixture: RunFixture) -> RunFixture:
    """Write a snapshot cell the store would refuse (text that is not JSON) straight into the SQLite
    file, as a foreign tool or a truncated write might leave it."""
    conn = sqlite3.connect(store.path)
    try:
        conn.execute(
            'INSERT INTO mastra_workflow_snapshot (workflow_name, run_id, "resourceId", snapshot, "createdAt", "updatedAt") '
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                fixture.workflow_name,
                fixture.run_id,
                fixture.resource_id,
                fixture.snapshot,
                "2026-01-09T14:02:11.600Z",
                "2026-01-09T14:02:13.600Z",
            ),
        )
        conn.commit()
    finally:
        conn.close()
    return fixture


# --- a big run for the benchmark ------------------------------------------------------------------------


def big_run(steps: int = 300, run_id: str = "0f0f0f0f-1e1e-4d2d-8c3c-4b4b4b4b4b4b") -> RunFixture:
    """A long batch workflow: ``steps`` sequential steps with every tenth a parallel pair, all done."""
    graph: list[dict[str, Any]] = []
    context: dict[str, Any] = {"input": {"batch": "2026-01-09"}}
    clock = 0
    made = 0
    while made < steps:
        if made % 10 == 9 and made + 2 <= steps:
            ids = [f"enrich-{made:03d}-a", f"enrich-{made:03d}-b"]
            graph.append({"type": "parallel", "steps": [{"type": "step", "step": {"id": i}} for i in ids]})
            for i in ids:
                context[i] = step_result(
                    "success", {"n": made}, at(clock), at(clock + 180), output={"n": made, "ok": True}
                )
            made += 2
        else:
            step_id = f"transform-{made:03d}"
            graph.append({"type": "step", "step": {"id": step_id, "description": f"Transform chunk {made}"}})
            context[step_id] = step_result(
                "success", {"n": made}, at(clock), at(clock + 95), output={"n": made, "rows": 250}
            )
            made += 1
        clock += 200
    state = _state(run_id, "success", graph, context=context, result={"chunks": steps}, timestamp=at(clock))
    return RunFixture("nightly-batch", run_id, state, updated_at=T0 + timedelta(milliseconds=clock))


#: Every builder and the status each drawn step must show (``not-reached`` when it has no record).
EXPECTED: dict[str, tuple[Callable[[], Any], dict[str, str]]] = {
    "suspended after a parallel block": (
        refund_suspended,
        {
            "fetch-order": "success",
            "check-fraud": "success",
            "check-return-window": "success",
            "manager-approval": "suspended",
            "issue-refund": "not-reached",
        },
    ),
    "running": (
        refund_running,
        {"fetch-order": "success", "manager-approval": "running", "issue-refund": "not-reached"},
    ),
    "success after a resume": (
        refund_success,
        {"fetch-order": "success", "manager-approval": "success", "issue-refund": "success"},
    ),
    "failed in a parallel branch": (
        refund_failed,
        {"check-fraud": "failed", "check-return-window": "success", "manager-approval": "not-reached"},
    ),
    "canceled": (refund_canceled, {"fetch-order": "success", "check-fraud": "not-reached"}),
    "failed foreach item": (
        catalog_failed_foreach,
        {
            "fetch-changed-skus": "success",
            "upsert-sku": "failed",
            "cooldown": "not-reached",
            "poll-index-job": "not-reached",
        },
    ),
    "foreach running": (catalog_foreach_running, {"upsert-sku": "running", "cooldown": "not-reached"}),
    "waiting on a sleep": (
        catalog_waiting,
        {"upsert-sku": "success", "cooldown": "waiting", "notify-email": "not-reached"},
    ),
    "success through a conditional and a loop": (
        catalog_success,
        {
            "cooldown": "success",
            "notify-slack": "not-reached",
            "notify-email": "success",
            "poll-index-job": "success",
        },
    ),
    "paused in a loop": (catalog_paused, {"notify-email": "success", "poll-index-job": "paused"}),
    "suspended foreach": (catalog_suspended_foreach, {"upsert-sku": "suspended", "cooldown": "not-reached"}),
    "suspended inside a nested workflow": (
        onboarding_nested_suspended,
        {
            "create-account": "success",
            "welcome-sequence": "suspended",
            "welcome-sequence.send-welcome": "unrecorded",
            "welcome-sequence.send-tips": "suspended",
            "assign-success-manager": "not-reached",
        },
    ),
    "pending": (onboarding_pending, {"create-account": "not-reached", "welcome-sequence": "not-reached"}),
    "bailed": (onboarding_bailed, {"create-account": "success", "welcome-sequence": "not-reached"}),
    "tripwire": (moderation_tripwire, {"classify-review": "failed", "publish-review": "not-reached"}),
    "failed with a legacy string error": (moderation_failed_string_error, {"classify-review": "failed"}),
    "waiting for a legacy event": (
        legacy_wait_for_event,
        {
            "open-ticket": "success",
            "retry-carrier-lookup": "success",
            "await-pickup": "waiting",
            "close-ticket": "not-reached",
        },
    ),
}
