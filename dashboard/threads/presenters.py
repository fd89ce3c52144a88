"""What a message looks like on the page: ``Message.parts`` (already format-2, whatever the stored
format) turned into small view objects the templates render, one ``kind`` per part type.

Nothing here produces HTML except through ``render_untrusted_markdown``; every other string is
escaped by the template. URLs from the data become ``href``/``src`` only through the checks in
``dashboard.core.rendering``. Parts we do not know are kept and shown as raw JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.utils.safestring import SafeString

from dashboard.core.rendering import (
    SAFE_IMAGE_TYPES,
    base64_size,
    human_size,
    looks_like_base64,
    parse_data_uri,
    render_untrusted_markdown,
    safe_image_src,
    safe_link_url,
    url_scheme,
)
from dashboard.core.template_lookup import ReadByTemplates
from dashboard.core.templatetags.ui import bounded_json
from storeclient.models import Message

#: Text parts longer than this start collapsed, with a "show all" button.
COLLAPSE_CHARS = 12_000
#: A message's stored content up to this size is embedded as the raw JSON toggle; beyond it the
#: toggle links to the raw JSON instead (a 1 MB message should not weigh 2 MB on the page).
RAW_INLINE_MAX = 64_000
#: Inline file data beyond this is not embedded in the page (neither as an image nor as a download).
EMBED_MAX_BYTES = 2 * 1024 * 1024

#: Tool states (Mastra's, which follow the AI SDK's) -> badge colour class.
TOOL_STATE_BADGES = {
    "result": "success",
    "output-available": "success",
    "output-error": "failed",
    "output-denied": "canceled",
    "call": "running",
    "partial-call": "running",
    "input-available": "running",
    "input-streaming": "running",
    "approval-requested": "suspended",
    "approval-responded": "waiting",
}
TOOL_STATE_LABELS = {
    "result": "result",
    "call": "awaiting result",
    "partial-call": "streaming arguments",
    "output-error": "error",
    "output-denied": "denied",
    "approval-requested": "awaiting approval",
    "approval-responded": "approval answered",
}


@dataclass
class TextView(ReadByTemplates):
    html: SafeString
    chars: int
    collapsed: bool
    kind: str = "text"

    @property
    def size_text(self) -> str:
        return f"{self.chars:,} characters"


@dataclass
class ReasoningView(ReadByTemplates):
    html: SafeString
    chars: int
    redacted: int = 0
    kind: str = "reasoning"


@dataclass
class ToolView(ReadByTemplates):
    name: str
    call_id: str | None
    state: str
    args: Any = None
    has_args: bool = False
    result: Any = None
    has_result: bool = False
    error_text: str | None = None
    #: ``isError: true`` on the invocation: the executor reported a failure although the state is
    #: ``result`` (what Mastra's AI SDK v4 adapter writes for a failed call).
    flagged_error: bool = False
    #: Other fields of the stored invocation(s) we do not show as such (providerExecuted, ...).
    extra: dict[str, Any] = field(default_factory=dict)
    #: Messages whose parts were merged into this card (legacy "tool" rows with the result).
    merged_from: list[str] = field(default_factory=list)
    kind: str = "tool"

    @property
    def is_error(self) -> bool:
        return (
            self.state == "output-error"
            or self.flagged_error
            or bool(self.error_text)
            or _flags_error(self.result)
        )

    @property
    def badge(self) -> str:
        return "failed" if self.is_error else TOOL_STATE_BADGES.get(self.state, "unknown")

    @property
    def state_label(self) -> str:
        if self.flagged_error and self.state == "result":
            return "failed"
        return TOOL_STATE_LABELS.get(self.state, self.state or "unknown")

    @property
    def waiting(self) -> bool:
        return not self.has_result and not self.is_error and self.state in ("call", "partial-call")


@dataclass
class ToolRefView(ReadByTemplates):
    """A later part (another message) whose tool result was shown on the earlier call's card."""

    name: str
    call_id: str | None
    message_id: str
    kind: str = "tool-ref"


