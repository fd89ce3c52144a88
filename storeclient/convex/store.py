"""``ConvexStore``: the Python port of ``@mastra/convex``'s client, plus the dashboard's own Convex
module (``convex/mastra/dashboard.ts``) for the dashboard additions when it is deployed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx

from ..changes import DEFAULT_SETTLE_SECONDS
from ..errors import AuthError, LimitError, NotDeployedError, StoreError
from ..models import Count, StoreHealth, counted_kinds
from .handler import MESSAGES, RESOURCES, SCORES, SNAPSHOTS, THREADS, StorageHandler
from .memory import ConvexMemory
from .module import (
    DEFAULT_MODULE,
    DEFAULT_REPROBE_SECONDS,
    MODE_HANDLER,
    MODE_MODULE,
    DashboardModule,
    ModuleUnavailable,
)
from .runtime import ConvexBackgroundTasks, ConvexObservations, ConvexSchedules, ConvexVectors
from .scores import ConvexScores
from .transport import ConvexTransport
from .workflows import ConvexWorkflows

DEFAULT_STORAGE_FUNCTION = "mastra/storage:handle"
#: A deployment's handler changes visibility only with a deploy: asking every ten minutes suffices.
DEFAULT_VISIBILITY_REPROBE_SECONDS = 600.0
#: Convex's limit on one document (a thread or resource row carries its working memory).
CONVEX_DOCUMENT_BYTES = 1024 * 1024

# Overview counts read rows through the handler; messages, snapshots and scores can be large, so
# they are counted with a smaller window to stay far from Convex's 16 MiB read limit.
_COUNT_WINDOWS = {THREADS: 10_000, RESOURCES: 10_000, MESSAGES: 2_000, SNAPSHOTS: 500, SCORES: 2_000}
_COUNTED_TABLES = {
    "threads": THREADS,
    "messages": MESSAGES,
    "resources": RESOURCES,
    "runs": SNAPSHOTS,
    "scores": SCORES,
}


class ConvexStore:
    """Mastra data in a Convex deployment, through the deployed ``mastra/storage:handle`` function.

    The constructor mirrors the TypeScript one (``deploymentUrl``, ``adminAuthToken``,
    ``storageFunction``). ``http_client`` lets callers inject a configured ``httpx.Client``.
    ``dashboard_module`` is where the dashboard's own module is looked for (``None``: never use
    it); an absent module is looked for again every ``module_reprobe_seconds``. Whether Mastra's
    handler is public (:meth:`handler_is_public`) is asked again every ``visibility_reprobe_seconds``.
    ``change_settle_seconds`` is how old a change must be before the change feeds hand it out
    (``storeclient.changes``; messages through the module wait at most 2 s).
    """

    def __init__(
        self,
        deployment_url: str,
        admin_auth_token: str,
        storage_function: str = DEFAULT_STORAGE_FUNCTION,
        *,
        id: str = "convex-store",
        timeout: float | httpx.Timeout = 30.0,
        http_client: httpx.Client | None = None,
        read_attempts: int = 3,
        dashboard_module: str | None = DEFAULT_MODULE,
        module_reprobe_seconds: float = DEFAULT_REPROBE_SECONDS,
        visibility_reprobe_seconds: float = DEFAULT_VISIBILITY_REPROBE_SECONDS,
        change_settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    ) -> None:
        self.id = id
        self.visibility_reprobe_seconds = visibility_reprobe_seconds
        self._visibility: tuple[float, bool | None] | None = None
        self._visibility_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self.deployment_url = deployment_url.rstrip("/")
        self.transport = ConvexTransport(
            deployment_url,
            admin_auth_token,
            timeout=timeout,
            http_client=http_client,
            read_attempts=read_attempts,
        )
        self.handler = StorageHandler(self.transport, storage_function)
        self.module = DashboardModule(
            self.transport,
            dashboard_module or DEFAULT_MODULE,
            # Never probed when disabled: an infinite re-probe interval after one "absent".
            reprobe_after=module_reprobe_seconds if dashboard_module else float("inf"),
        )
        if not dashboard_module:
            self.module.mark_absent()
        self.memory = ConvexMemory(self.handler, self.module, settle_seconds=change_settle_seconds)
        self.workflows = ConvexWorkflows(self.handler, self.module)
        self.scores = ConvexScores(self.handler, self.module, settle_seconds=change_settle_seconds)
        self.observations = ConvexObservations(self.handler)
        self.schedules = ConvexSchedules(self.handler)
        self.background_tasks = ConvexBackgroundTasks(self.handler)
        self.vectors = ConvexVectors(self.handler)

    def __repr__(self) -> str:  # never show the key
        return f"ConvexStore({self.deployment_url!r}, storage_function={self.handler.function_path!r})"

    def handler_is_public(self) -> bool | None:
        """Whether Mastra's storage handler answers callers without the admin key (``None``: the
        probe got no answer). Probed with one keyless, harmless call, at most once per
        ``visibility_reprobe_seconds``; never raises."""
        with self._visibility_lock:
            cached = self._visibility
            if cached is not None and time.monotonic() - cached[0] < self.visibility_reprobe_seconds:
                return cached[1]
        try:
            public = self.handler.is_public()
        except StoreError:  # e.g. a value the transport refused: treat as no answer
            public = None
        with self._visibility_lock:
            self._visibility = (time.monotonic(), public)
        return public

    def mode(self) -> str:
        """``dashboard module`` when the module is deployed, else ``standard handler``. Probes at
        most once (per re-probe interval); never raises."""
        try:
            return MODE_MODULE if self.module.available() else MODE_HANDLER
        except StoreError:
            return self.module.mode

    def describe(self) -> str:
        host = urlsplit(self.deployment_url).netloc or self.deployment_url
        mode = self.mode()
        via = self.handler.function_path
        if mode == MODE_MODULE:
            via += f" and {self.module.module}:*"
        return f"Convex deployment {host} via {via} ({mode})"

    @property
    def atomic_saves(self) -> bool:
        """Working-memory saves are compare-and-set only through the module's mutations."""
        return self.mode() == MODE_MODULE

    @property
    def max_document_bytes(self) -> int | None:
        """Convex stores documents of at most 1 MiB."""
        return CONVEX_DOCUMENT_BYTES

    def health(self) -> StoreHealth:
        try:
            self.handler.load(THREADS, {"id": "__dashboard_health__"})
            # The probe decides which path every list takes: if it cannot be answered, pages fail
            # while the handler itself works, so health must not say ok.
            self.module.available()
        except AuthError as exc:
            return self._health(False, f"{exc.message}")
        except NotDeployedError as exc:
            return self._health(False, exc.message)
        except StoreError as exc:
            return self._health(False, exc.message)
        return self._health(True, "")

    def _health(self, ok: bool, detail: str) -> StoreHealth:
        mode = self.mode()
        if ok and mode == MODE_HANDLER:
            detail = (
                f"The dashboard's Convex module ({self.module.module}) is not deployed: long lists are cut "
                "at 10,000 rows and working-memory saves are not atomic. Deploy it next to Mastra's "
                "storage handler (`npx convex deploy`) to lift both."
            )
        return StoreHealth(
            ok=ok,
            backend=self.describe(),
            mode=mode,
            detail=detail,
            atomic_saves=mode == MODE_MODULE,
        )

    def counts(self, *, cap: int = 10_000, kinds: Collection[str] | None = None) -> dict[str, Count]:
        """Bounded counts of the five tables. Each one is its own chain of Convex calls (a count
        pages through its table), so the five run at once: the overview waits for the longest
        chain instead of their sum."""
        names = counted_kinds(kinds)
        if self.module.available():
            try:
                return self._each_table(names, lambda table: Count(*self.module.count(table, cap)))
            except ModuleUnavailable:
                pass  # removed mid-way: every table is counted through the handler instead
        return self._each_table(names, lambda table: self._handler_count(_COUNTED_TABLES[table], cap))

    def _handler_count(self, table: str, cap: int) -> Count:
        window = min(cap, _COUNT_WINDOWS[table])
        try:
            rows, capped = self.handler.query(table, limit=window)
        except LimitError:
            rows, capped = self.handler.query(table, limit=50)
        return Count(len(rows), at_least=capped)

    def _each_table(self, names: Sequence[str], count: Callable[[str], Count]) -> dict[str, Count]:
        """``count`` of each of these tables, run concurrently; the first failure (in table order)
        is raised once all have finished, so no call outlives the one that asked for it."""
        futures = {name: self._executor().submit(count, name) for name in names}
        errors = [f.exception() for f in futures.values()]
        for error in errors:
            if error is not None:
                raise error
        return {name: future.result() for name, future in futures.items()}

    def _executor(self) -> ThreadPoolExecutor:
        # One small pool per store (not per call): its threads reuse the store's HTTP connections.
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=len(_COUNTED_TABLES), thread_name_prefix="convex-count"
                )
            return self._pool

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self.transport.close()

    def __enter__(self) -> ConvexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
