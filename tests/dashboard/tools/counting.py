"""Tool-call counts computed straight from stored messages, independently of the dashboard's code
(no tool_view, no index): what /tools/ must agree with."""

from __future__ import annotations

from collections import Counter
from typing import Any

from storeclient.interface import Store


def invocations(store: Store) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for thread in store.memory.list_threads(per_page=False).threads:
        for message in store.memory.list_messages(thread.id, per_page=False).messages:
            content = message.content if isinstance(message.content, dict) else {}
            for part in content.get("parts") or []:
                if isinstance(part, dict) and part.get("type") == "tool-invocation":
                    found.append(part["toolInvocation"])
    return found


def failed(inv: dict[str, Any]) -> bool:
    result = inv.get("result")
    return (
        inv.get("state") == "output-error"
        or bool(inv.get("errorText"))
        or (isinstance(result, dict) and result.get("isError") is True)
    )


def expected_counts(store: Store) -> tuple[Counter[str], Counter[str]]:
    calls: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    for inv in invocations(store):
        calls[inv["toolName"]] += 1
        failures[inv["toolName"]] += failed(inv)
    return calls, failures