@dataclass
class FileView(ReadByTemplates):
    name: str
    media_type: str
    size: int | None
    #: "image" (``src``), "link" (``href`` to an http(s) URL), "download" (``href`` to inert
    #: inline data) or "unlinked" (``note`` says why).
    mode: str
    src: str | None = None
    href: str | None = None
    note: str = ""
    kind: str = "file"

    @property
    def size_text(self) -> str:
        return human_size(self.size) if self.size is not None else ""


@dataclass
class SourceView(ReadByTemplates):
    title: str
    url: str
    href: str | None
    source_type: str
    kind: str = "source"


@dataclass
class SourceDocumentView(ReadByTemplates):
    """An AI SDK v6 ``source-document`` part: a document the answer cites (no URL to open)."""

    title: str
    filename: str
    media_type: str
    source_id: str
    kind: str = "source-document"


@dataclass
class ErrorView(ReadByTemplates):
    """An ``error`` part: the turn failed for good (Mastra keeps only the error's name and message)."""

    name: str
    message: str
    #: The stored ``error`` when it is not the ``{name, message}`` object Mastra writes.
    raw: Any = None
    kind: str = "error"


@dataclass
class DataView(ReadByTemplates):
    """A ``data-<name>`` part (AI SDK custom data a tool or processor streamed into the message)."""

    type_name: str
    part_id: str | None
    value: Any
    kind: str = "data"


@dataclass
class StepView(ReadByTemplates):
    kind: str = "step"


@dataclass
class RawView(ReadByTemplates):
    label: str
    value: Any
    kind: str = "raw"


PartView = (
    TextView
    | ReasoningView
    | ToolView
    | ToolRefView
    | FileView
    | SourceView
    | SourceDocumentView
    | ErrorView
    | DataView
    | StepView
    | RawView
)


@dataclass(frozen=True)
class SignalView(ReadByTemplates):
    """What ``content.metadata.signal`` says about a ``signal`` row (Mastra's ``createSignal``)."""

    signal_type: str
    tag_name: str
    attributes: Any = None


@dataclass
class MessageView(ReadByTemplates):
    message: Message
    parts: list[PartView]
    permalink: str
    raw_json: str | None
    raw_chars: int

    @property
    def id(self) -> str:
        return self.message.id

    @property
    def role(self) -> str:
        return self.message.role

    @property
    def display_role(self) -> str:
        return self.message.display_role

    @property
    def role_class(self) -> str:
        role = self.message.display_role
        return role if role in ("user", "assistant", "system", "signal") else "other"

    @property
    def signal(self) -> SignalView | None:
        """The signal's type, tag and attributes, for a ``signal`` row (``None`` otherwise). The
        row's ``type`` column holds the tag; the metadata may be missing or hostile."""
        if self.message.role != "signal":
            return None
        content = self.message.content
        meta = content.get("metadata") if isinstance(content, dict) else None
        signal = meta.get("signal") if isinstance(meta, dict) else None
        signal = signal if isinstance(signal, dict) else {}
        tag = signal.get("tagName") if isinstance(signal.get("tagName"), str) else self.message.type
        attributes = signal.get("attributes")
        return SignalView(
            signal_type=str(signal["type"]) if isinstance(signal.get("type"), str) else "",
            tag_name=str(tag or ""),
            attributes=attributes if attributes not in (None, {}, []) else None,
        )

    @property
    def content_format(self) -> str:
        return self.message.content_format

    @property
    def created_at(self) -> Any:
        return self.message.created_at


