"""Store calls of one page that do not depend on each other, run at once.

On Convex every store call is a round trip (or several) to the deployment; a page that needs four
independent answers should wait for the slowest, not for their sum. The store interface stays
synchronous: the calls run on a small pool of threads shared by the process, each in a copy of the
caller's context (so per-request context variables, such as the render budget, still apply).

A call's ``StoreError`` is handed back as its outcome rather than raised, so a page can show the
store error panel for the part that failed and the rest as usual. Any other exception is a bug and
is raised, as it would be without the pool.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from storeclient.errors import StoreError

#: Threads shared by every request of the process. gunicorn runs 8 request threads per worker and
#: the overview asks for four calls at once; beyond that, calls wait for a free thread (still never
#: longer than running them one after the other).
POOL_THREADS = 16

_pool = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="store-call")


@dataclass(frozen=True)
class Outcome:
    """What one call gave: ``value``, or the ``error`` the store raised."""

    value: Any = None
    error: StoreError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def run_concurrently(calls: Mapping[str, Callable[[], Any]]) -> dict[str, Outcome]:
    """Each of ``calls`` run at once; returns their outcomes by name once all have finished."""
    futures: dict[str, Future[Any]] = {
        name: _pool.submit(contextvars.copy_context().run, call) for name, call in calls.items()
    }
    wait(futures.values())  # even when one fails: no call outlives the request that made it
    outcomes: dict[str, Outcome] = {}
    for name, future in futures.items():
        error = future.exception()
        if error is None:
            outcomes[name] = Outcome(value=future.result())
        elif isinstance(error, StoreError):
            outcomes[name] = Outcome(error=error)
        else:
            raise error
    return outcomes
