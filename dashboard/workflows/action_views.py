"""Acting on a run through the Mastra server: ``resume/``, ``cancel/``, ``rerun/`` and ``send/``.

``resume/`` (GET) is the form for a suspended step's resume data; its POST, like the POSTs of
``cancel/`` and ``rerun/``, checks the input and answers a confirmation page showing exactly what
will be sent, with a one-use token. ``send/`` sends it (run_actions.py) and redirects to the run page,
which follows the run; a refused or unknown outcome is shown with the server's reason instead.

Everything here needs the ``act_on_workflow_runs`` permission (editors and admins) and a configured
``MASTRA_SERVER_URL``; the run's current status comes from the store, not from the form.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.core.pages import not_found
from dashboard.core.store import get_store
from storeclient.models import WorkflowRun

from . import resume_schema
from .graph import build_graph
from .mastra_server import ServerConfig, ServerError, StepSchemas, resume_request, server_from_settings
from .records import WaitReason
from .run_actions import (
    CANCELLABLE,
    PreparedAction,
    claim,
    issue,
    prepare_cancel,
    prepare_rerun,
    prepare_resume,
    send,
)

ACT_PERMISSION = "accounts.act_on_workflow_runs"
#: The largest resume data accepted from the JSON editor, in characters.
RESUME_JSON_LIMIT = 256 * 1024


def can_act(request: HttpRequest) -> bool:
    return bool(request.user.has_perm(ACT_PERMISSION))


def actions_configured() -> bool:
    return ServerConfig.from_settings() is not None


class _Refusal(Exception):
    """A request this page answers with ``response`` instead of going on."""

    def __init__(self, response: HttpResponse):
        self.response = response


def _user(request: HttpRequest) -> AbstractBaseUser:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # LoginRequiredMiddleware has let only users through
    return user


def _load(request: HttpRequest, workflow_name: str, run_id: str) -> WorkflowRun:
    """The run, for a person allowed to act on it with a server to act through."""
    if not can_act(request):
        raise PermissionDenied("Acting on workflow runs needs the editor or admin role.")
    run = get_store().workflows.get_workflow_run_by_id(run_id, workflow_name=workflow_name)
    if run is None:
        raise _Refusal(
            not_found(
                request,
                f"No run {run_id} of workflow {workflow_name}",
                "The store has no snapshot for this run, so there is nothing to act on.",
                reverse("workflows:runs"),
                "All workflow runs",
            )
        )
    if not actions_configured():
        # Not a fault of this request nor of a server (5xx): in this deployment the action does not exist.
        raise _Refusal(_page(request, run, "not-configured", status=404))
    return run


def _run_status(run: WorkflowRun) -> str:
    snapshot = run.snapshot if isinstance(run.snapshot, dict) else {}
    status = snapshot.get("status")
    return status if isinstance(status, str) else "unknown"


def _page(
    request: HttpRequest, run: WorkflowRun, mode: str, *, status: int = 200, **context: Any
) -> HttpResponse:
    context.update(run=run, mode=mode, run_status=_run_status(run))
    return render(request, "workflows/action.html", context, status=status)


def _confirm(request: HttpRequest, run: WorkflowRun, prepared: PreparedAction) -> HttpResponse:
    token = issue(prepared, _user(request))
    return _page(request, run, "confirm", prepared=prepared, token=token)


def _refused_run_state(request: HttpRequest, run: WorkflowRun, what: str) -> HttpResponse:
    return _page(request, run, "wrong-state", status=409, what=what)


# --- resume ------------------------------------------------------------------------------------------


def _suspended_wait(run: WorkflowRun, step: str) -> WaitReason | None:
    snapshot = run.snapshot if isinstance(run.snapshot, dict) else None
    if snapshot is None:
        return None
    waits = [w for w in build_graph(snapshot, {}).waits if w.kind == "suspended"]
    if step:
        return next((w for w in waits if w.key == step), None)
    return waits[0] if waits else None


def _describe_step(run: WorkflowRun, step_id: str) -> tuple[StepSchemas | None, str]:
    """The step as the server describes it, or ``None`` and why not (the JSON editor then stands in)."""
    server = server_from_settings()
    assert server is not None
    try:
        with server:
            description = server.describe(run.workflow_name)
    except ServerError as exc:
        return None, exc.message
    described = description.step(step_id)
    if described is None:
        return None, f"The Mastra server does not list a step {step_id!r} for this workflow."
    return described, ""


@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest, workflow_name: str, run_id: str) -> HttpResponse:
    try:
        run = _load(request, workflow_name, run_id)
    except _Refusal as refusal:
        return refusal.response
    step = str(request.GET.get("step") or request.POST.get("step") or "")[:500]
    wait = _suspended_wait(run, step)
    if wait is None:
        return _refused_run_state(
            request,
            run,
            "resumed: no step of it is suspended"
            if not step
            else f"resumed at {step!r}: that step is not suspended",
        )
    described, describe_error = _describe_step(run, wait.key)
    schema = described.resume_schema if described is not None else None
    fields = resume_schema.form_fields(schema)
    labels = list(wait.resume_labels)
    context: dict[str, Any] = {
        "wait": wait,
        "schema": schema,
        "schema_text": json.dumps(schema, indent=2, sort_keys=True) if schema is not None else "",
        "describe_error": describe_error,
        "labels": labels,
    }
    use_json = fields is None or request.POST.get("editor") == "json"
    if request.method == "GET":
        if fields is not None and schema is not None:
            fields = resume_schema.prefilled(fields, schema, wait.suspend_payload)
        context.update(
            fields=fields, use_json=fields is None, resume_json=_initial_json(fields, schema, wait)
        )
        return _page(request, run, "resume", **context)

    value, problems = _posted_value(request, fields if not use_json else None)
    if not problems and schema is not None:
        problems = resume_schema.errors(schema, value)
    for_each_index = _for_each_index(request, labels)
    if problems:
        context.update(
            fields=resume_schema.with_posted(fields, request.POST) if fields is not None else None,
            use_json=use_json,
            resume_json=str(request.POST.get("resume_json", ""))[:RESUME_JSON_LIMIT],
            problems=problems,
        )
        return _page(request, run, "resume", status=400, **context)
    planned = resume_request(run.workflow_name, run.run_id, wait.key, value, for_each_index)
    return _confirm(request, run, prepare_resume(run.workflow_name, run.run_id, _run_status(run), planned))


def _initial_json(fields: list[resume_schema.ResumeField] | None, schema: Any, wait: WaitReason) -> str:
    """The JSON editor's starting text: the suspend payload's fields the schema knows, else ``{}``."""
    payload = wait.suspend_payload
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(payload, dict) and isinstance(properties, dict):
        known = {k: v for k, v in payload.items() if k in properties}
        return json.dumps(known, indent=2, ensure_ascii=False)
    return "{}"


def _posted_value(
    request: HttpRequest, fields: list[resume_schema.ResumeField] | None
) -> tuple[Any, list[str]]:
    if fields is not None:
        return resume_schema.value_from_fields(fields, request.POST)
    text = str(request.POST.get("resume_json", ""))
    if len(text) > RESUME_JSON_LIMIT:
        return None, [f"the data: longer than the {RESUME_JSON_LIMIT // 1024} KiB accepted"]
    if not text.strip():
        return None, ["the data: is empty; write {} to resume with no data"]
    try:
        return json.loads(text), []
    except ValueError as exc:
        return None, [f"the data: not valid JSON ({exc})"]


def _for_each_index(request: HttpRequest, labels: list[tuple[str, int | None]]) -> int | None:
    """The foreach item a chosen resume label names (only labels the run itself offers count)."""
    chosen = str(request.POST.get("label", ""))
    for label, index in labels:
        if label == chosen:
            return index
    return None


# --- cancel and run again ----------------------------------------------------------------------------


@require_POST
def cancel(request: HttpRequest, workflow_name: str, run_id: str) -> HttpResponse:
    try:
        run = _load(request, workflow_name, run_id)
    except _Refusal as refusal:
        return refusal.response
    status = _run_status(run)
    if status not in CANCELLABLE:
        return _refused_run_state(request, run, f"cancelled: it is {status}")
    return _confirm(request, run, prepare_cancel(run.workflow_name, run.run_id, status))


@require_POST
def rerun(request: HttpRequest, workflow_name: str, run_id: str) -> HttpResponse:
    try:
        run = _load(request, workflow_name, run_id)
    except _Refusal as refusal:
        return refusal.response
    status = _run_status(run)
    snapshot = run.snapshot if isinstance(run.snapshot, dict) else {}
    context = snapshot.get("context")
    if not isinstance(context, dict) or "input" not in context:
        return _refused_run_state(
            request, run, "run again: its snapshot does not hold the input it started with"
        )
    prepared = prepare_rerun(run.workflow_name, run.run_id, status, context["input"], run.resource_id or None)
    return _confirm(request, run, prepared)


# --- send ----------------------------------------------------------------------------------------------


@require_POST
def send_action(request: HttpRequest, workflow_name: str, run_id: str) -> HttpResponse:
    try:
        run = _load(request, workflow_name, run_id)
    except _Refusal as refusal:
        return refusal.response
    run_url = reverse("workflows:run", args=[run.workflow_name, run.run_id])
    token = str(request.POST.get("token", ""))
    taken = claim(token, _user(request))
    prepared = taken.prepared
    if prepared is None or prepared.target_id != f"{run.workflow_name}/{run.run_id}":
        note = (
            "This action was already sent" if taken.sent_event_id else "This confirmation is no longer valid"
        )
        messages.warning(request, f"{note}; nothing more was sent. The page shows the run as it is now.")
        return HttpResponseRedirect(run_url, status=303)
    server = server_from_settings()
    assert server is not None
    with server:
        result = send(prepared, _user(request), server, token)
    if result.applied:
        messages.success(request, result.message)
        target = (
            reverse("workflows:run", args=[run.workflow_name, result.new_run_id])
            if result.new_run_id
            else run_url
        )
        return HttpResponseRedirect(target, status=303)
    return _page(request, run, "result", status=502, prepared=prepared, result=result)
