"""Template helpers every page uses: ``{% load ui %}``.

* ``{% json_tree value %}`` — collapsible JSON (first level open, big containers truncated, values
  nested deeper than ``JSON_NESTING_LIMIT`` collapsed to a placeholder).
* ``{% relative_time when %}`` — ``<time>`` with "5 min ago" and the exact time as a tooltip.
* ``{% status_badge status %}`` — a coloured badge for a run/step status (or ``LIVE``/``TEST``).
* ``{% record_url "threads:detail" thread.id as url %}`` — ``{% url … as url %}`` for a list's rows, reversed once.
* ``{% copy_button value "run id" %}`` / ``{% copy_json value "arguments" %}`` — a button that copies
  an id or a value's JSON (static/js/app.js; it announces "Copied" to screen readers).
* ``|timestamp`` — an absolute date and time; ``|epoch_ms`` — a JS timestamp as a datetime;
  ``|duration_ms`` — "350 ms", "2.4 s", "3 min 5 s"; ``|count`` — a ``Count`` as "10,000+".
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any

import orjson
from django import template
from django.template import Context
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dashboard.core.pages import record_url_builder
from storeclient.codec import parse_datetime
from storeclient.models import Count

register = template.Library()

#: Children shown per object/array before "… N more not shown".
JSON_TREE_MAX_CHILDREN = 100
#: Deeper containers are shown as one line of JSON text.
JSON_TREE_MAX_DEPTH = 12
#: A value nested deeper than this is never walked recursively (Python's recursion limit is ~1,000
#: frames, and an agent's JavaScript writes JSON nested far deeper): the tree shows a placeholder,
#: and raw JSON is written without indentation by ``bounded_json``.
JSON_NESTING_LIMIT = 50
JSON_COLLAPSED = f"nested deeper than {JSON_NESTING_LIMIT} levels — collapsed"
#: Strings longer than this are collapsed behind a preview.
JSON_TREE_LONG_STRING = 240


@dataclass
class JsonNode:
    key: str | None
    kind: str
    text: str = ""
    #: ``None`` for a scalar; the shown children of an object or array.
    children: list[JsonNode] | None = None
    size: int = 0
    hidden: int = 0
    open: bool = False
    long: bool = False
    preview: str = ""
    length: int = 0


def build_json_node(
    value: Any, key: str | None = None, *, depth: int = 0, max_children: int = JSON_TREE_MAX_CHILDREN
) -> JsonNode:
    """The tree the ``json_tree`` template renders; escaping is left to the template."""
    if isinstance(value, Mapping | list | tuple):
        items = list(value.items()) if isinstance(value, Mapping) else list(enumerate(value))
        kind = "object" if isinstance(value, Mapping) else "array"
        if depth >= JSON_TREE_MAX_DEPTH:
            if nesting_depth(value, JSON_NESTING_LIMIT - depth) > JSON_NESTING_LIMIT - depth:
                return JsonNode(key=key, kind="collapsed", text=JSON_COLLAPSED)
            return _scalar(key, "string", json.dumps(value, default=str, ensure_ascii=False))
        shown = items[:max_children]
        return JsonNode(
            key=key,
            kind=kind,
            children=[
                build_json_node(child, str(child_key), depth=depth + 1, max_children=max_children)
                for child_key, child in shown
            ],
            size=len(items),
            hidden=len(items) - len(shown),
            open=depth == 0,
        )
    if value is None:
        return _scalar(key, "null", "null")
    if isinstance(value, bool):
        return _scalar(key, "boolean", "true" if value else "false")
    if isinstance(value, int | float):
        return _scalar(key, "number", _number(value))
    if isinstance(value, datetime | date):
        return _scalar(key, "string", value.isoformat())
    return _scalar(key, "string", str(value))


def nesting_depth(value: Any, limit: int) -> int:
    """How many containers deep ``value`` goes (a scalar is 0), counted without recursion and
    only up to ``limit + 1``: enough to tell "too deep" from "fine" at the cost of one walk."""
    return _json_shape(value, limit)[0]


def _json_shape(value: Any, limit: int) -> tuple[int, bool]:
    """``nesting_depth`` and, from the same walk, whether orjson writes ``value`` exactly as
    ``json.dumps`` does (it does, but for floats beyond ``_writes_alike``)."""
    deepest = 0
    alike = True
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            if alike and isinstance(item, float) and not _writes_alike(item):
                alike = False
            continue
        depth += 1
        if depth > limit:
            return depth, alike
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest, alike


def _writes_alike(number: float) -> bool:
    """Floats orjson and ``json.dumps`` write the same way: both the shortest round-trip digits, but
    Python switches to "1e-05" / "1e+16" where orjson writes "0.00001" / "1e16", and orjson writes
    NaN and Infinity as null (a lie about what is stored)."""
    return number == 0 or 1e-4 <= abs(number) < 1e16


#: ``json.dumps(indent=2, default=str)``'s output: dates and times (and dataclasses) go to ``str``
#: as there, instead of orjson's own ISO format.
_ORJSON_LIKE_JSON_DUMPS = (
    orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


@dataclass(frozen=True)
class _Literal:
    text: str


def bounded_json(value: Any) -> str:
    """``json.dumps(value, indent=2)`` for any value, however deep: past ``JSON_NESTING_LIMIT``
    levels it is written compact by a loop instead (the json module recurses once per level, and
    2-space indents 1,000 levels deep would weigh a megabyte).

    Written by orjson when its text is the same (json's indenting encoder is pure Python, and a
    thread page writes every message's raw JSON): not for the floats ``_writes_alike`` excludes, and
    orjson refuses what it cannot write the same way (integers beyond 64 bits, non-string keys, lone
    surrogates), which then goes to ``json.dumps``."""
    depth, alike = _json_shape(value, JSON_NESTING_LIMIT)
    if depth <= JSON_NESTING_LIMIT:
        if alike:
            with contextlib.suppress(TypeError):  # orjson.JSONEncodeError is a TypeError
                return orjson.dumps(value, option=_ORJSON_LIKE_JSON_DUMPS, default=str).decode()
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Literal):
            out.append(item.text)
            continue
        if isinstance(item, Mapping):
            tokens: list[Any] = [_Literal("{")]
            for index, (key, child) in enumerate(item.items()):
                separator = "," if index else ""
                tokens += [_Literal(f"{separator}{json.dumps(str(key), ensure_ascii=False)}:"), child]
            tokens.append(_Literal("}"))
        elif isinstance(item, list | tuple):
            tokens = [_Literal("[")]
            for index, child in enumerate(item):
                tokens += [_Literal(","), child] if index else [child]
            tokens.append(_Literal("]"))
        else:
            out.append(json.dumps(item, ensure_ascii=False, default=str))
            continue
        stack.extend(reversed(tokens))
    return "".join(out)


def _scalar(key: str | None, kind: str, text: str) -> JsonNode:
    node = JsonNode(key=key, kind=kind, text=text, length=len(text))
    if kind == "string" and len(text) > JSON_TREE_LONG_STRING:
        node.long = True
        node.preview = text[:80]
    return node


def _number(value: float) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return json.dumps(value)


@register.simple_tag
def json_tree(value: Any, raw: bool = False, max_children: int = JSON_TREE_MAX_CHILDREN) -> SafeString:
    """``{% json_tree value %}`` or ``{% json_tree value raw=True %}`` (adds a "Raw JSON" block).

    A string that holds JSON (Mastra stores some values that way) is shown as the decoded value.
    """
    if isinstance(value, str) and value[:1] in ("{", "["):
        # Too deep to decode: shown as the text it is.
        with contextlib.suppress(ValueError, RecursionError):
            value = json.loads(value)
    out = ['\n\n<div class="json-tree">']
    _json_node_html(build_json_node(value, max_children=max_children), out)
    if raw:
        text = bounded_json(value)
        out.append(
            f'{COPY_RAW_BUTTON}<details class="json-raw"><summary>Raw JSON</summary><pre>{escape(text)}</pre></details>'
        )
    out.append("</div>\n")
    return SafeString("".join(out))


#: Copies the raw JSON of the tree it sits in (the <pre> below it), so the text is not sent twice.
COPY_RAW_BUTTON = '<button type="button" class="copy-button" data-copy-raw>Copy JSON</button>'
#: Values longer than this as JSON get no inline copy button (the page would carry them twice);
#: their raw view can still be selected and copied.
COPY_JSON_LIMIT = 20_000


@register.simple_tag
def copy_button(value: Any, what: str = "id") -> str:
    """A small "Copy" button for an id (``what`` names it for screen readers: "Copy run id")."""
    if value in (None, ""):
        return ""
    return format_html(
        '<button type="button" class="copy-button" data-copy="{}" aria-label="Copy {}" title="Copy {}">Copy</button>',
        str(value),
        what,
        what,
    )


@register.simple_tag
def copy_json(value: Any, what: str = "this value") -> str:
    """A "Copy JSON" button for a value of moderate size (nothing for a bigger one)."""
    text = bounded_json(value)
    if len(text) > COPY_JSON_LIMIT:
        return ""
    return format_html(
        '<button type="button" class="copy-button" data-copy="{}" aria-label="Copy {} as JSON">Copy JSON</button>',
        text,
        what,
    )


def _json_node_html(node: JsonNode, out: list[str]) -> None:
    """The markup of templates/core/json_tree.html, built in Python: a thread page shows dozens of
    trees, and the recursive template took ~2 ms per small tree, this ~0.2 ms. Every key and text
    is escaped here; tests/dashboard/test_json_tree_markup.py checks the output against the template."""
    key = f'<span class="json-key">{escape(node.key)}</span> ' if node.key is not None else ""
    if node.children is not None:
        is_object = node.kind == "object"
        bracket = "{…}" if is_object else "[…]"
        noun = ("key" if is_object else "item") + ("" if node.size == 1 else "s")
        out.append(
            f'<details class="json-node"{" open" if node.open else ""}><summary>{key}'
            f'<span class="json-bracket">{bracket}</span> <span class="json-size">{node.size} {noun}</span>'
            "</summary><ul>"
        )
        for child in node.children:
            out.append("<li>")
            _json_node_html(child, out)
            out.append("</li>")
        if node.hidden:
            out.append(f'<li class="json-more">… {node.hidden} more not shown</li>')
        out.append("</ul></details>")
    elif node.long:
        out.append(
            f'{key}<details class="json-long"><summary><span class="json-{node.kind}">{escape(node.preview)}…'
            f'</span> <span class="json-size">{node.length} characters</span></summary>'
            f'<span class="json-{node.kind}">{escape(node.text)}</span></details>'
        )
    else:
        out.append(f'{key}<span class="json-{node.kind}">{escape(node.text)}</span>')


# --- times and numbers ----------------------------------------------------------------------------


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    return parse_datetime(value)


@register.filter
def epoch_ms(value: Any) -> datetime | None:
    """A JavaScript timestamp (milliseconds since 1970, as in workflow step results) as a datetime."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_datetime(value)
    return None


#: ``%b`` as strftime writes it (the C locale: Python leaves LC_TIME alone), without strftime's cost.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _relative(moment: datetime, now: datetime, local: datetime) -> str:
    """How long ago (or ahead) ``moment`` is, or past 30 days its date; ``local``: it in the active zone."""
    seconds = (now - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 10:
        return "just now"
    if seconds < 60:
        text = f"{int(seconds)} s"
    elif seconds < 3600:
        text = f"{int(seconds // 60)} min"
    elif seconds < 86400:
        text = f"{int(seconds // 3600)} h"
    elif seconds < 86400 * 30:
        text = f"{int(seconds // 86400)} d"
    else:
        month = _MONTHS[local.month - 1]
        same_year = local.year == now.astimezone(local.tzinfo).year
        return f"{local.day} {month}" if same_year else f"{local.day} {month} {local.year}"
    return f"in {text}" if future else f"{text} ago"


@register.simple_tag
def relative_time(value: Any, now: datetime | None = None) -> str:
    """``<time datetime="…" title="2026-01-09 14:02:11 UTC">5 min ago</time>``; accepts a datetime,
    an ISO string or epoch milliseconds; ``—`` when there is no value."""
    moment = _as_datetime(value)
    if moment is None:
        return mark_safe('<span class="muted">—</span>')
    local = timezone.localtime(moment)
    # An f-string with the standard library's escape rather than format_html: the same markup for
    # these plain strings at a fraction of the cost, and a thread page writes one per message.
    return mark_safe(
        f'<time datetime="{escape(moment.astimezone(UTC).isoformat().replace("+00:00", "Z"))}" '
        f'title="{escape(_local_timestamp(local))}">{escape(_relative(moment, now or timezone.now(), local))}</time>'
    )


@register.filter
def timestamp(value: Any) -> str:
    """``2026-01-09 14:02:11 UTC`` in the site's time zone (``DJANGO_TIME_ZONE``)."""
    moment = _as_datetime(value)
    if moment is None:
        return ""
    return _local_timestamp(timezone.localtime(moment))


def _local_timestamp(local: datetime) -> str:
    # strftime's "%Y-%m-%d %H:%M:%S" (its %Y unpadded, as glibc writes it), at half its cost.
    return (
        f"{local.year}-{local.month:02d}-{local.day:02d} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} {local.tzname()}"
    )


@register.filter
def duration_ms(value: Any) -> str:
    """A duration in milliseconds (or a ``timedelta``) as "350 ms", "2.4 s", "3 min 5 s", "2 h 10 min"."""
    if isinstance(value, timedelta):
        value = value.total_seconds() * 1000
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return ""
    ms = max(0.0, float(value))
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        # "243 h" is hard to read; past two days, days and hours say enough.
        days, hours = divmod(hours, 24)
        return f"{days} days {hours} h" if hours else f"{days} days"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@register.filter
def count(value: Any) -> str:
    """A ``storeclient.models.Count`` (or a plain number) with thousands separators."""
    if isinstance(value, Count):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


# --- links ---------------------------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def record_url(context: Context, name: str, record_id: Any) -> str:
    """``{% record_url "threads:detail" thread.id as thread_url %}``: ``{% url … as … %}`` for the
    rows of a list (``""`` for an id its pattern cannot carry), the pattern reversed once per page."""
    builders: dict[str, Any] = context.render_context.setdefault("ui.record_url", {})
    if name not in builders:
        builders[name] = record_url_builder(name)
    return str(builders[name](record_id))


# --- statuses ----------------------------------------------------------------------------------

#: Workflow run and step statuses (Mastra's WorkflowRunState.status and StepResult.status), score
#: sources; anything else gets the neutral badge.
KNOWN_STATUSES = frozenset(
    {
        "success",
        "failed",
        "tripwire",
        "suspended",
        "running",
        "waiting",
        "pending",
        "canceled",
        "bailed",
        "paused",
        "live",
        "test",
    }
)


@register.simple_tag
def status_badge(status: Any) -> str:
    """``<span class="badge badge-failed">failed</span>``; unknown statuses get ``badge-unknown``."""
    text = str(status) if status not in (None, "") else "unknown"
    slug = re.sub(r"[^a-z0-9-]", "", text.lower())
    css = slug if slug in KNOWN_STATUSES else "unknown"
    return format_html('<span class="badge badge-{}">{}</span>', css, text)


# --- the filter bar ------------------------------------------------------------------------------


class FilterBarNode(template.Node):
    """``{% filter_bar %}`` … ``{% end_filter_bar %}``: see ``filter_bar``."""

    def __init__(self, nodelist: template.NodeList, options: dict[str, Any]) -> None:
        self.nodelist = nodelist
        self.options = options

    def render(self, context: template.Context) -> str:
        options = {name: value.resolve(context) for name, value in self.options.items()}
        # The fields were rendered (and auto-escaped) by the template engine just above.
        fields = mark_safe(self.nodelist.render(context))
        bar = context.template.engine.get_template("core/filter_bar.html") if context.template else None
        if bar is None:
            raise template.TemplateSyntaxError("filter_bar needs a template context")
        return bar.render(context.new({**options, "fields": fields}))


@register.tag("filter_bar")
def filter_bar(parser: template.base.Parser, token: template.base.Token) -> FilterBarNode:
    """Every list's filters, one look: ``{% filter_bar action=url target="#thread-table"
    clear_url=url active=filtered label="Filter threads" %}<label class="filter-field">…</label>…
    {% end_filter_bar %}``. Draws the fields with an Apply button and a Clear link in a fold
    (``<details>``) that static/js/app.js closes on small screens; templates/core/filter_bar.html
    lists every option."""
    bits = token.split_contents()[1:]
    options = template.base.token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(f"filter_bar takes only name=value options, not {bits[0]!r}")
    nodelist = parser.parse(("end_filter_bar",))
    parser.delete_first_token()
    return FilterBarNode(nodelist, options)
