"""The team's Mastra server, over the workflow routes of ``@mastra/server`` (1.67, as pinned in
convex/package.json; the handlers are in ``dist/server/handlers/workflows.js``):

* ``GET  {prefix}/workflows/:workflowId`` describes a workflow; each step's ``resumeSchema`` is a
  SuperJSON string whose ``json`` is the step's resume data as JSON Schema.
* ``POST {prefix}/workflows/:workflowId/resume-no-wait?runId=`` ``{step, resumeData, forEachIndex?}``
  resumes a suspended step and answers ``{runId}`` at once; the run goes on in the server, and the
  run page follows it through the store (``resume-async`` would hold the request until the run
  stops again, however long its next steps take).
* ``POST {prefix}/workflows/:workflowId/runs/:runId/cancel`` answers ``{message}``.
* ``POST {prefix}/workflows/:workflowId/create-run`` ``{resourceId?}`` answers ``{runId}``; then
  ``POST {prefix}/workflows/:workflowId/start?runId=`` ``{inputData, requestContext}`` starts it in
  the background and answers ``{message}``.

Errors come back as ``{"error": "<reason>"}`` with a 4xx, or a 500 when the handler threw (for
example "This workflow run was not suspended"). Every failure becomes one ``ServerError`` whose
``sent`` says whether the request may have reached the server: that decides whether the audit log
records the action as ``refused`` or ``unknown``.

The token goes only into the request header: never into an error message, a log line or a page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import httpx
from django.conf import settings

#: Longest server reason kept (shown to the user and stored in the audit log).
REASON_LIMIT = 500
#: The largest answer read from the server; a describe of a big workflow is well under this.
BODY_LIMIT = 2 * 1024 * 1024

Verdict = Literal["refused", "unknown"]


@dataclass(frozen=True)
class ServerConfig:
    url: str
    api_prefix: str
    token: str
    auth_header: str
    timeout: float

    @classmethod
    def from_settings(cls) -> ServerConfig | None:
        """The configured server, or ``None`` when ``MASTRA_SERVER_URL`` is not set (read-only pages)."""
        url = getattr(settings, "MASTRA_SERVER_URL", "")
        if not url:
            return None
        return cls(
            url=url,
            api_prefix=getattr(settings, "MASTRA_SERVER_API_PREFIX", "/api"),
            token=getattr(settings, "MASTRA_SERVER_TOKEN", ""),
            auth_header=getattr(settings, "MASTRA_SERVER_AUTH_HEADER", "Authorization"),
            timeout=float(getattr(settings, "MASTRA_SERVER_TIMEOUT", 10.0)),
        )

    def headers(self) -> dict[str, str]:
        if not self.token:
            return {}
        if self.auth_header.lower() == "authorization":
            return {"Authorization": f"Bearer {self.token}"}
        return {self.auth_header: self.token}


class ServerError(Exception):
    """The server did not do what was asked, or did not say whether it did.

    ``verdict`` is ``refused`` when the server answered that it would not (a 4xx, or Mastra's own
    error answer), and ``unknown`` when the request may have reached it but the answer is missing or
    unreadable (a timeout, a dropped connection, a proxy's 502). ``sent`` is ``False`` when the
    request certainly never left (the server could not be reached at all).
    """

    def __init__(self, message: str, *, verdict: Verdict, sent: bool = True, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.verdict = verdict
        self.sent = sent
        self.status = status


@dataclass(frozen=True)
class StepSchemas:
    """What the server says about one step."""

    step_id: str
    description: str
    #: The resume data's JSON Schema, ``None`` when the step declares none (or it is unreadable).
    resume_schema: dict[str, Any] | None


@dataclass(frozen=True)
class WorkflowDescription:
    workflow_id: str
    steps: dict[str, StepSchemas]

    def step(self, step_id: str) -> StepSchemas | None:
        return self.steps.get(step_id)


def _superjson_schema(raw: Any) -> dict[str, Any] | None:
    """A step schema as ``getWorkflowInfo`` sends it: SuperJSON text whose ``json`` is the schema."""
    if not isinstance(raw, str):
        return None
    try:
        decoded = json.loads(raw)
    except ValueError:
        return None
    schema = decoded.get("json") if isinstance(decoded, dict) and "json" in decoded else decoded
    return schema if isinstance(schema, dict) else None


@dataclass(frozen=True)
class PlannedRequest:
    """One request exactly as it will be sent (shown on the confirmation page, stored in the audit log)."""

    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None

    def as_text(self) -> str:
        """The request as a person reads it: method, path and the JSON body."""
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in self.query.items())
        line = f"{self.method} {self.path}{'?' + query if query else ''}"
        if self.body is None:
            return line
        return f"{line}\n{json.dumps(self.body, indent=2, ensure_ascii=False, sort_keys=True)}"

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "query": self.query, "body": self.body}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlannedRequest:
        return cls(data["method"], data["path"], dict(data["query"]), data["body"])


def _workflow_path(workflow_id: str, *rest: str) -> str:
    return "/".join(["/workflows", quote(workflow_id, safe=""), *(quote(p, safe="") for p in rest)])


def describe_request(workflow_id: str) -> PlannedRequest:
    return PlannedRequest("GET", _workflow_path(workflow_id), {}, None)


def resume_request(
    workflow_id: str, run_id: str, step: str, resume_data: Any, for_each_index: int | None = None
) -> PlannedRequest:
    body: dict[str, Any] = {"step": step, "resumeData": resume_data}
    if for_each_index is not None:
        body["forEachIndex"] = for_each_index
    return PlannedRequest("POST", _workflow_path(workflow_id, "resume-no-wait"), {"runId": run_id}, body)


def cancel_request(workflow_id: str, run_id: str) -> PlannedRequest:
    return PlannedRequest("POST", _workflow_path(workflow_id, "runs", run_id, "cancel"), {}, None)


def create_run_request(workflow_id: str, resource_id: str | None) -> PlannedRequest:
    body = {"resourceId": resource_id} if resource_id else {}
    return PlannedRequest("POST", _workflow_path(workflow_id, "create-run"), {}, body)


#: Where a re-run remembers the run it repeats: Mastra keeps the request context in the new run's
#: snapshot (``requestContext``), so the new run's page can link back.
RERUN_OF_KEY = "dashboardRerunOf"


def start_request(workflow_id: str, run_id: str, input_data: Any, rerun_of: str) -> PlannedRequest:
    body = {"inputData": input_data, "requestContext": {RERUN_OF_KEY: rerun_of}}
    return PlannedRequest("POST", _workflow_path(workflow_id, "start"), {"runId": run_id}, body)


class MastraServer:
    """A client of one Mastra server. ``transport`` is for tests (``httpx.MockTransport`` faults)."""

    def __init__(self, config: ServerConfig, *, transport: httpx.BaseTransport | None = None):
        self.config = config
        self._client = httpx.Client(
            base_url=config.url + config.api_prefix,
            headers=config.headers(),
            timeout=config.timeout,
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> MastraServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the routes ------------------------------------------------------------------------------

    def describe(self, workflow_id: str) -> WorkflowDescription:
        data = self.send(describe_request(workflow_id))
        steps: dict[str, StepSchemas] = {}
        for source in ("allSteps", "steps"):  # "steps" (top level) wins over "allSteps" (nested ids)
            raw_steps = data.get(source)
            if not isinstance(raw_steps, dict):
                continue
            for key, raw in raw_steps.items():
                if isinstance(raw, dict):
                    steps[str(key)] = StepSchemas(
                        step_id=str(key),
                        description=raw.get("description") if isinstance(raw.get("description"), str) else "",
                        resume_schema=_superjson_schema(raw.get("resumeSchema")),
                    )
        return WorkflowDescription(workflow_id, steps)

    def send(self, planned: PlannedRequest) -> dict[str, Any]:
        """Send ``planned`` once and return its JSON object answer, or raise ``ServerError``."""
        try:
            response = self._client.request(
                planned.method,
                planned.path,
                params=planned.query or None,
                json=planned.body if planned.body is not None else None,
            )
        except httpx.ConnectError:
            raise ServerError(
                f"The Mastra server at {self.config.url} could not be reached; nothing was sent.",
                verdict="refused",
                sent=False,
            ) from None
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
                raise ServerError(
                    f"The Mastra server at {self.config.url} did not accept the connection within "
                    f"{self.config.timeout:g} s; nothing was sent.",
                    verdict="refused",
                    sent=False,
                ) from None
            raise ServerError(
                f"The Mastra server did not answer within {self.config.timeout:g} s. The action may or "
                "may not have been carried out; the run page shows what the store says now.",
                verdict="unknown",
            ) from None
        except httpx.HTTPError as exc:
            raise ServerError(
                f"The connection to the Mastra server broke ({type(exc).__name__}). The action may or "
                "may not have been carried out.",
                verdict="unknown",
            ) from None
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        body = _json_object(response)
        reason = self._reason(body, response)
        if status in (401, 403):
            raise ServerError(
                f"The Mastra server refused the dashboard's credentials (HTTP {status}): check "
                f"MASTRA_SERVER_TOKEN and MASTRA_SERVER_AUTH_HEADER. {reason}".strip(),
                verdict="refused",
                status=status,
            )
        if 400 <= status < 500:
            raise ServerError(
                f"The Mastra server refused (HTTP {status}): {reason or 'no reason given'}",
                verdict="refused",
                status=status,
            )
        if status >= 500:
            if body is not None and reason:
                # Mastra's own error answer: the handler threw before or instead of acting.
                raise ServerError(
                    f"The Mastra server refused (HTTP {status}): {reason}", verdict="refused", status=status
                )
            raise ServerError(
                f"The Mastra server failed (HTTP {status}) without saying why. The action may or may "
                "not have been carried out.",
                verdict="unknown",
                status=status,
            )
        if not 200 <= status < 300:
            raise ServerError(
                f"The Mastra server answered HTTP {status}, which the dashboard does not expect.",
                verdict="unknown",
                status=status,
            )
        if body is None:
            raise ServerError(
                f"The Mastra server answered HTTP {status} with a body that is not a JSON object. The "
                "action may or may not have been carried out.",
                verdict="unknown",
                status=status,
            )
        return body

    def _reason(self, body: dict[str, Any] | None, response: httpx.Response) -> str:
        raw: Any = None
        if body is not None:
            raw = body.get("error") or body.get("message")
            if isinstance(raw, dict):
                raw = raw.get("message")
        if not isinstance(raw, str):
            return ""
        # The server may echo headers back in an error; the token is never repeated.
        if self.config.token:
            raw = raw.replace(self.config.token, "[redacted]")
        return raw[:REASON_LIMIT]


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    if len(response.content) > BODY_LIMIT:
        return None
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


#: Tests put an ``httpx.MockTransport`` here to inject faults; ``None`` is the network.
transport_override: httpx.BaseTransport | None = None


def server_from_settings() -> MastraServer | None:
    """A client of the configured server, or ``None`` when the run pages are read-only."""
    config = ServerConfig.from_settings()
    return MastraServer(config, transport=transport_override) if config is not None else None
