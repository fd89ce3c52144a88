"""Resume, cancel and run again: an action on a workflow run, prepared, confirmed, sent once, audited.

An action is prepared from the run as the store shows it and shown on a confirmation page exactly as
it will be sent. The page carries a one-use token; the token's entry in the shared cache holds the
prepared requests, so what is sent is what was shown, not whatever a later POST says. Claiming the
token deletes the entry, and only the request whose delete removed it goes on: a double click, a
retry or a replayed POST finds it gone and sends nothing.

Each sent action is an ``AuditEvent``: ``pending`` before the first request leaves, then ``applied``,
``refused`` (with the server's reason) or ``unknown`` when it answered. A run again is two requests
(create the run, then start it with the original input): the event records both, and the new run id.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import caches
from django.utils import timezone

from dashboard.audit.models import Action, AuditEvent, Outcome, TargetType

from .mastra_server import (
    MastraServer,
    PlannedRequest,
    ServerError,
    cancel_request,
    create_run_request,
    start_request,
)

logger = logging.getLogger(__name__)

#: How long a confirmation page stays sendable.
TOKEN_TTL_SECONDS = 30 * 60
#: The cache every worker process shares (a database table), so a token is one-use across them.
CACHE_ALIAS = "shared"
#: Statuses a run can be cancelled in (cancelling a finished run would rewrite its status).
CANCELLABLE = ("running", "suspended", "waiting", "paused", "pending")
#: Statuses a run can be run again from: it is no longer moving.
FINISHED = ("success", "failed", "canceled", "tripwire", "bailed")
#: Stand-in for the run id that ``create-run`` answers, in a run again's second request.
NEW_RUN_ID = "<the run id create-run answers>"

ACTION_LABELS = {
    Action.WORKFLOW_RUN_RESUME: "Resume",
    Action.WORKFLOW_RUN_CANCEL: "Cancel",
    Action.WORKFLOW_RUN_RERUN: "Run again",
}


@dataclass(frozen=True)
class PreparedAction:
    """What a confirmation page asks the person to send."""

    action: str
    workflow_name: str
    run_id: str
    run_status: str
    requests: tuple[PlannedRequest, ...]
    user_id: int | None = None

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(Action(self.action), self.action)

    @property
    def target_id(self) -> str:
        return f"{self.workflow_name}/{self.run_id}"

    def as_text(self) -> str:
        return "\n\n".join(r.as_text() for r in self.requests)

    def to_json(self) -> str:
        return json.dumps(
            {
                "action": self.action,
                "workflow_name": self.workflow_name,
                "run_id": self.run_id,
                "run_status": self.run_status,
                "requests": [r.to_json() for r in self.requests],
                "user_id": self.user_id,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> PreparedAction:
        data = json.loads(text)
        return cls(
            action=data["action"],
            workflow_name=data["workflow_name"],
            run_id=data["run_id"],
            run_status=data["run_status"],
            requests=tuple(PlannedRequest.from_json(r) for r in data["requests"]),
            user_id=data["user_id"],
        )


def prepare_resume(
    workflow_name: str, run_id: str, run_status: str, resume: PlannedRequest
) -> PreparedAction:
    return PreparedAction(Action.WORKFLOW_RUN_RESUME, workflow_name, run_id, run_status, (resume,))


def prepare_cancel(workflow_name: str, run_id: str, run_status: str) -> PreparedAction:
    return PreparedAction(
        Action.WORKFLOW_RUN_CANCEL,
        workflow_name,
        run_id,
        run_status,
        (cancel_request(workflow_name, run_id),),
    )


def prepare_rerun(
    workflow_name: str, run_id: str, run_status: str, input_data: Any, resource_id: str | None
) -> PreparedAction:
    return PreparedAction(
        Action.WORKFLOW_RUN_RERUN,
        workflow_name,
        run_id,
        run_status,
        (
            create_run_request(workflow_name, resource_id),
            start_request(workflow_name, NEW_RUN_ID, input_data, rerun_of=run_id),
        ),
    )


# --- the one-use token ------------------------------------------------------------------------------


def _key(token: str) -> str:
    return f"workflows:run-action:{token}"


def _sent_key(token: str) -> str:
    return f"workflows:run-action-sent:{token}"


def issue(prepared: PreparedAction, user: AbstractBaseUser) -> str:
    """Store ``prepared`` for ``user`` and return the token its confirmation form carries."""
    token = secrets.token_urlsafe(24)
    stored = PreparedAction(**{**prepared.__dict__, "user_id": user.pk})
    caches[CACHE_ALIAS].set(_key(token), stored.to_json(), TOKEN_TTL_SECONDS)
    return token


@dataclass(frozen=True)
class Claim:
    prepared: PreparedAction | None
    #: When the token was already used: the audit event of the send it was used for, if known.
    sent_event_id: int | None = None


def claim(token: str, user: AbstractBaseUser) -> Claim:
    """Take the action ``token`` stands for, once. Any later claim gets ``prepared=None``."""
    cache = caches[CACHE_ALIAS]
    if not token or len(token) > 100:
        return Claim(None)
    stored = cache.get(_key(token))  # get() honours the expiry; delete() alone would not
    # Only the caller whose delete removed the row goes on: the database decides between two claims.
    if stored is None or not cache.delete(_key(token)):
        sent = cache.get(_sent_key(token))
        return Claim(None, sent if isinstance(sent, int) else None)
    prepared = PreparedAction.from_json(stored)
    if prepared.user_id != user.pk:
        return Claim(None)
    return Claim(prepared)


def remember_sent(token: str, event: AuditEvent) -> None:
    caches[CACHE_ALIAS].set(_sent_key(token), event.pk, TOKEN_TTL_SECONDS)


# --- sending ---------------------------------------------------------------------------------------


@dataclass
class ActionResult:
    outcome: str
    message: str
    event: AuditEvent
    new_run_id: str = ""
    answers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return self.outcome == Outcome.APPLIED


def send(prepared: PreparedAction, user: AbstractBaseUser, server: MastraServer, token: str) -> ActionResult:
    """Send the prepared requests in order, audited before the first and after the last answer."""
    event = AuditEvent.start(
        user,
        prepared.action,
        TargetType.WORKFLOW_RUN,
        prepared.target_id,
        before=prepared.run_status,
        after=prepared.as_text(),
    )
    remember_sent(token, event)
    answers: list[dict[str, Any]] = []
    new_run_id = ""
    try:
        for planned in prepared.requests:
            if new_run_id and planned.query.get("runId") == NEW_RUN_ID:
                planned = PlannedRequest(planned.method, planned.path, {"runId": new_run_id}, planned.body)
            answer = server.send(planned)
            answers.append(answer)
            if planned.path.endswith("/create-run"):
                new_run_id = answer.get("runId") if isinstance(answer.get("runId"), str) else ""
                if not new_run_id:
                    raise ServerError(
                        "The Mastra server created a run but did not say its id.", verdict="unknown"
                    )
    except ServerError as exc:
        outcome = Outcome.REFUSED if exc.verdict == "refused" else Outcome.UNKNOWN
        message = exc.message
        if new_run_id:
            message = f"{message} (run {new_run_id} was created but may not have started)"
        event.finish(outcome, error=message, result_version=new_run_id)
        logger.warning(
            "%s of workflow run %s by %s: %s (audit #%s)",
            prepared.label,
            prepared.target_id,
            user.get_username(),
            outcome,
            event.pk,
        )
        return ActionResult(outcome, message, event, new_run_id, answers)
    except BaseException as exc:
        event.finish(Outcome.UNKNOWN, error=f"The action was interrupted ({type(exc).__name__}).")
        raise
    event.finish(Outcome.APPLIED, result_version=new_run_id)
    logger.info(
        "%s of workflow run %s by %s applied (audit #%s)",
        prepared.label,
        prepared.target_id,
        user.get_username(),
        event.pk,
    )
    return ActionResult(Outcome.APPLIED, _applied_message(prepared, new_run_id), event, new_run_id, answers)


def _applied_message(prepared: PreparedAction, new_run_id: str) -> str:
    if prepared.action == Action.WORKFLOW_RUN_RESUME:
        return "The Mastra server resumed the run; this page follows it."
    if prepared.action == Action.WORKFLOW_RUN_CANCEL:
        return "The Mastra server cancelled the run."
    return f"The Mastra server started a new run ({new_run_id}) with this run's input."


#: How long after an action the run page keeps following a run that is not live by itself (a resumed
#: run can still read "suspended" in the store for a moment, and a suspended page does not poll).
FOLLOW_FOR = timedelta(minutes=2)


def recently_acted_on(workflow_name: str, run_id: str, *, now: datetime | None = None) -> bool:
    """Whether someone resumed (or otherwise acted on) this run through the dashboard just now."""
    since = (now or timezone.now()) - FOLLOW_FOR
    return (
        AuditEvent.objects.for_target(TargetType.WORKFLOW_RUN, f"{workflow_name}/{run_id}")
        .filter(created_at__gte=since)
        .exclude(outcome=Outcome.REFUSED)
        .exists()
    )


def reruns_of(workflow_name: str, run_id: str, limit: int = 10) -> list[tuple[str, str, Any]]:
    """The runs started from this run's input through the dashboard: ``(run id, username, when)``."""
    events = AuditEvent.objects.filter(
        action=Action.WORKFLOW_RUN_RERUN,
        target_type=TargetType.WORKFLOW_RUN,
        target_id=f"{workflow_name}/{run_id}",
    ).exclude(result_version="")
    return [
        (e.result_version, e.username, e.created_at)
        for e in events.only("result_version", "username", "created_at")[:limit]
    ]
