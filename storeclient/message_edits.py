"""Mastra's ``updateMessages`` semantics, shared by both stores: which fields an update may set,
and how it merges into the stored message (``content`` shallow-merged, its ``metadata`` merged one
level deeper when both have one), exactly as ``@mastra/libsql`` and ``@mastra/convex`` merge."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from .codec import parse_datetime
from .errors import InvalidRequest
from .models import Message

#: The fields of an update (Mastra's camelCase ``MastraDBMessage`` keys) besides ``id``.
UPDATABLE = frozenset({"content", "role", "type", "threadId", "resourceId", "createdAt"})


def check_updates(updates: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Every update names a message and only fields Mastra lets it change; refused before any I/O."""
    out = []
    for update in updates:
        if not isinstance(update, Mapping) or not isinstance(update.get("id"), str) or not update["id"]:
            raise InvalidRequest("Each message update needs the message's id; nothing was updated.")
        unknown = set(update) - UPDATABLE - {"id"}
        if unknown:
            raise InvalidRequest(
                f"A message update cannot set {', '.join(sorted(unknown))} (message {update['id']}); "
                f"it may set {', '.join(sorted(UPDATABLE))}. Nothing was updated."
            )
        if "content" in update and not isinstance(update["content"], Mapping):
            raise InvalidRequest(f"The content of an update must be an object (message {update['id']}).")
        out.append(update)
    return out


def merged_content(current: Any, patch: Mapping[str, Any]) -> dict[str, Any]:
    base = dict(current) if isinstance(current, dict) else {}
    merged = {**base, **patch}
    if isinstance(base.get("metadata"), dict) and isinstance(patch.get("metadata"), Mapping):
        merged["metadata"] = {**base["metadata"], **patch["metadata"]}
    return merged


def apply_update(current: Message, update: Mapping[str, Any]) -> Message:
    """The message after ``update``; fields the update leaves out keep their stored value."""
    changes: dict[str, Any] = {}
    if update.get("threadId"):
        changes["thread_id"] = str(update["threadId"])
    if "resourceId" in update:
        changes["resource_id"] = update["resourceId"]
    if update.get("role"):
        changes["role"] = str(update["role"])
    if update.get("type"):
        changes["type"] = str(update["type"])
    if update.get("createdAt"):
        changes["created_at"] = parse_datetime(update["createdAt"])
    if update.get("content"):
        changes["content"] = merged_content(current.content, update["content"])
    return dataclasses.replace(current, **changes) if changes else current
