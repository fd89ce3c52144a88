"""Markup the thread pages repeat per row, built in Python: ``{% load thread_markup %}``.

    {% message_header m %}                  a message's role, badges and permalink (with its time)
    {% thread_row thread hide_resource %}   a row of a thread table (the list, a resource's threads)

A thread page writes one header per message, 40 to a page, and a thread table 25 or more rows:
through the template engine the header took half of a plain message's rendering time, and the
rows most of the list's (a dozen ``if``/``with`` nodes and variable lookups each). The markup is
the templates', byte for byte: tests/dashboard/test_message_header.py and test_thread_row.py keep
those templates as the reference and compare over every kind of message and thread. Every value
from the store is escaped here.
"""

from __future__ import annotations

from html import escape

from django import template
from django.template import Context
from django.utils.safestring import SafeString

from dashboard.core.templatetags.ui import record_url, relative_time
from dashboard.threads.presenters import MessageView
from storeclient.models import Thread

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


@register.simple_tag(takes_context=True)
def thread_row(context: Context, thread: Thread, hide_resource: bool = False) -> SafeString:
    thread_url = record_url(context, "threads:detail", thread.id)
    title = escape(str(thread.title)) if thread.title else "(untitled)"
    if thread_url:
        keynav, title = (
            f' data-keynav-href="{escape(thread_url)}"',
            f'<a href="{escape(thread_url)}">{title}</a>',
        )
    else:
        keynav = ""
    resource = ""
    if not hide_resource:
        resource_url = record_url(context, "resources:detail", thread.resource_id)
        if resource_url:
            shown = f'<a href="{escape(resource_url)}">{escape(str(thread.resource_id))}</a>'
        else:
            shown = escape(str(thread.resource_id)) if thread.resource_id else "—"
        resource = f'\n        \n        <td class="mono truncate">{shown}</td>\n        '
    return SafeString(
        f"\n      \n      <tr{keynav}>\n"
        f'        <td class="truncate title-cell">{title}</td>\n        {resource}\n'
        f'        <td class="num">{relative_time(thread.updated_at)}</td>\n'
        "      </tr>\n    "
    )
