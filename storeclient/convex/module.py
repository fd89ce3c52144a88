"""The client of the dashboard's own Convex module (``convex/mastra/dashboard.ts``).

The module is optional: a deployment may only have Mastra's ``mastra/storage:handle``. So the store
probes for it once per process (``mastra/dashboard:probe``, an internal query that reads nothing)
and every dashboard addition asks :meth:`DashboardModule.available` before taking the module path.

* Absent (``NotDeployedError``: Convex says "Could not find function" for a missing *and* for an
  internal function without the admin key) -> the standard handler paths; the module is probed again
  at most every ``reprobe_after`` seconds, so deploying it later is picked up without a restart.
* A module call that later answers "Could not find function" (the module was removed) marks it
  absent at once and the same request falls back; nothing ran on the server, so even a save may.
* Reads are idempotent and retried by the transport; the two save mutations are not retried blindly.

Module functions are internal, so they are called like ``npx convex run`` calls them:
``POST /api/function`` with the admin key.

Cursors: a module feed hands out ``{"m": kind, "c": <Convex continueCursor>, "s": skip}`` (base64
JSON), the standard-handler path ``{"o": offset}``. Neither is ever sent down the other path: a
handler cursor keeps being served by the handler (so a list does not jump when the module appears
mid-way), and a module cursor that outlives the module restarts the list at its first page, with a
note. ``kind`` ties a cursor to one feed and its filters.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRequest, NotDeployedError, StorageError
from ..models import Feed
from ..semantics import decode_cursor, encode_cursor, offset_of, page_at
from .transport import ConvexTransport

DEFAULT_MODULE = "mastra/dashboard"
#: The reply shape this client speaks (``MODULE_VERSION`` in dashboard.ts).
MODULE_VERSION = 2
#: How long an absent module is believed absent before the next probe.
DEFAULT_REPROBE_SECONDS = 60.0
MODE_MODULE = "dashboard module"
MODE_HANDLER = "standard handler"
#: The largest page a feed may ask for (the module's MAX_PAGE).
MAX_LIMIT = 1_000
#: Calls one feed page may make before it stops and hands out a cursor (a safety net: each call
#: reads a bounded window, and unfiltered feeds fill a page in one call).
MAX_CALLS_PER_PAGE = 50

RESTARTED_NOTE = (
    "The dashboard's Convex module is no longer deployed, so this list started again from its first "
    "page through Mastra's standard handler."
)


class ModuleUnavailable(Exception):
    """Internal signal: the module is not (or no longer) deployed; take the standard handler path."""


@dataclass(frozen=True)
class ModuleCursor:
    kind: str
    cursor: str | None
    skip: int = 0


@dataclass(frozen=True)
class HandlerStart:
    """A feed page the standard handler serves: ``offset`` into its in-memory order, and the note
    to show when the list started again because a module cursor outlived the module."""

    offset: int = 0
    note: str | None = None


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}.")
    return limit


def feed_kind(name: str, args: Mapping[str, Any]) -> str:
    """A cursor tag for one module function and its filter arguments."""
    digest = hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{name}:{digest}"


def parse_position(cursor: str | None, kind: str) -> ModuleCursor | HandlerStart | None:
    """Which path a cursor came from, decoded once; ``InvalidRequest`` for a module cursor of
    another feed or a cursor we did not make."""
    if not cursor:
        return None
    state = decode_cursor(cursor)
    if "m" not in state:
        return HandlerStart(offset_of(state))
    inner, skip = state.get("c"), state.get("s", 0)
    if state["m"] != kind:
        raise InvalidRequest(
            "That page link belongs to another list (bad cursor); start from the first page."
        )
    if not (inner is None or isinstance(inner, str)) or not isinstance(skip, int) or skip < 0:
        raise InvalidRequest("That page link is not valid (bad cursor); start from the first page.")
    return ModuleCursor(kind, inner, skip)


def handler_feed[T](
    items: Sequence[T], start: HandlerStart, limit: int, *, capped: bool, note: str | None
) -> Feed[T]:
    """One page of a feed the standard handler serves from a list sorted in memory. The page's
    own note (a capped read) is more useful than the restart note, so it wins."""
    rows, next_cursor = page_at(items, start.offset, limit)
    return Feed(items=rows, next_cursor=next_cursor, capped=capped, note=note or start.note)


def module_cursor(kind: str, cursor: str | None, skip: int) -> str:
    return encode_cursor({"m": kind, "c": cursor, "s": skip})


@dataclass(frozen=True)
class ScanResult:
    """Documents of one feed page from the module, and where the next page starts."""

    docs: list[Any]
    next_cursor: str | None
    #: The scan budget ran out before the page was full (a filtered feed; more may follow).
    stopped_early: bool = False
    scanned: int = 0


class DashboardModule:
    """Probing, calls and paging for ``mastra/dashboard:*``. Thread-safe."""

    def __init__(
        self,
        transport: ConvexTransport,
        module: str = DEFAULT_MODULE,
        *,
        reprobe_after: float = DEFAULT_REPROBE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.transport = transport
        self.module = module
        self.reprobe_after = reprobe_after
        self._clock = clock
        self._present: bool | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        #: Probes sent so far (for tests and the health page).
        self.probes = 0

    # --- presence ----------------------------------------------------------------------------

    def available(self) -> bool:
        """Whether the module is deployed: probed once, re-probed only after it was found absent
        and ``reprobe_after`` seconds have passed. Transport errors (network, auth) propagate."""
        with self._lock:
            if self._present or (
                self._present is False and self._clock() - self._checked_at < self.reprobe_after
            ):
                return self._present
            present = self._probe()
            self._present, self._checked_at = present, self._clock()
            return present

    def _probe(self) -> bool:
        self.probes += 1
        try:
            reply = self.transport.call("function", f"{self.module}:probe", {}, idempotent=True)
        except NotDeployedError:
            return False
        version = reply.get("version") if isinstance(reply, dict) else None
        # An older module than this client speaks is treated as absent rather than misread.
        return isinstance(version, int) and version >= MODULE_VERSION

    def mark_absent(self) -> None:
        with self._lock:
            self._present, self._checked_at = False, self._clock()

    @property
    def mode(self) -> str:
        """The mode as last determined (no I/O): ``dashboard module`` or ``standard handler``."""
        return MODE_MODULE if self._present else MODE_HANDLER

    # --- calls -------------------------------------------------------------------------------

    def query(self, name: str, args: Mapping[str, Any]) -> dict[str, Any]:
        return self._call(name, args, idempotent=True)

    def mutation(self, name: str, args: Mapping[str, Any]) -> dict[str, Any]:
        return self._call(name, args, idempotent=False)

    def _call(self, name: str, args: Mapping[str, Any], *, idempotent: bool) -> dict[str, Any]:
        path = f"{self.module}:{name}"
        try:
            reply = self.transport.call("function", path, dict(args), idempotent=idempotent)
        except NotDeployedError as exc:
            if exc.function_path.startswith(f"{self.module}:"):
                self.mark_absent()
                raise ModuleUnavailable(path) from exc
            raise
        if not isinstance(reply, dict):
            raise StorageError(
                f"The dashboard module's {name} returned {type(reply).__name__}, not an object."
            )
        return reply

    # --- feeds -------------------------------------------------------------------------------

    def route_feed[T](
        self,
        name: str,
        filters: Mapping[str, Any],
        cursor: str | None,
        limit: int,
        *,
        decode: Callable[[Any], T],
        window: int | None = None,
        scan_budget: int | None = None,
        early_note: Callable[[int], str] | None = None,
    ) -> Feed[T] | HandlerStart:
        """One page of a dashboard feed when the module serves it, else where the standard
        handler's page starts. Decided once per call: a handler cursor stays on the handler (a list
        does not jump when the module appears mid-way); otherwise the module serves the page if it
        is deployed. Only a module removed during this very call sends the call to the handler."""
        check_limit(limit)
        kind = feed_kind(name, filters)
        position = parse_position(cursor, kind)
        if isinstance(position, HandlerStart):
            return position
        if self.available():
            try:
                scan = self.scan(name, filters, position, limit, window=window, scan_budget=scan_budget)
            except ModuleUnavailable:
                pass
            else:
                note = early_note(scan.scanned) if scan.stopped_early and early_note else None
                return Feed(items=[decode(d) for d in scan.docs], next_cursor=scan.next_cursor, note=note)
        return HandlerStart(note=RESTARTED_NOTE if position is not None else None)

    def scan(
        self,
        name: str,
        filters: Mapping[str, Any],
        start: ModuleCursor | None,
        limit: int,
        *,
        window: int | None = None,
        scan_budget: int | None = None,
    ) -> ScanResult:
        """Calls a paginated module function until ``limit`` items, the end, or ``scan_budget``
        documents read. Each call asks for the items still missing, so a page is never longer."""
        kind = feed_kind(name, filters)
        cursor, skip = (start.cursor, start.skip) if start else (None, 0)
        docs: list[Any] = []
        scanned = 0
        for _ in range(MAX_CALLS_PER_PAGE):
            args: dict[str, Any] = {**filters, "cursor": cursor, "skip": skip, "numItems": limit - len(docs)}
            if window is not None:
                args["window"] = window
            reply = self.query(name, args)
            docs.extend(reply.get("page") or [])
            scanned += int(reply.get("scanned") or 0)
            cursor, skip = reply.get("continueCursor"), int(reply.get("skip") or 0)
            if reply.get("isDone"):
                return ScanResult(docs, None, scanned=scanned)
            if len(docs) >= limit:
                return ScanResult(docs, module_cursor(kind, cursor, skip), scanned=scanned)
            if scan_budget is not None and scanned >= scan_budget:
                return ScanResult(
                    docs, module_cursor(kind, cursor, skip), stopped_early=True, scanned=scanned
                )
        return ScanResult(docs, module_cursor(kind, cursor, skip), stopped_early=True, scanned=scanned)

    def collect(
        self, name: str, filters: Mapping[str, Any], *, max_items: int, window: int | None = None
    ) -> tuple[list[Any], bool]:
        """Up to ``max_items`` items of a paginated module function from its start: ``(items, complete)``."""
        items: list[Any] = []
        cursor: str | None = None
        skip = 0
        while len(items) < max_items:
            args: dict[str, Any] = {
                **filters,
                "cursor": cursor,
                "skip": skip,
                "numItems": min(MAX_LIMIT, max_items - len(items)),
            }
            if window is not None:
                args["window"] = window
            reply = self.query(name, args)
            items.extend(reply.get("page") or [])
            cursor, skip = reply.get("continueCursor"), int(reply.get("skip") or 0)
            if reply.get("isDone"):
                return items, True
        return items, False

    def distinct(self, name: str, *, max_values: int = 10_000) -> list[str]:
        """All values of a distinct-skipping function, continuing with ``after``."""
        values: list[str] = []
        after: str | None = None
        while len(values) < max_values:
            reply = self.query(name, {"after": after})
            batch = [str(v) for v in reply.get("values") or []]
            values.extend(batch)
            if reply.get("isDone") or not batch:
                break
            after = batch[-1]
        return values

    def count(self, table: str, cap: int) -> tuple[int, bool]:
        """Documents in ``table`` up to ``cap``: ``(count, reached_cap)``; reads pages of up to
        4,096 documents (and 8 MiB), at most ``cap + 1`` documents in all."""
        total = 0
        cursor: str | None = None
        while True:
            reply = self.query(
                "count", {"table": table, "cursor": cursor, "numItems": min(4096, cap + 1 - total)}
            )
            counted = int(reply.get("counted") or 0)
            total += counted
            cursor = reply.get("continueCursor")
            if total > cap:
                return cap, True
            if reply.get("isDone"):
                return total, False
            if counted == 0:  # no progress (never seen): stop rather than loop
                return total, True
