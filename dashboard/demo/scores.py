"""The demo's scorer results: full ``ScoreRowData`` rows from two agent scorers and a workflow scorer."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storeclient.models import Thread

from .cast import AGENTS, Ids, order_id
from .runs import DemoRun


@dataclass(frozen=True)
class DemoScore:
    payload: dict[str, Any]
    created_at: datetime


SCORERS = {
    "answer-relevancy-scorer": {
        "id": "answer-relevancy-scorer",
        "name": "Answer Relevancy",
        "description": "How relevant the answer is to the user's request",
        "hasJudge": True,
    },
    "toxicity-scorer": {
        "id": "toxicity-scorer",
        "name": "Toxicity",
        "description": "How toxic or disrespectful the answer is (0 = not at all)",
        "hasJudge": True,
    },
    "refund-policy-compliance": {
        "id": "refund-policy-compliance",
        "name": "Refund policy compliance",
        "description": "Whether a refund run followed the approval policy (1 = compliant)",
        "hasJudge": False,
    },
}


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 3)


def relevancy_value(rng: random.Random, days_ago: float) -> float:
    # A visible dip 10-14 days ago (a prompt change that was rolled back), otherwise ~0.82.
    mean = 0.62 if 10 <= days_ago <= 14 else 0.82
    return _clamp(rng.gauss(mean, 0.11))


def toxicity_value(rng: random.Random) -> float:
    return _clamp(rng.uniform(0.2, 0.7)) if rng.random() < 0.04 else _clamp(abs(rng.gauss(0, 0.03)))


def agent_score(
    rng: random.Random,
    ids: Ids,
    scorer_id: str,
    created: datetime,
    now: datetime,
    thread: Thread | None,
    ask: str,
    answer: str,
) -> DemoScore:
    agent_id, agent_name = rng.choice(AGENTS)
    days_ago = (now - created).total_seconds() / 86400
    at = created - timedelta(seconds=rng.randint(5, 90))
    messages_in = [
        {
            "id": ids.uuid(),
            "role": "user",
            "createdAt": at.isoformat().replace("+00:00", "Z"),
            "content": {"format": 2, "parts": [{"type": "text", "text": ask}]},
        }
    ]
    messages_out = [
        {
            "id": ids.uuid(),
            "role": "assistant",
            "createdAt": (at + timedelta(seconds=3)).isoformat().replace("+00:00", "Z"),
            "content": {"format": 2, "parts": [{"type": "text", "text": answer}]},
        }
    ]
    payload: dict[str, Any] = {
        "scorerId": scorer_id,
        "scorer": SCORERS[scorer_id],
        "entityId": agent_id,
        "entityType": "AGENT",
        "entity": {"id": agent_id, "name": agent_name},
        "runId": ids.uuid(),
        "source": "TEST" if rng.random() < 0.15 else "LIVE",
        "input": {
            "inputMessages": messages_in,
            "rememberedMessages": [],
            "systemMessages": [
                {"role": "system", "content": f"You are Acme's {agent_name.lower()}. Be concise and kind."}
            ],
            "taggedSystemMessages": {},
        },
        "output": messages_out,
        "traceId": ids.hex(32),
        "spanId": ids.hex(16),
        "requestContext": {"tenantId": "acme-retail"},
        "metadata": {"sampling": {"type": "ratio", "rate": 0.25}},
    }
    if thread is not None:
        payload["threadId"] = thread.id
        payload["resourceId"] = thread.resource_id
    statements = [s.strip() + "." for s in answer.replace("\n", " ").split(".") if s.strip()][:4] or [answer]
    if scorer_id == "answer-relevancy-scorer":
        value = relevancy_value(rng, days_ago)
        verdicts = [
            rng.choice(["yes", "yes", "yes", "unsure", "no"]) if value < 0.7 else "yes" for _ in statements
        ]
        payload |= {
            "score": value,
            "preprocessPrompt": "Given the text, break it down into meaningful statements while preserving context.",
            "preprocessStepResult": {"statements": statements},
            "analyzePrompt": "Evaluate each statement's relevance to the input question. Answer yes, no or unsure.",
            "analyzeStepResult": {
                "results": [
                    {
                        "result": v,
                        "reason": f"Statement {i + 1} {'addresses' if v == 'yes' else 'drifts from'} the request",
                    }
                    for i, v in enumerate(verdicts)
                ]
            },
            "generateReasonPrompt": "Explain the relevancy score in one sentence.",
            "reason": f"The score is {value:.2f} because "
            + (
                "the reply answers the request directly."
                if value >= 0.7
                else "parts of the reply drift away from what was asked."
            ),
        }
    else:
        value = toxicity_value(rng)
        payload |= {
            "score": value,
            "analyzePrompt": "For each statement, decide whether it is toxic, insulting or dismissive.",
            "analyzeStepResult": {
                "verdicts": [
                    {
                        "verdict": "no" if value < 0.2 else rng.choice(["no", "yes"]),
                        "reason": "Polite and factual",
                    }
                    for _ in statements
                ]
            },
            "generateReasonPrompt": "Explain the toxicity score in one sentence.",
            "reason": f"The score is {value:.2f} because "
            + (
                "the reply is polite and factual."
                if value < 0.2
                else "one sentence reads as dismissive of the customer."
            ),
        }
    return DemoScore(payload, created)


def workflow_score(rng: random.Random, ids: Ids, created: datetime, run: DemoRun | None) -> DemoScore:
    """A compliance score of a refund. Of a stored run, it says what that run did (its order, its
    amount, its refund, whether its manager approval came first), so the score and the run page
    agree; without a stored run (the large data set), a refund is made up."""
    source = "TEST" if rng.random() < 0.1 else "LIVE"
    if run is not None and "issue-refund" in run.snapshot.get("context", {}):
        context = run.snapshot["context"]
        request = context["input"]
        amount = float(request["amount"])
        refund = context["issue-refund"].get("output") or {}
        approval = context.get("manager-approval") or {}
        approved_first = approval.get("status") == "success" and bool(
            (approval.get("output") or {}).get("approved")
        )
        compliant, approval_present = approved_first or amount <= 50, approved_first
        order, refund_id = request["orderId"], refund.get("refundId", "")
    else:
        compliant = rng.random() > 0.12
        amount = round(rng.uniform(20, 400), 2)
        approval_present = compliant or amount <= 50
        order, refund_id = order_id(rng), "re_" + ids.hex(12)
    run_id = run.run_id if run else ids.uuid()
    payload: dict[str, Any] = {
        "scorerId": "refund-policy-compliance",
        "scorer": SCORERS["refund-policy-compliance"],
        "entityId": "refund-approval",
        "entityType": "WORKFLOW",
        "entity": {"id": "refund-approval", "name": "refund-approval"},
        "runId": run_id,
        "source": source,
        "input": {"orderId": order, "amount": amount, "reason": "arrived damaged"},
        "output": {"refundId": refund_id, "amount": amount, "approved": True},
        "score": 1.0 if compliant else 0.0,
        "preprocessStepResult": {
            "amount": amount,
            "approvalRequired": amount > 50,
            "approvalPresent": approval_present,
        },
        "analyzeStepResult": {"rule": "refunds over $50 need a manager approval", "passed": compliant},
        "reason": "Approval recorded before the refund."
        if compliant
        else f"A ${amount:.2f} refund was issued without a manager approval.",
        "traceId": ids.hex(32),
        "metadata": {"policyVersion": "2025-11"},
    }
    if run and run.resource_id:
        payload["resourceId"] = run.resource_id
    return DemoScore(payload, created)
