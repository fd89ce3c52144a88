"""Turning untrusted text (LLM output, user input, working memory, score reasons) into HTML.

``render_untrusted_markdown`` is the one way to show such text as rich content: every page that
renders Markdown goes through it, so the sanitiser has one configuration to get right. Everything
else untrusted goes through template auto-escaping (or ``{% json_tree %}``), never ``|safe``.

``safe_link_url`` / ``safe_image_src`` decide whether a URL from stored data may become an ``href``
or ``src`` (message files, sources).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import nh3
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

#: Texts longer than this (in characters) are not parsed as Markdown: they are shown escaped, as
#: plain text. markdown-it-py needs up to ~1 s for 100,000 characters of hostile input (many short
#: lines or emphasis markers) on a busy machine; a message this long is a log dump or a file, not
#: prose.
MARKDOWN_MAX_CHARS = 100_000
#: More "[" than this and the text is shown as plain text too: unmatched brackets make
#: markdown-it-py's link-label scan quadratic (5,000 of them take ~0.4 s, 50,000 several seconds).
MARKDOWN_MAX_BRACKETS = 1_000

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip

# An allowlist: every attribute not named here goes, which covers on*, style, id/name (DOM
# clobbering), hx-*, data-hx-* and every other data-* attribute.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    # Only absolute links: a relative one would point into the dashboard itself.
    url_relative="deny",
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def _image_as_link(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """Markdown images become links: the sanitiser keeps no <img>, and a tracking pixel or a 20 MB
    picture has no business loading just because someone opened a thread."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escape(token.attrGet("src") or "")}">[image: {escape(alt)}]</a>'


def _markdown() -> MarkdownIt:
    # "js-default": CommonMark plus tables and strikethrough, with raw HTML OFF (the plain
    # MarkdownIt() passes HTML straight through). No linkify, no plugins that emit id attributes.
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _image_as_link)
    return md


_MD = _markdown()


def render_untrusted_markdown(text: str | None) -> SafeString:
    """Untrusted Markdown as sanitised HTML, safe to put in any page.

    Raw HTML in the input is shown as text, links keep only http/https/mailto targets and get
    ``rel="noopener noreferrer"``, images become links, and no attribute that could run script,
    style the page or drive htmx survives. Inputs over ``MARKDOWN_MAX_CHARS`` come back as escaped
    plain text with a note. Results are cached per text.
    """
    if not text:
        return SafeString("")
    if not isinstance(text, str):
        text = str(text)
    return _render(text)


@lru_cache(maxsize=256)
def _render(text: str) -> SafeString:
    if len(text) > MARKDOWN_MAX_CHARS:
        return _plain(
            text,
            f"at {len(text):,} characters it is longer than the {MARKDOWN_MAX_CHARS:,} rendered as Markdown",
        )
    if text.count("[") > MARKDOWN_MAX_BRACKETS:
        return _plain(text, f"it holds more than {MARKDOWN_MAX_BRACKETS:,} square brackets")
    return mark_safe(_CLEANER.clean(_MD.render(text)))  # nh3's allowlist output


def _plain(text: str, why: str) -> SafeString:
    return format_html(
        '<p class="render-note">Shown as plain text: {}.</p><pre class="plain-text">{}</pre>', why, text
    )


def human_size(n: int) -> str:
    """1536 -> "1.5 KB" (powers of 1024, as file managers show sizes)."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover


# --- URLs from stored data -----------------------------------------------------------------------

# Browsers drop leading/trailing C0 controls and spaces and remove tabs and newlines anywhere in a
# URL before parsing it ("java\tscript:" is javascript:), so the scheme is judged after doing the same.
_STRIP = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")

#: Raster image types a browser decodes without running anything (no SVG: it can carry script).
SAFE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp"})


def _normalise_url(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    return _TAB_NEWLINE.sub("", url.strip(_STRIP))


def url_scheme(url: Any) -> str | None:
    """The lower-case scheme as a browser would read it, or ``None`` for a relative/odd value."""
    cleaned = _normalise_url(url)
    if cleaned is None:
        return None
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def safe_link_url(url: Any) -> str | None:
    """The URL if it may be an ``href`` (absolute http or https with a host), else ``None``."""
    cleaned = _normalise_url(url)
    if cleaned is None or url_scheme(cleaned) not in ("http", "https"):
        return None
    rest = cleaned.split(":", 1)[1]
    if not rest.startswith("//") or len(rest) < 3 or rest[2] in "/\\":
        return None
    return cleaned


@dataclass(frozen=True)
class DataUri:
    media_type: str
    base64: bool
    payload: str

    @property
    def size(self) -> int:
        """Decoded size in bytes (from the base64 length; no decoding needed)."""
        if not self.base64:
            return len(self.payload)
        return base64_size(self.payload)


_DATA_URI = re.compile(r"^data:([^,;]*)((?:;[^,;]*)*),", re.IGNORECASE)


def parse_data_uri(url: Any) -> DataUri | None:
    cleaned = _normalise_url(url)
    if cleaned is None:
        return None
    match = _DATA_URI.match(cleaned)
    if not match:
        return None
    params = [p.strip().lower() for p in match.group(2).split(";") if p.strip()]
    media_type = (match.group(1).strip() or "text/plain").lower()
    return DataUri(media_type, "base64" in params, cleaned[match.end() :])


def base64_size(payload: str) -> int:
    """Bytes that ``payload`` (base64 text) decodes to, computed from its length."""
    length = len(payload) - payload.count("\n") - payload.count("\r") - payload.count(" ")
    padding = len(payload.rstrip()) - len(payload.rstrip().rstrip("="))
    return max(0, length * 3 // 4 - min(padding, 2))


_BARE_BASE64 = re.compile(r"[A-Za-z0-9+/\r\n]+={0,2}\s*")


def looks_like_base64(value: Any) -> bool:
    """Whether ``value`` is bare base64 (Mastra stores inline file data without a data: prefix)."""
    return isinstance(value, str) and len(value) >= 4 and _BARE_BASE64.fullmatch(value) is not None


def safe_image_src(url: Any, media_type: str | None = None) -> str | None:
    """A ``src`` for an inline <img>: an https URL of an image, or a data: URI of a raster image type.

    ``media_type`` is what the stored part says the file is; for a data: URI the URI's own type
    must be a raster type too.
    """
    declared = (media_type or "").lower()
    data = parse_data_uri(url)
    if data is not None:
        if (
            data.base64
            and data.media_type in SAFE_IMAGE_TYPES
            and declared in ("", "image/*", *SAFE_IMAGE_TYPES)
        ):
            return _normalise_url(url)
        return None
    link = safe_link_url(url)
    if link is None or url_scheme(link) != "https":
        return None
    if declared in SAFE_IMAGE_TYPES or declared == "image/*":
        return link
    return None
