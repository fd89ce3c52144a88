"""``ConvexStore``: the Python port of ``@mastra/convex``'s client."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from ..errors import AuthError, LimitError, NotDeployedError, StoreError
from ..models import Count, StoreHealth
from .handler import MESSAGES, RESOURCES, SCORES, SNAPSHOTS, THREADS, StorageHandler
from .memory import ConvexMemory
from .scores import ConvexScores
from .transport import ConvexTransport
from .workflows import ConvexWorkflows

DEFAULT_STORAGE_FUNCTION = "mastra/storage:handle"

# Overview counts read rows through the handler; messages, snapshots and scores can be large, so
# they are counted with a smaller window to stay far from Convex's 16 MiB read limit.
_COUNT_WINDOWS = {THREADS: 10_000, RESOURCES: 10_000, MESSAGES: 2_000, SNAPSHOTS: 500, SCORES: 2_000}


class ConvexStore:
    """Mastra data in a Convex deployment, through the deployed ``mastra/storage:handle`` function.

    The constructor mirrors the TypeScript one (``deploymentUrl``, ``adminAuthToken``,
    ``storageFunction``). ``http_client`` lets callers inject a configured ``httpx.Client``.
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
    ) -> None:
        self.id = id
        self.deployment_url = deployment_url.rstrip("/")
        self.transport = ConvexTransport(
            deployment_url,
            admin_auth_token,
            timeout=timeout,
            http_client=http_client,
            read_attempts=read_attempts,
        )
        self.handler = StorageHandler(self.transport, storage_function)
        self.memory = ConvexMemory(self.handler)
        self.workflows = ConvexWorkflows(self.handler)
        self.scores = ConvexScores(self.handler)

    def __repr__(self) -> str:  # never show the key
        return f"ConvexStore({self.deployment_url!r}, storage_function={self.handler.function_path!r})"

    def describe(self) -> str:
        host = urlsplit(self.deployment_url).netloc or self.deployment_url
        return f"Convex deployment {host} via {self.handler.function_path} (standard handler)"

    @property
    def atomic_saves(self) -> bool:
        return False

    def health(self) -> StoreHealth:
        try:
            self.handler.load(THREADS, {"id": "__dashboard_health__"})
        except AuthError as exc:
            return self._health(False, f"{exc.message}")
        except NotDeployedError as exc:
            return self._health(False, exc.message)
        except StoreError as exc:
            return self._health(False, exc.message)
        return self._health(True, "")

    def _health(self, ok: bool, detail: str) -> StoreHealth:
        return StoreHealth(
            ok=ok,
            backend=self.describe(),
            mode="standard handler",
            detail=detail,
            atomic_saves=self.atomic_saves,
        )

    def counts(self, *, cap: int = 10_000) -> dict[str, Count]:
        names = {
            "threads": THREADS,
            "messages": MESSAGES,
            "resources": RESOURCES,
            "runs": SNAPSHOTS,
            "scores": SCORES,
        }
        out: dict[str, Count] = {}
        for name, table in names.items():
            window = min(cap, _COUNT_WINDOWS[table])
            try:
                rows, capped = self.handler.query(table, limit=window)
            except LimitError:
                rows, capped = self.handler.query(table, limit=50)
            out[name] = Count(len(rows), at_least=capped)
        return out

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> ConvexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
