"""A worker process for the cross-process working-memory race (started from multiprocessing's fork server)."""

from __future__ import annotations

from typing import Any

from storeclient.errors import ConflictError
from storeclient.models import MemoryVersion
from storeclient.sqlite import SQLiteStore


def save_from_base(
    path: str, kind: str, target: str, token: str, value: str, barrier: Any, results: Any
) -> None:
    store = SQLiteStore(path, create=False)
    expected = MemoryVersion.from_token(token)
    barrier.wait()
    try:
        if kind == "resource":
            store.memory.save_resource_working_memory(target, value, expected=expected)
        else:
            store.memory.save_thread_working_memory(target, value, expected=expected)
        results.put(("ok", value))
    except ConflictError:
        results.put(("conflict", value))
    except Exception as exc:  # pragma: no cover - reported to the test
        results.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        store.close()
