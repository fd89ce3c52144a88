"""The thread page's per-message markup built in Python: ``{% load thread_messages %}``.

    {% message_header m %}      a message's role, badges and permalink (with its relative time)

A thread page writes one header per message, 40 to a page, and through the template engine the
header took half of a plain message's rendering time (a dozen ``if``/``with`` nodes and variable
lookups). The markup is the template's, byte for byte: tests/dashboard/test_message_header.py
keeps that template as the reference and compares the two over every kind of message. Every value
from the store is escaped here.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString

from dashboard.core.templatetags.ui import relative_time
from dashboard.threads.presenters import MessageView

register = template.Library()


@register.simple_tag
def message_header(m: MessageView) -> SafeString:
    stored_as = (
        f'<span class="muted small">stored as “{escape(m.role)}”</span>' if m.role != m.display_role else ""
    )
    return SafeString(
        '<header class="message-header">\n'
        f'    <span class="message-role">{escape(m.display_role)}</span>\n'
        f"    {stored_as}\n"
        f"    {_signal_badge(m)}\n"
        f"    {_format_badge(m.content_format)}\n"
        f'    <a class="message-permalink" href="{escape(m.permalink)}" title="Link to this message">'
        f"{relative_time(m.created_at)}</a>\n"
        "  </header>"
    )


def _signal_badge(m: MessageView) -> str:
    signal = m.signal
    if not signal:
        return ""
    kind = escape(signal.signal_type) if signal.signal_type else "signal"
    tag = f" · {escape(signal.tag_name)}" if signal.tag_name and signal.tag_name != signal.signal_type else ""
    return f'<span class="badge badge-unknown signal-badge" title="Signal type and tag">{kind}{tag}</span>'


def _format_badge(content_format: str) -> str:
    if content_format == "v2":
        return ""
    return (
        '<span class="badge badge-unknown format-badge" title="Stored in an older Mastra content format">'
        f"{escape(content_format)}</span>"
    )
