"""View objects read by item lookup (dashboard/core/template_lookup.py) render as they did by attribute."""

from __future__ import annotations

from django.template import Context, Template
from django.utils.safestring import SafeString

from dashboard.threads.presenters import TextView


def test_a_view_renders_its_fields_and_properties_and_nothing_for_a_missing_name():
    view = TextView(html=SafeString("<b>bold</b>"), chars=12_345, collapsed=False)
    html = Template(
        "{{ v.kind }}|{{ v.size_text }}|{{ v.html }}|{{ v.nope }}|{{ v.0 }}|{{ v.chars.real }}"
    ).render(Context({"v": view}))
    assert html == "text|12,345 characters|<b>bold</b>|||12345"
