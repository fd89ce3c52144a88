"""Normalise stored message content, in every format Mastra has written, to format-2 parts.

Mastra's Convex ``listMessages`` returns content exactly as stored (no ``MessageList`` pass), so a
dashboard meets every historical shape. The rules follow core's ``TypeDetector`` and ``AIV5Adapter``:

* ``{"format": 2, "parts": [...]}`` - current; parts are kept as they are.
* v1 (``MastraMessageV1``): a plain string, or an array of AI SDK v4 core parts
  (``text``, ``tool-call``, ``tool-result``, ``image``, ``file``, ``reasoning``, ``redacted-reasoning``).
* AI SDK v4 UIMessage: ``{content, parts?, toolInvocations?, reasoning?, experimental_attachments?}``.
* AI SDK v5/v6 UIMessage parts: ``tool-<name>``/``dynamic-tool`` with ``state``/``input``/``output``,
  ``reasoning`` with ``text``, ``file`` with ``url``/``mediaType``, ``source-url``.

Nothing is dropped: a part we do not understand is passed through unchanged, and a renderer shows
it as raw JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

Part = dict[str, Any]

# AI SDK v5 tool states -> Mastra's v4-style tool-invocation states.
_V5_TOOL_STATES = {
    "input-streaming": "partial-call",
    "input-available": "call",
    "output-available": "result",
    "output-error": "output-error",
    "output-denied": "output-denied",
    "approval-requested": "approval-requested",
    "approval-responded": "approval-responded",
}


def detect_format(content: Any) -> str:
    if isinstance(content, dict):
        if content.get("format") == 2:
            return "v2"
        parts = content.get("parts")
        if isinstance(parts, list) and any(_is_v5_part(p) for p in parts):
            return "ai-v5"
        if "content" in content or "parts" in content or "toolInvocations" in content:
            return "ai-v4"
        return "unknown"
    if isinstance(content, str):
        return "v1-text"
    if isinstance(content, list):
        return "v1-parts"
    return "unknown"


def normalize_parts(content: Any, role: str = "assistant") -> tuple[Part, ...]:
    fmt = detect_format(content)
    if fmt == "v2":
        parts = content.get("parts")
        if not isinstance(parts, list):
            # A format-2 object without parts: fall back to its text mirror.
            text = content.get("content")
            return ({"type": "text", "text": text},) if isinstance(text, str) and text else ()
        return tuple(_normalize_part(p) for p in parts)
    if fmt == "v1-text":
        return ({"type": "text", "text": content},) if content else ()
    if fmt == "v1-parts":
        return _merge_tool_results(tuple(_normalize_part(p) for p in content))
    if fmt in ("ai-v4", "ai-v5"):
        return _from_ui_message(content)
    # A bare number, null or an object we do not know: keep it visible.
    return ({"type": "unknown-content", "data": content},)


def _from_ui_message(content: dict[str, Any]) -> tuple[Part, ...]:
    parts = content.get("parts")
    out: list[Part] = []
    if isinstance(parts, list) and parts:
        out = [_normalize_part(p) for p in parts]
    else:
        # Pre-parts v4 messages: rebuild parts from the legacy mirrors.
        reasoning = content.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            out.append({"type": "reasoning", "reasoning": reasoning, "details": []})
        for inv in content.get("toolInvocations") or []:
            if isinstance(inv, dict):
                out.append({"type": "tool-invocation", "toolInvocation": dict(inv)})
        text = content.get("content")
        if isinstance(text, str) and text:
            out.append({"type": "text", "text": text})
    for att in content.get("experimental_attachments") or []:
        if isinstance(att, dict) and att.get("url"):
            out.append(
                {
                    "type": "file",
                    "data": att["url"],
                    "mimeType": att.get("contentType") or "application/octet-stream",
                    **({"filename": att["name"]} if att.get("name") else {}),
                }
            )
    return _merge_tool_results(tuple(out))


def _is_v5_part(part: Any) -> bool:
    if not isinstance(part, dict):
        return False
    t = part.get("type")
    if not isinstance(t, str):
        return False
    return (
        (t.startswith("tool-") and t != "tool-invocation" and "toolCallId" in part)
        or t == "dynamic-tool"
        or t == "source-url"
        or (t == "file" and "url" in part and "mediaType" in part)
        or (t == "reasoning" and "text" in part and "reasoning" not in part)
    )


def _normalize_part(part: Any) -> Part:
    """One stored part as a format-2 part: a string is text, a non-object is kept visible as
    ``unknown``, an object goes to the converter for its family (``_PART_FAMILIES``)."""
    if not isinstance(part, dict):
        if isinstance(part, str):
            return {"type": "text", "text": part}
        return {"type": "unknown", "data": part}
    t = part.get("type")
    convert = _PART_FAMILIES.get(t) if isinstance(t, str) else None
    if convert is not None:
        return convert(part)
    if _is_v5_tool_type(t) and "toolCallId" in part:
        return _v5_tool_part(part, str(t))
    # Already format 2 (text, tool-invocation, source, step-start, data-*) or a type we do not
    # know: kept as stored, so a renderer can show it.
    return part


# --- reasoning ---------------------------------------------------------------------------------


def _reasoning_part(part: Part) -> Part:
    """AI SDK v5 / v4-core ``{type: reasoning, text}`` -> format-2 ``{reasoning, details}``; a part
    that already has ``reasoning`` is format 2 and kept."""
    if "reasoning" in part:
        return part
    text = part.get("text")
    return {
        "type": "reasoning",
        "reasoning": text if isinstance(text, str) else "",
        "details": [{"type": "text", "text": text}] if isinstance(text, str) else [],
    }


def _redacted_reasoning_part(part: Part) -> Part:
    """v4 core ``redacted-reasoning``: reasoning with no text and one opaque ``redacted`` detail."""
    return {
        "type": "reasoning",
        "reasoning": "",
        "details": [{"type": "redacted", "data": part.get("data")}],
    }


# --- tools -------------------------------------------------------------------------------------


def _tool_call_part(part: Part) -> Part:
    """AI SDK v4 core ``tool-call`` (v1 arrays): an invocation in the ``call`` state."""
    return {
        "type": "tool-invocation",
        "toolInvocation": {
            "state": "call",
            "toolCallId": part.get("toolCallId"),
            "toolName": part.get("toolName"),
            "args": part.get("args", part.get("input")),
        },
    }


def _tool_result_part(part: Part) -> Part:
    """AI SDK v4 core ``tool-result``: an invocation in the ``result`` (or ``output-error``) state,
    later merged into its call by ``_merge_tool_results``."""
    result = part.get("result", part.get("output"))
    inv: Part = {
        "state": "output-error" if part.get("isError") else "result",
        "toolCallId": part.get("toolCallId"),
        "toolName": part.get("toolName"),
        "result": result,
    }
    if part.get("isError"):
        inv["errorText"] = result if isinstance(result, str) else None
    return {"type": "tool-invocation", "toolInvocation": inv}


def _is_v5_tool_type(t: Any) -> bool:
    """AI SDK v5 tool parts are typed ``tool-<name>`` or ``dynamic-tool`` (never v2's
    ``tool-invocation``)."""
    return isinstance(t, str) and (t == "dynamic-tool" or (t.startswith("tool-") and t != "tool-invocation"))


def _v5_tool_part(part: Part, t: str) -> Part:
    """AI SDK v5 ``tool-<name>``/``dynamic-tool`` with ``state``/``input``/``output`` -> a v4-style
    invocation, its state mapped by ``_V5_TOOL_STATES``."""
    state = _V5_TOOL_STATES.get(str(part.get("state")), str(part.get("state") or "call"))
    output = part.get("output")
    if isinstance(output, dict) and set(output) <= {"type", "value"} and "value" in output:
        output = output["value"]  # v5 wraps some outputs as {type, value}
    inv: Part = {
        "state": state,
        "toolCallId": part.get("toolCallId"),
        "toolName": part.get("toolName") if t == "dynamic-tool" else t[len("tool-") :],
        "args": part.get("input"),
    }
    if output is not None:
        inv["result"] = output
    if part.get("errorText"):
        inv["errorText"] = part["errorText"]
    return {"type": "tool-invocation", "toolInvocation": inv}


# --- files and sources -------------------------------------------------------------------------


def _image_part(part: Part) -> Part:
    """v4 core ``image`` -> a format-2 ``file`` (``image/*`` when the type is not stored)."""
    return {"type": "file", "mimeType": part.get("mimeType") or "image/*", "data": part.get("image")}


def _file_part(part: Part) -> Part:
    """AI SDK v5 ``file`` with ``url``/``mediaType`` -> format-2 ``data``/``mimeType``; a file that
    has ``data`` is format 2 (or v4 core) and kept."""
    if "url" not in part or "data" in part:
        return part
    out = {
        "type": "file",
        "mimeType": part.get("mediaType") or "application/octet-stream",
        "data": part["url"],
    }
    if part.get("filename"):
        out["filename"] = part["filename"]
    return out


def _source_url_part(part: Part) -> Part:
    """AI SDK v5 ``source-url`` -> a format-2 ``source`` of ``sourceType: url``."""
    return {
        "type": "source",
        "source": {
            "sourceType": "url",
            "id": part.get("sourceId"),
            "url": part.get("url"),
            **({"title": part["title"]} if part.get("title") else {}),
        },
    }


#: The part families stored in another shape than format 2, by ``type``, with their converter.
_PART_FAMILIES: dict[str, Callable[[Part], Part]] = {
    "reasoning": _reasoning_part,
    "redacted-reasoning": _redacted_reasoning_part,
    "tool-call": _tool_call_part,
    "tool-result": _tool_result_part,
    "image": _image_part,
    "file": _file_part,
    "source-url": _source_url_part,
}


def _merge_tool_results(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """Pair a v1 ``tool-result`` with its earlier ``tool-call`` (same ``toolCallId``) into one
    invocation, as Mastra's MessageList does; an unpaired result stays on its own."""
    out: list[Part] = []
    by_call: dict[Any, int] = {}
    for part in parts:
        inv = part.get("toolInvocation") if part.get("type") == "tool-invocation" else None
        if isinstance(inv, dict):
            call_id = inv.get("toolCallId")
            if not isinstance(call_id, Hashable):
                call_id = None  # an object or array id cannot be looked up: the part stays on its own
            if inv.get("state") in ("result", "output-error") and call_id in by_call:
                earlier = out[by_call[call_id]]["toolInvocation"]
                merged = {**earlier, **{k: v for k, v in inv.items() if v is not None}}
                out[by_call[call_id]] = {**out[by_call[call_id]], "toolInvocation": merged}
                continue
            if call_id is not None:
                by_call[call_id] = len(out)
        out.append(part)
    return tuple(out)


def message_text(content: Any) -> str:
    """The plain text of a message (for search and previews)."""
    texts = [p.get("text", "") for p in normalize_parts(content) if p.get("type") == "text"]
    return "\n".join(t for t in texts if isinstance(t, str))
