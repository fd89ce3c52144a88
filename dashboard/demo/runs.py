"""The demo's workflow runs: one seeded builder per workflow, drawing a snapshot for any run status."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .cast import PRODUCTS, Ids, epoch_ms, order_id
from .snapshots import (
    ALREADY_ONBOARDED,
    APPROVER_DECISION,
    CATALOG_NOTIFIED,
    CATALOG_SINCE,
    INVALID_LABEL_ERROR,
    MODERATION_GRAPH,
    ONBOARDING_GRAPH,
    PII_TRIPWIRE,
    REFUND_GRAPH,
    catalog_graph,
    run_state,
    step_error,
    step_result,
)


@dataclass(frozen=True)
class DemoRun:
    workflow_name: str
    run_id: str
    snapshot: dict[str, Any]
    resource_id: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def status(self) -> str:
        return str(self.snapshot["status"])


WORKFLOWS = ("refund-approval", "catalog-sync", "customer-onboarding", "review-moderation")

#: (workflow, status) for the small data set: every run status at least once.
SMALL_RUNS: tuple[tuple[str, str], ...] = (
    ("refund-approval", "success"),
    ("refund-approval", "suspended"),
    ("refund-approval", "suspended"),
    ("refund-approval", "failed"),
    ("refund-approval", "canceled"),
    ("refund-approval", "running"),
    ("catalog-sync", "success"),
    ("catalog-sync", "failed"),
    ("catalog-sync", "waiting"),
    ("catalog-sync", "running"),
    ("catalog-sync", "paused"),
    ("customer-onboarding", "success"),
    ("customer-onboarding", "waiting"),
    ("customer-onboarding", "pending"),
    ("customer-onboarding", "bailed"),
    ("review-moderation", "success"),
    ("review-moderation", "tripwire"),
    ("review-moderation", "failed"),
    ("refund-approval", "success"),
    ("catalog-sync", "success"),
)


class StepClock:
    """Hands out realistic step timings (epoch ms) one after another."""

    def __init__(self, rng: random.Random, start: int) -> None:
        self.rng, self.now = rng, start

    def span(self, low: int = 40, high: int = 2_500) -> tuple[int, int]:
        started = self.now + self.rng.randint(2, 15)
        ended = started + self.rng.randint(low, high)
        self.now = ended
        return started, ended


def _sleep(
    state: dict[str, Any],
    clock: StepClock,
    step_id: str,
    index: int,
    payload: Any,
    *,
    gap: int,
    duration: int,
    waiting: bool,
) -> bool:
    """Record a sleep step at graph position ``index``: still waiting (True: the run stops here) or
    slept ``duration`` ms, passing its input through."""
    started = clock.now + gap
    state["stepExecutionPath"].append(step_id)
    if waiting:
        state["context"][step_id] = step_result("waiting", payload, started)
        state["waitingPaths"] = {step_id: [index]}
        return True
    state["context"][step_id] = step_result("success", payload, started, started + duration, output=payload)
    clock.now = started + duration
    return False


def refund_snapshot(
    rng: random.Random, ids: Ids, run_id: str, status: str, start: int, customer: str
) -> dict[str, Any]:
    # A run that stops at the manager's approval is of a refund that needs one.
    waits_for_manager = status in ("suspended", "running")
    products = [p for p in PRODUCTS if p[2] > AUTO_APPROVE_LIMIT] if waits_for_manager else PRODUCTS
    sku, product, price = rng.choice(products)
    order = order_id(rng)
    clock = StepClock(rng, start)
    request = {"orderId": order, "customerId": customer, "reason": "arrived damaged", "amount": price}
    order_out = {
        "orderId": order,
        "sku": sku,
        "total": price,
        "currency": "USD",
        "deliveredAt": "2026-01-07T18:22:00.000Z",
    }
    ctx: dict[str, Any] = {"input": request}
    state = run_state(run_id, status, REFUND_GRAPH, timestamp=start, context=ctx)
    path = state["stepExecutionPath"]

    if status == "pending":
        return state
    s, e = clock.span()
    path.append("fetch-order")
    if status == "running" and rng.random() < 0.5:
        ctx["fetch-order"] = step_result("running", request, s)
        state["activePaths"] = [0]
        state["activeStepsPath"] = {"fetch-order": [0]}
        return state
    ctx["fetch-order"] = step_result("success", request, s, e, output=order_out)
    if status == "canceled":
        return state
    risk = round(rng.uniform(0.01, 0.3), 2)
    fs, fe = clock.span()
    ws, we = fs + 1, fs + rng.randint(30, 400)
    window = {"withinWindow": True, "daysSinceDelivery": 2}
    path += ["check-fraud", "check-return-window"]
    if status == "failed":
        error = "Fraud service returned HTTP 503"
        where = "scoreRefund (src/mastra/workflows/refund.ts:41:11)"
        ctx["check-fraud"] = step_result("failed", order_out, fs, fe, error=step_error(error, where))
        ctx["check-return-window"] = step_result("success", order_out, ws, we, output=window)
        state["error"] = {"name": "Error", "message": error}
        return state
    fraud = {"riskScore": risk, "flagged": False}
    ctx["check-fraud"] = step_result("success", order_out, fs, fe, output=fraud)
    ctx["check-return-window"] = step_result("success", order_out, ws, we, output=window)
    approval_payload = {"check-fraud": fraud, "check-return-window": window}
    if price <= AUTO_APPROVE_LIMIT and status == "success":
        # Under the limit the workflow approves on its own: no manager, no suspension.
        decision = {"approved": True, "approver": "auto", "note": f"Under the ${AUTO_APPROVE_LIMIT} limit"}
        return _issue_refund(state, ctx, ids, clock, price, decision)
    ask = {
        "message": f"Refund of ${price:.2f} exceeds the $50 auto-approve limit",
        "requestedBy": "supportAgent",
    }
    as_, _ = clock.span(5, 30)
    path.append("manager-approval")
    if status == "suspended":
        ctx["manager-approval"] = step_result(
            "suspended", approval_payload, as_, suspendPayload=ask, suspendedAt=as_ + 15
        )
        state["suspendedPaths"] = {"manager-approval": [2]}
        state["resumeLabels"] = {"approve": {"stepId": "manager-approval"}}
        return state
    if status == "running":
        ctx["manager-approval"] = step_result("running", approval_payload, as_)
        state["activePaths"] = [2]
        state["activeStepsPath"] = {"manager-approval": [2]}
        return state
    resumed = as_ + rng.randint(60_000, 3_600_000)
    decision = dict(APPROVER_DECISION)
    ctx["manager-approval"] = step_result(
        "success",
        approval_payload,
        as_,
        resumed + 20,
        suspendPayload=ask,
        resumePayload=decision,
        output=decision,
        suspendedAt=as_ + 15,
        resumedAt=resumed,
    )
    clock.now = resumed + 20
    return _issue_refund(state, ctx, ids, clock, price, decision)


#: Refunds up to this many dollars need no manager (what the approval step's message says).
AUTO_APPROVE_LIMIT = 50


def _issue_refund(
    state: dict[str, Any],
    ctx: dict[str, Any],
    ids: Ids,
    clock: StepClock,
    price: float,
    decision: dict[str, Any],
) -> dict[str, Any]:
    rs, re_ = clock.span(300, 1_800)
    refund_out = {"refundId": "re_" + ids.hex(12), "amount": price, "currency": "USD", "status": "succeeded"}
    ctx["issue-refund"] = step_result("success", decision, rs, re_, output=refund_out)
    state["stepExecutionPath"].append("issue-refund")
    state["result"] = refund_out
    state["timestamp"] = re_
    return state


def catalog_snapshot(rng: random.Random, ids: Ids, run_id: str, status: str, start: int) -> dict[str, Any]:
    skus = [{"sku": sku, "price": price} for sku, _, price in rng.sample(PRODUCTS, 4)]
    clock = StepClock(rng, start)
    ctx: dict[str, Any] = {"input": dict(CATALOG_SINCE)}
    state = run_state(
        run_id, status, catalog_graph(concurrency=4), timestamp=start, value={"processed": 0}, context=ctx
    )
    path = state["stepExecutionPath"]
    s, e = clock.span(500, 2_000)
    ctx["fetch-changed-skus"] = step_result("success", dict(CATALOG_SINCE), s, e, output=skus)
    path.append("fetch-changed-skus")
    us, ue = clock.span(800, 4_000)
    path.append("upsert-sku")
    if status == "failed":
        error = "Shopify Admin API 429: rate limit exceeded"
        where = "upsertSku (src/mastra/workflows/catalog-sync.ts:58:13)"
        ctx["upsert-sku"] = step_result("failed", skus, us, ue, error=step_error(error, where))
        state["error"] = {"name": "Error", "message": error}
        return state
    if status == "running":
        ctx["upsert-sku"] = step_result("running", skus, us, output=[{"ok": True}, {"ok": True}, None, None])
        state["activePaths"] = [1]
        state["activeStepsPath"] = {"upsert-sku": [1]}
        state["value"] = {"processed": 2}
        return state
    upserted = [{"ok": True} for _ in skus]
    ctx["upsert-sku"] = step_result("success", skus, us, ue, output=upserted)
    state["value"] = {"processed": len(skus)}
    if _sleep(state, clock, "cooldown", 2, upserted, gap=3, duration=2000, waiting=status == "waiting"):
        return state
    ns, ne = clock.span(100, 600)
    ctx["notify-email"] = step_result("success", {"failures": 0}, ns, ne, output=dict(CATALOG_NOTIFIED))
    path.append("notify-email")
    ps, pe = clock.span(1_000, 6_000)
    job = {"jobId": "idx_" + ids.hex(6)}
    path.append("poll-index-job")
    if status == "paused":
        ctx["poll-index-job"] = step_result("paused", job, ps)
        return state
    polled = {"done": True, "attempts": rng.randint(2, 5), "indexed": len(skus)}
    ctx["poll-index-job"] = step_result("success", job, ps, pe, output=polled)
    state["result"] = {"processed": len(skus), "indexed": len(skus)}
    state["timestamp"] = pe
    return state


def onboarding_snapshot(
    rng: random.Random, ids: Ids, run_id: str, status: str, start: int, customer: str
) -> dict[str, Any]:
    clock = StepClock(rng, start)
    email = f"{customer.replace('user_', 'u')}@mail.example"
    signup = {"customerId": customer, "email": email, "plan": rng.choice(["free", "pro"])}
    ctx: dict[str, Any] = {"input": signup}
    state = run_state(run_id, status, ONBOARDING_GRAPH, timestamp=start, context=ctx)
    path = state["stepExecutionPath"]
    if status == "pending":
        return state
    s, e = clock.span(200, 900)
    account = {"accountId": "acct_" + ids.hex(10), "email": email}
    ctx["create-account"] = step_result("success", signup, s, e, output=account)
    path.append("create-account")
    if status == "bailed":
        # The customer already had an account: the step bailed out with a result, ending the run early.
        state["result"] = dict(ALREADY_ONBOARDED)
        return state
    ws, we = clock.span(1_000, 3_000)
    nested = {"sent": ["welcome", "tips"], "opened": rng.random() < 0.6}
    ctx["welcome-sequence"] = step_result("success", account, ws, we, output=nested)
    path.append("welcome-sequence")
    if _sleep(
        state, clock, "wait-for-launch", 2, nested, gap=5, duration=40_000, waiting=status == "waiting"
    ):
        return state
    ms, me = clock.span(100, 400)
    manager = {"accountId": account["accountId"], "manager": rng.choice(["Maria K.", "Jonas P.", "Aiko S."])}
    ctx["assign-success-manager"] = step_result(
        "success", {"accountId": account["accountId"]}, ms, me, output=manager
    )
    path.append("assign-success-manager")
    state["result"] = manager
    state["timestamp"] = me
    return state


def moderation_snapshot(rng: random.Random, ids: Ids, run_id: str, status: str, start: int) -> dict[str, Any]:
    clock = StepClock(rng, start)
    review = {
        "reviewId": "rev_" + ids.hex(8),
        "sku": rng.choice(PRODUCTS)[0],
        "stars": rng.randint(1, 5),
        "text": "Works great, but the lid rattles at full speed.",
    }
    ctx: dict[str, Any] = {"input": review}
    state = run_state(run_id, status, MODERATION_GRAPH, timestamp=start, context=ctx)
    path = state["stepExecutionPath"]
    s, e = clock.span(300, 1_500)
    path.append("classify-review")
    if status == "tripwire":
        trip = dict(PII_TRIPWIRE)
        ctx["classify-review"] = step_result("failed", review, s, e, tripwire=trip)
        state["tripwire"] = trip
        return state
    if status == "failed":
        ctx["classify-review"] = step_result("failed", review, s, e, error=INVALID_LABEL_ERROR)
        state["error"] = INVALID_LABEL_ERROR
        return state
    label = {"label": "ok", "confidence": round(rng.uniform(0.8, 0.99), 2)}
    ctx["classify-review"] = step_result("success", review, s, e, output=label)
    ps, pe = clock.span(50, 300)
    ctx["publish-review"] = step_result("success", label, ps, pe, output={"published": True})
    path.append("publish-review")
    state["result"] = {"published": True}
    state["timestamp"] = pe
    return state


def build_run(
    rng: random.Random, ids: Ids, workflow: str, status: str, created: datetime, customer: str
) -> DemoRun:
    run_id = ids.uuid()
    start = epoch_ms(created)
    if workflow == "refund-approval":
        snapshot = refund_snapshot(rng, ids, run_id, status, start, customer)
    elif workflow == "catalog-sync":
        snapshot = catalog_snapshot(rng, ids, run_id, status, start)
    elif workflow == "customer-onboarding":
        snapshot = onboarding_snapshot(rng, ids, run_id, status, start, customer)
    else:
        snapshot = moderation_snapshot(rng, ids, run_id, status, start)
    ends = [
        step.get("endedAt") or step.get("suspendedAt") or step.get("startedAt") or start
        for key, step in snapshot["context"].items()
        if key != "input" and isinstance(step, dict)
    ]
    updated = datetime.fromtimestamp(max([start, *ends]) / 1000, tz=UTC)
    snapshot["timestamp"] = epoch_ms(updated)
    resource = customer if workflow in ("refund-approval", "customer-onboarding") else None
    return DemoRun(workflow, run_id, snapshot, resource, created, updated)