def present_messages(messages: Iterable[Message], *, page_url: str) -> list[MessageView]:
    """Views for one page of messages, oldest first. A tool result stored apart from its call (in a
    later part or a later message on the same page) joins the call's card: one card per call."""
    cards: dict[str, tuple[ToolView, str]] = {}
    views = []
    for message in messages:
        parts: list[PartView] = []
        for part in message.parts:
            if part.get("type") == "tool-invocation" and isinstance(part.get("toolInvocation"), dict):
                card = tool_view(part["toolInvocation"])
                key = card.call_id
                earlier = cards.get(key) if key else None
                if earlier is not None:
                    _merge(earlier[0], card)
                    if earlier[1] != message.id:
                        earlier[0].merged_from.append(message.id)
                        parts.append(ToolRefView(card.name, card.call_id, earlier[1]))
                    continue
                if key:
                    cards[key] = (card, message.id)
                parts.append(card)
            else:
                parts.append(present_part(part))
        raw = bounded_json(message.content)
        views.append(
            MessageView(
                message=message,
                parts=parts,
                permalink=f"{page_url}#msg-{quote(message.id, safe='')}",
                raw_json=raw if len(raw) <= RAW_INLINE_MAX else None,
                raw_chars=len(raw),
            )
        )
    return views


def present_part(part: dict[str, Any]) -> PartView:
    kind = part.get("type")
    if kind == "text" and isinstance(part.get("text"), str):
        text = part["text"]
        return TextView(render_untrusted_markdown(text), len(text), len(text) > COLLAPSE_CHARS)
    if kind == "reasoning":
        return _reasoning_view(part)
    if kind == "file":
        return file_view(part)
    if kind == "source" and isinstance(part.get("source"), dict):
        return _source_view(part["source"])
    if kind == "source-document":
        return _source_document_view(part)
    if kind == "error":
        return _error_view(part.get("error"))
    if isinstance(kind, str) and kind.startswith("data-") and len(kind) > len("data-"):
        part_id = part.get("id")
        return DataView(
            kind.removeprefix("data-"), str(part_id) if part_id is not None else None, part.get("data")
        )
    if kind == "step-start":
        return StepView()
    label = kind if isinstance(kind, str) and kind else "unknown part"
    return RawView(label, part)


def _reasoning_view(part: dict[str, Any]) -> ReasoningView:
    texts: list[str] = []
    if isinstance(part.get("reasoning"), str) and part["reasoning"]:
        texts.append(part["reasoning"])
    redacted = 0
    for detail in part.get("details") or []:
        if not isinstance(detail, dict):
            continue
        if detail.get("type") == "redacted":
            redacted += 1
        elif isinstance(detail.get("text"), str) and detail["text"] not in texts:
            texts.append(detail["text"])
    text = "\n\n".join(texts)
    return ReasoningView(render_untrusted_markdown(text), len(text), redacted)


