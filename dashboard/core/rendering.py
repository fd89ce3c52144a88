"""Turning untrusted text (LLM output, user input, working memory, score reasons) into HTML.

``render_untrusted_markdown`` is the one way to show such text as rich content: every page that
renders Markdown goes through it, so the sanitiser has one configuration to get right. Everything
else untrusted goes through template auto-escaping (or ``{% json_tree %}``), never ``|safe``.

``safe_link_url`` / ``safe_image_src`` decide whether a URL from stored data may become an ``href``
or ``src`` (message files, sources).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import nh3
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from . import render_budget

#: Texts longer than this (in characters) are not parsed as Markdown: they are shown escaped, as
#: plain text. A message this long is a log dump or a file, not prose. Below it, the work Markdown
#: may cost is metered (``render_budget``): linear in the text, bounded per text and per page.
MARKDOWN_MAX_CHARS = 100_000

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


def _step(state: Any, *args: Any) -> bool:
    """A rule placed first in markdown-it's block and inline chains: it only charges the text's
    meter (in ``env``), and never matches, so parsing goes on as if it were not there."""
    state.env["meter"].step()
    return False


def _markdown() -> MarkdownIt:
    # "js-default": CommonMark plus tables and strikethrough, with raw HTML OFF (the plain
    # MarkdownIt() passes HTML straight through). No linkify, no plugins that emit id attributes.
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _image_as_link)
    # Meter every block attempt, inline attempt and token skip. The skips matter most: an
    # unmatched "[" re-scans the rest of its paragraph through skipToken, the one loop that makes
    # hostile input quadratic.
    # In the terminator chains too: a paragraph of 50,000 lines asks them once per line.
    md.block.ruler.before(
        md.block.ruler.get_all_rules()[0],
        "render_budget",
        _step,
        {"alt": ["paragraph", "reference", "blockquote", "list", "table"]},
    )
    md.inline.ruler.before(md.inline.ruler.get_all_rules()[0], "render_budget", _step)
    skip_token = md.inline.skipToken

    def metered_skip_token(state: Any) -> None:
        state.env["meter"].step()
        skip_token(state)

    md.inline.skipToken = metered_skip_token  # type: ignore[method-assign]
    return md


_MD = _markdown()


def render_untrusted_markdown(text: str | None) -> SafeString:
    """Untrusted Markdown as sanitised HTML, safe to put in any page.

    Raw HTML in the input is shown as text, links keep only http/https/mailto targets and get
    ``rel="noopener noreferrer"``, images become links, and no attribute that could run script,
    style the page or drive htmx survives. Inputs over ``MARKDOWN_MAX_CHARS``, or whose Markdown
    would cost more than their render budget (``render_budget``), come back as escaped plain text
    with a note saying why. Results are cached per text.
    """
    if not text:
        return SafeString("")
    if not isinstance(text, str):
        text = str(text)
    cached = _rendered.get(text)
    if cached is not None:
        return cached
    if len(text) > MARKDOWN_MAX_CHARS:
        return _remember(
            text,
            _plain(
                text,
                f"at {len(text):,} characters it is longer than the {MARKDOWN_MAX_CHARS:,} "
                "rendered as Markdown",
            ),
        )
    page = render_budget.current_page_budget()
    if page is not None and page.spent:
        return _plain(text, render_budget.page_spent_reason())
    meter = render_budget.Meter.for_text(text)
    try:
        html = _MD.render(text, {"meter": meter})
    except render_budget.OverBudget as over:
        result = _plain(text, over.reason)
        # A step budget is a property of the text; a time budget is not (a busy moment), so only
        # the former is remembered.
        return _remember(text, result) if meter.used > meter.steps_left else result
    return _remember(text, mark_safe(_CLEANER.clean(html)))  # nh3's allowlist output


#: Rendered texts, newest last (a thread page re-renders the same messages on every poll).
_rendered: OrderedDict[str, SafeString] = OrderedDict()
_RENDERED_MAX = 256
_rendered_lock = threading.Lock()  # gunicorn's gthread workers render in several threads


def _remember(text: str, html: SafeString) -> SafeString:
    with _rendered_lock:
        _rendered[text] = html
        while len(_rendered) > _RENDERED_MAX:
            _rendered.popitem(last=False)
    return html


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
