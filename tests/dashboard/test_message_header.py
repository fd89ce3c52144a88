"""{% message_header %} builds a message's header in Python for speed; the template it replaced (kept
here) is the reference it must match, byte for byte, for every kind of message."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.template import engines
from django.utils import timezone

from dashboard.threads.presenters import MessageView, present_messages
from dashboard.threads.templatetags.thread_markup import message_header
from tests.dashboard.thread_records import every_format_thread, hostile_thread, newer_parts_thread

REFERENCE = engines["django"].from_string(
    "{% load ui %}"
    """<header class="message-header">
    <span class="message-role">{{ m.display_role }}</span>
    {% if m.role != m.display_role %}<span class="muted small">stored as “{{ m.role }}”</span>{% endif %}
    {% with signal=m.signal %}{% if signal %}<span class="badge badge-unknown signal-badge" title="Signal type and tag">{% if signal.signal_type %}{{ signal.signal_type }}{% else %}signal{% endif %}{% if signal.tag_name and signal.tag_name != signal.signal_type %} · {{ signal.tag_name }}{% endif %}</span>{% endif %}{% endwith %}
    {% if m.content_format != "v2" %}<span class="badge badge-unknown format-badge" title="Stored in an older Mastra content format">{{ m.content_format }}</span>{% endif %}
    <a class="message-permalink" href="{{ m.permalink }}" title="Link to this message">{% relative_time m.created_at %}</a>
  </header>"""
)


def corpus() -> list[MessageView]:
    messages = [
        *every_format_thread().messages,
        *newer_parts_thread().messages,
        *hostile_thread().messages,
    ]
    # A legacy "tool" row (shown as the assistant's), a role of its own, an escaped permalink.
    messages += [
        replace(messages[0], id="m-tool", role="tool"),
        replace(messages[0], id="m-odd", role="<b>bot</b>"),
    ]
    return present_messages(messages, page_url="/threads/a&b/")


@pytest.mark.parametrize("view", corpus(), ids=lambda view: view.id[-40:])
def test_the_header_is_the_templates_markup(view: MessageView) -> None:
    with timezone.override("Europe/Berlin"):
        assert message_header(view) == REFERENCE.render({"m": view})


def test_the_corpus_covers_every_badge() -> None:
    headers = "".join(message_header(view) for view in corpus())
    for mark in (
        "stored as “tool”",
        "signal-badge",
        " · ",
        "format-badge",
        "&lt;b&gt;bot",
        "/threads/a&amp;b/",
    ):
        assert mark in headers
