"""Convex's HTTP function API over one ``httpx.Client``: envelopes, errors, timeouts, retries.

Protocol facts (see the project's reference notes): ``POST /api/{query,mutation,function}`` with
``{"path", "args", "format": "json"}`` and ``Authorization: Convex <admin key>``. A function's result
comes back as ``{"status": "success", "value": ...}`` with HTTP 200; a function error as
``{"status": "error", "errorMessage": ...}`` with HTTP 200 (open-source backend) or 560 (hosted).
Transport errors carry ``{"code", "message"}`` with a 4xx status (401 ``BadAdminKey``).
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable
from typing import Any, Literal

import httpx
import orjson

from ..codec import escape_lone_surrogates, loads
from ..errors import (
    AuthError,
    BackendUnavailable,
    InvalidRequest,
    LimitError,
    NotDeployedError,
    StorageError,
    StoreError,
)

log = logging.getLogger("storeclient.convex")

Kind = Literal["query", "mutation", "function"]

#: Convex functions return at most 16 MiB; anything larger is not a Convex reply we can use.
DEFAULT_MAX_RESPONSE_BYTES = 17 * 1024 * 1024
UDF_FAILED_STATUS = 560

# Messages Convex (and convex-test) use when a function hits a transaction limit.
_LIMIT_PATTERNS = re.compile(
    r"Read too much data|Too many (documents|reads|bytes|index ranges|writes)|"
    r"wrote too much|Transaction .* too large|exceeds the maximum|Too many documents read",
    re.IGNORECASE,
)
_NOT_FOUND_PATTERN = re.compile(r"Could not find (public )?function for '([^']+)'")
_REQUEST_ID_PREFIX = re.compile(r"^\[Request ID: [^\]]*\]\s*")


class ConvexTransport:
    """Sends function calls to one deployment. Thread-safe (``httpx.Client`` is)."""

    def __init__(
        self,
        deployment_url: str,
        admin_key: str,
        *,
        timeout: float | httpx.Timeout = 30.0,
        total_timeout: float | None = None,
        http_client: httpx.Client | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        read_attempts: int = 3,
        backoff_base: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not deployment_url:
            raise StoreError(
                "No Convex deployment URL given: pass ConvexStore(deployment_url=...), the "
                "https://<name>.convex.cloud URL of the deployment."
            )
        if not admin_key:
            raise AuthError(
                "No Convex admin key given: pass ConvexStore(admin_auth_token=...), an admin or deploy "
                "key of the deployment."
            )
        self.base_url = deployment_url.rstrip("/")
        self._admin_key = admin_key
        if isinstance(timeout, httpx.Timeout):
            self._timeout = timeout
        else:
            # Connect fast or not at all; reads may legitimately take a while on big lists.
            self._timeout = httpx.Timeout(timeout, connect=min(5.0, timeout), pool=min(5.0, timeout))
        read_timeout = self._timeout.read or 30.0
        #: The deadline for one call, retries included.
        self.total_timeout = total_timeout if total_timeout is not None else read_timeout * 2
        self._client = http_client or httpx.Client(timeout=self._timeout, follow_redirects=False)
        self._owns_client = http_client is None
        self.max_response_bytes = max_response_bytes
        self.read_attempts = max(1, read_attempts)
        self.backoff_base = backoff_base
        self._sleep = sleep

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    # --- public ---------------------------------------------------------------------------

    def call(
        self, kind: Kind, path: str, args: dict[str, Any], *, idempotent: bool, keyless: bool = False
    ) -> Any:
        """Run a function and return its value.

        ``idempotent`` calls (reads) are retried with backoff on network errors, timeouts and 5xx.
        Other calls are retried only when the connection was never made, so a write that may have
        reached the server is never sent twice. ``keyless`` sends no admin key: the call anyone who
        knows the deployment URL can make (only public functions answer it).
        """
        body = {"path": path, "args": args, "format": "json"}
        deadline = time.monotonic() + self.total_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._call_once(kind, path, body, keyless=keyless)
            except _Retryable as exc:
                may_retry = idempotent or exc.not_sent
                remaining = deadline - time.monotonic()
                if not may_retry or attempt >= self.read_attempts or remaining <= 0:
                    raise exc.error from exc.__cause__
                delay = min(remaining, self.backoff_base * (2 ** (attempt - 1)) * (1 + random.random() / 2))
                log.warning(
                    "Convex call %s failed (%s); retry %d in %.2fs", path, exc.error.message, attempt, delay
                )
                self._sleep(delay)

    # --- internals ------------------------------------------------------------------------

    def _call_once(self, kind: Kind, path: str, body: dict[str, Any], *, keyless: bool = False) -> Any:
        url = f"{self.base_url}/api/{kind}"
        headers = {"Content-Type": "application/json"}
        if not keyless:
            headers["Authorization"] = f"Convex {self._admin_key}"
        content = _encode_body(body)
        try:
            with self._client.stream(
                "POST", url, content=content, headers=headers, timeout=self._timeout
            ) as response:
                raw = self._read_capped(response)
                status = response.status_code
                content_type = response.headers.get("content-type", "")
        except httpx.ConnectTimeout as exc:
            raise _Retryable(
                self._unavailable(
                    f"Timed out connecting to the Convex deployment at {self.base_url}.", sent=False
                ),
                True,
            ) from exc
        except httpx.ConnectError as exc:
            raise _Retryable(
                self._unavailable(
                    f"Could not connect to the Convex deployment at {self.base_url}: {exc}. "
                    "Check the deployment URL and that the deployment is reachable from this machine.",
                    sent=False,
                ),
                True,
            ) from exc
        except httpx.TimeoutException as exc:
            raise _Retryable(
                self._unavailable(
                    f"The Convex deployment at {self.base_url} did not answer in time ({type(exc).__name__})."
                ),
                False,
            ) from exc
        except httpx.TransportError as exc:
            raise _Retryable(
                self._unavailable(
                    f"The connection to the Convex deployment failed: {self._scrub(str(exc))}."
                ),
                False,
            ) from exc
        if kind == "function" and status == 404:
            # Convex answers a missing function inside its envelope, never with a bare 404; a 404 for
            # /api/function alone comes from a proxy or self-hosted backend that serves only the
            # documented /api/query and /api/mutation. For us that means "module absent": the caller
            # takes Mastra's standard handler instead of failing every page.
            raise NotDeployedError(
                f"{self.base_url} does not serve /api/function (HTTP 404), so {path} cannot be reached; "
                "using Mastra's standard handler instead.",
                function_path=path,
                detail=_snippet(raw, content_type),
            )
        return self._interpret(path, status, content_type, raw)

    def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_response_bytes:
            raise self._too_large(int(declared))
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_response_bytes:
                raise self._too_large(size)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, size: int) -> LimitError:
        return LimitError(
            f"The Convex reply was larger than {self.max_response_bytes // (1024 * 1024)} MiB "
            f"(at least {size / (1024 * 1024):.1f} MiB) and was not read. Convex never returns more than "
            "16 MiB, so something between us and the deployment is answering; check the deployment URL."
        )

    def _interpret(self, path: str, status: int, content_type: str, raw: bytes) -> Any:
        payload = _json_or_none(raw)
        if status in (200, UDF_FAILED_STATUS) and isinstance(payload, dict) and "status" in payload:
            if payload["status"] == "success":
                return payload.get("value")
            if payload["status"] == "error":
                raise self._function_error(
                    path, str(payload.get("errorMessage", "")), payload.get("errorData")
                )
        if status in (401, 403):
            code = payload.get("code") if isinstance(payload, dict) else None
            message = payload.get("message") if isinstance(payload, dict) else None
            raise AuthError(
                "The Convex deployment refused the admin key"
                + (f" ({code})" if code else f" (HTTP {status})")
                + ". Check the admin key: it must be an admin or deploy key of this deployment "
                "(Convex dashboard > Settings > Deploy keys).",
                detail=self._scrub(str(message or raw[:300].decode("utf-8", "replace"))),
            )
        if status >= 500 or status == 429:
            snippet = _snippet(raw, content_type)
            raise _Retryable(
                self._unavailable(
                    f"The Convex deployment answered HTTP {status}"
                    + (" from what looks like a proxy or load balancer" if "html" in content_type else "")
                    + ". It may be restarting or overloaded; try again shortly.",
                    detail=snippet,
                    # A 429 is refused before the function runs; a 5xx may come after it ran.
                    sent=status != 429,
                ),
                False,
            )
        if status == 404:
            raise BackendUnavailable(
                f"{self.base_url} answered 404 for the Convex function API. Check that the deployment URL "
                "is the https://<name>.convex.cloud one, not the Convex dashboard or a site URL.",
                detail=_snippet(raw, content_type),
            )
        if status >= 400:
            code = payload.get("code") if isinstance(payload, dict) else None
            message = payload.get("message") if isinstance(payload, dict) else _snippet(raw, content_type)
            raise StorageError(
                f"The Convex deployment rejected the request (HTTP {status}{', ' + code if code else ''}): "
                f"{self._scrub(str(message))}",
                code=code,
            )
        if payload is None:
            raise _Retryable(
                self._unavailable(
                    f"The Convex deployment answered HTTP {status} with a body that is not JSON "
                    "(truncated or from a proxy).",
                    detail=_snippet(raw, content_type),
                ),
                False,
            )
        raise _Retryable(
            self._unavailable(
                f"The Convex deployment answered HTTP {status} with an unexpected body.",
                detail=_snippet(raw, content_type),
            ),
            False,
        )

    def _function_error(self, path: str, error_message: str, error_data: Any) -> StoreError:
        text = self._scrub(error_message)
        summary = _summarize_function_error(text)
        not_found = _NOT_FOUND_PATTERN.search(text)
        if not_found:
            missing = not_found.group(2)
            return NotDeployedError(
                f"The Convex function '{missing}' is not deployed on this deployment. Deploy it "
                "(`npx convex deploy` in the project that has convex/mastra/storage.ts), or pass the path "
                "you deployed it under (ConvexStore(storage_function=...) for Mastra's handler).",
                function_path=missing,
                detail=text,
            )
        if _LIMIT_PATTERNS.search(text):
            return LimitError(
                f"Convex refused the call because it would read or write too much in one transaction: "
                f"{summary}",
                detail=text,
            )
        if summary == "Server Error":
            summary = (
                "Server Error (a production deployment hides the reason; open the Convex dashboard's "
                "logs for this request id)"
            )
        return StorageError(f"The Convex function {path} failed: {summary}", detail=text)

    def _unavailable(
        self, message: str, detail: str | None = None, *, sent: bool = True
    ) -> BackendUnavailable:
        """``sent``: the request left us, so the deployment may have run it (see ``may_have_reached_store``)."""
        return BackendUnavailable(
            message, detail=self._scrub(detail) if detail else None, may_have_reached_store=sent
        )

    def _scrub(self, text: str) -> str:
        return text.replace(self._admin_key, "[admin key]") if self._admin_key else text


class _Retryable(Exception):
    """Internal: a failure that may be retried. ``not_sent`` means the request never left us."""

    def __init__(self, error: StoreError, not_sent: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.not_sent = not_sent


def _encode_body(body: dict[str, Any]) -> bytes:
    """The request as UTF-8 JSON, as httpx's ``json=`` would send it, except that a lone UTF-16
    surrogate (half an emoji, from a JavaScript string) is sent as its escape rather than failing
    to encode. NaN and Infinity have no JSON form: refused before anything is sent."""
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(f"This value cannot be sent to Convex as JSON: {exc}") from exc
    return escape_lone_surrogates(text).encode("utf-8")


def decode_reply(raw: bytes) -> Any:
    """A reply body as JSON, decoded by orjson: several times faster than ``json.loads`` on the
    multi-megabyte lists Mastra's handler returns (a whole thread's messages), which is where the
    Python store lost to V8's ``JSON.parse``.

    orjson refuses what ``codec.loads`` repairs or accepts (a lone UTF-16 surrogate escape, NaN), so
    such a body, rare and usually hostile, is decoded again by ``codec.loads``: the value is always
    the one ``codec.loads`` gives, except that an integer beyond 64 bits comes back as a float,
    which is what it was in JavaScript. A body neither accepts raises ``ValueError``."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return loads(raw)


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return decode_reply(raw)
    except ValueError:
        return None


def _snippet(raw: bytes, content_type: str) -> str:
    text = raw[:400].decode("utf-8", errors="replace")
    if "html" in content_type:
        title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        if title:
            return title.group(1).strip()
        text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:300]


def _summarize_function_error(text: str) -> str:
    """``[Request ID: x] Server Error\\nUncaught Error: boom\\n    at ...`` -> ``boom``."""
    text = _REQUEST_ID_PREFIX.sub("", text.strip())
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("at ")]
    if len(lines) > 1 and lines[0].strip() == "Server Error":
        lines = lines[1:]
    first = lines[0].strip() if lines else text
    first = re.sub(r"^Uncaught (\w*Error): ", "", first)
    return first or "Server Error"
