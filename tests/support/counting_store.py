"""A store proxy that records every call views make, for "how many store calls per page" checks.

``calls`` counts by name (``"memory.get_resource_by_id"``, top-level ones like ``"health"`` bare);
``log`` keeps each call in order with its arguments. Attributes that are not methods (``atomic_saves``)
pass through uncounted: they cost no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

LoggedCall = tuple[str, tuple[Any, ...], dict[str, Any]]


class _CountingProxy:
    def __init__(self, target: Any, prefix: str, calls: Counter[str], log: list[LoggedCall]) -> None:
        self._target, self._prefix, self._calls, self._log = target, prefix, calls, log

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr
        return self._counted(attr, f"{self._prefix}{name}")

    def _counted(self, fn: Callable[..., Any], name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls[name] += 1
            self._log.append((name, args, kwargs))
            return fn(*args, **kwargs)

        return call


class CountingStore(_CountingProxy):
    """The store as views see it, counting every call."""

    def __init__(self, store: Any) -> None:
        self.calls: Counter[str] = Counter()
        self.log: list[LoggedCall] = []
        super().__init__(store, "", self.calls, self.log)
        self.memory = _CountingProxy(store.memory, "memory.", self.calls, self.log)
        self.workflows = _CountingProxy(store.workflows, "workflows.", self.calls, self.log)
        self.scores = _CountingProxy(store.scores, "scores.", self.calls, self.log)

    @property
    def total(self) -> int:
        return sum(self.calls.values())
