"""{% thread_row %} builds a thread table's row in Python for speed; the template it replaced (kept
here) is the reference it must match, byte for byte, for every kind of thread."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.template import Context, Template, engines
from django.utils import timezone

from storeclient.models import Thread
from tests.dashboard.thread_records import every_format_thread, hostile_thread, many_threads
from tests.support.xss_payloads import PAYLOADS

REFERENCE = engines["django"].from_string(
    "{% load ui %}{% for thread in threads %}"
    """
      {% record_url "threads:detail" thread.id as thread_url %}
      <tr{% if thread_url %} data-keynav-href="{{ thread_url }}"{% endif %}>
        <td class="truncate title-cell">{% if thread_url %}<a href="{{ thread_url }}">{{ thread.title|default:"(untitled)" }}</a>{% else %}{{ thread.title|default:"(untitled)" }}{% endif %}</td>
        {% if not hide_resource %}
        {% record_url "resources:detail" thread.resource_id as resource_url %}
        <td class="mono truncate">{% if resource_url %}<a href="{{ resource_url }}">{{ thread.resource_id }}</a>{% else %}{{ thread.resource_id|default:"—" }}{% endif %}</td>
        {% endif %}
        <td class="num">{% relative_time thread.updated_at %}</td>
      </tr>
    """
    "{% endfor %}"
)
ROWS = Template(
    "{% load thread_markup %}{% for thread in threads %}{% thread_row thread hide_resource %}{% endfor %}"
)


def corpus() -> list[Thread]:
    threads = [*every_format_thread().threads, *hostile_thread().threads, *many_threads(3).threads]
    first = threads[0]
    threads += [
        replace(first, id="", title=""),
        replace(first, id="team/a b", title=None, resource_id=""),  # type: ignore[arg-type]
        replace(first, id="line\nbreak", resource_id="user/7 &co"),
    ]
    threads += [replace(first, id=payload, title=payload, resource_id=payload) for payload in PAYLOADS[:20]]
    return threads


@pytest.mark.parametrize("hide_resource", [False, True])
def test_the_rows_are_the_templates_markup(hide_resource: bool) -> None:
    threads = corpus()
    with timezone.override("America/New_York"):
        expected = REFERENCE.render({"threads": threads, "hide_resource": hide_resource})
        assert ROWS.render(Context({"threads": threads, "hide_resource": hide_resource})) == expected


def test_the_corpus_covers_links_and_their_absence() -> None:
    html = ROWS.render(Context({"threads": corpus()}))
    for mark in (
        "(untitled)",
        "—",
        'data-keynav-href="/threads/team/a%20b/"',
        "/resources/user/7%20&amp;co/",
        "&lt;",
    ):
        assert mark in html
    assert "<tr>\n" in html  # the thread whose id cannot be linked