def _text_or_empty(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _source_document_view(part: dict[str, Any]) -> SourceDocumentView:
    filename = _text_or_empty(part.get("filename"))
    source_id = _text_or_empty(part.get("sourceId"))
    return SourceDocumentView(
        title=_text_or_empty(part.get("title")) or filename or source_id or "(untitled document)",
        filename=filename,
        media_type=_text_or_empty(part.get("mediaType")) or "unknown type",
        source_id=source_id,
    )


def _error_view(error: Any) -> ErrorView:
    # Mastra writes {name, message} (fallbacks "Error" / "Unknown error"); anything else is kept raw.
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return ErrorView(_text_or_empty(error.get("name")) or "Error", error["message"])
    if isinstance(error, str) and error:
        return ErrorView("Error", error)
    return ErrorView("Error", "The stored error has no message.", raw=error)


def tool_view(inv: dict[str, Any]) -> ToolView:
    """A tool invocation part's card (also what the search index reads a call's name, state and error from)."""
    shown = {"toolName", "toolCallId", "state", "args", "result", "errorText", "step", "isError"}
    return ToolView(
        name=str(inv.get("toolName") or "unknown tool"),
        call_id=str(inv["toolCallId"]) if inv.get("toolCallId") not in (None, "") else None,
        state=str(inv.get("state") or ""),
        args=inv.get("args"),
        has_args="args" in inv and inv.get("args") is not None,
        result=inv.get("result"),
        has_result="result" in inv,
        error_text=inv["errorText"] if isinstance(inv.get("errorText"), str) and inv["errorText"] else None,
        flagged_error=inv.get("isError") is True,
        extra={k: v for k, v in inv.items() if k not in shown},
    )


def _merge(card: ToolView, later: ToolView) -> None:
    """Fold a later part of the same call into its card: the later state wins, nothing is lost."""
    if later.state:
        card.state = later.state
    if later.has_args and not card.has_args:
        card.args, card.has_args = later.args, True
    if later.has_result:
        card.result, card.has_result = later.result, True
        card.flagged_error = later.flagged_error
    if later.error_text:
        card.error_text = later.error_text
    card.extra.update(later.extra)


def _flags_error(result: Any) -> bool:
    return isinstance(result, dict) and result.get("isError") is True


def _source_view(source: dict[str, Any]) -> SourceView:
    url = source.get("url")
    url_text = url if isinstance(url, str) else ""
    title = source.get("title")
    return SourceView(
        title=title if isinstance(title, str) and title else url_text or "(source without a URL)",
        url=url_text,
        href=safe_link_url(url),
        source_type=str(source.get("sourceType") or "url"),
    )


def file_view(part: dict[str, Any]) -> FileView:
    """A file part as an inline image, a link or an inert download, never a link that runs script."""
    data = part.get("data", part.get("url"))
    declared = str(part.get("mimeType") or part.get("mediaType") or "").lower()
    filename = part.get("filename") or part.get("name")
    name = str(filename) if filename else ""

    if not isinstance(data, str) or not data:
        return FileView(
            name or "file", declared or "unknown type", None, "unlinked", note="No file data stored."
        )

    inline = parse_data_uri(data)
    if inline is not None:
        media_type = declared or inline.media_type
        return _inline_file(name, media_type, inline.size, inline.payload, inline.base64, data)

    scheme = url_scheme(data)
    if scheme in ("http", "https"):
        link = safe_link_url(data)
        media_type = declared or "unknown type"
        if link is None:
            return FileView(name or data[:80], media_type, None, "unlinked", note="The URL is not valid.")
        src = safe_image_src(link, declared)
        label = name or _last_path_segment(link)
        if src is not None:
            return FileView(label, media_type, None, "image", src=src, href=link)
        return FileView(label, media_type, None, "link", href=link)

    if scheme is None and looks_like_base64(data):
        media_type = declared or "application/octet-stream"
        return _inline_file(name, media_type, base64_size(data), data, True, None)

    return FileView(
        name or data[:80],
        declared or "unknown type",
        None,
        "unlinked",
        note=f"Not linked: {scheme}: URLs are not opened from the dashboard."
        if scheme
        else "Not linked: the stored value is neither a URL nor inline data.",
    )


def _inline_file(
    name: str, media_type: str, size: int, payload: str, is_base64: bool, data_uri: str | None
) -> FileView:
    label = name or ("inline image" if media_type.startswith("image/") else "inline file")
    if size > EMBED_MAX_BYTES:
        return FileView(
            label, media_type, size, "unlinked", note="Too large to embed in the page; see the raw JSON."
        )
    if is_base64 and media_type in SAFE_IMAGE_TYPES:
        src = data_uri if data_uri is not None else f"data:{media_type};base64,{payload}"
        if safe_image_src(src, media_type) is not None:
            return FileView(label, media_type, size, "image", src=src)
    # Anything else is offered as an inert download: served as application/octet-stream, so the
    # browser saves it and never renders it (data:text/html or SVG would run in our origin's tab).
    href = f"data:application/octet-stream{';base64' if is_base64 else ''},{payload}"
    return FileView(label, media_type, size, "download", href=href)


def _last_path_segment(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or url


def thread_title(title: str | None) -> str:
    return title if title and title.strip() else "(untitled)"


def split_metadata(metadata: Any) -> Any:
    """Thread metadata without ``workingMemory`` (shown on its own)."""
    if isinstance(metadata, dict):
        return {k: v for k, v in metadata.items() if k != "workingMemory"}
    return metadata


def chronological(items: Sequence[Message]) -> list[Message]:
    """A newest-first feed page, oldest first for reading."""
    return list(reversed(items))
