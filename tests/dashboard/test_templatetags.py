"""{% json_tree %}, {% relative_time %}, {% status_badge %}, {% record_url %} and the small filters in ui.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from dashboard.core.templatetags.ui import duration_ms, relative_time, status_badge
from storeclient.models import Count


def render(source: str, **context) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


def test_json_tree_escapes_script_in_keys_and_values():
    html = render(
        "{% json_tree value %}", value={"<script>alert(1)</script>": "<script>alert(2)</script>", "n": [1]}
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_json_tree_escapes_nested_values_and_raw_json():
    html = render("{% json_tree value raw=True %}", value={"a": {"b": ['"><img src=x onerror=alert(1)>']}})
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Raw JSON" in html


def test_json_tree_opens_only_the_first_level():
    html = render("{% json_tree value %}", value={"outer": {"inner": {"deep": 1}}})
    assert html.count("<details") == 3
    assert html.count(" open>") == 1
    assert html.index(" open>") < html.index("outer")


def test_json_tree_truncates_big_containers_with_a_count():
    html = render("{% json_tree value %}", value=list(range(250)))
    assert "250 items" in html
    assert "… 150 more not shown" in html
    assert ">99<" in html and ">100<" not in html


def test_json_tree_shows_scalars_by_type():
    html = render("{% json_tree value %}", value={"s": "text", "n": 1.5, "t": True, "z": None})
    for expected in (
        'class="json-string">text<',
        'class="json-number">1.5<',
        'class="json-boolean">true<',
        'class="json-null">null<',
    ):
        assert expected in html


def test_json_tree_decodes_a_string_that_holds_json():
    html = render("{% json_tree value %}", value='{"workingMemory": "# User"}')
    assert 'class="json-key">workingMemory<' in html


def test_json_tree_folds_long_strings_behind_a_preview():
    html = render("{% json_tree value %}", value={"stack": "Error: boom\n" + "    at frame\n" * 50})
    assert 'class="json-long"' in html
    assert "characters" in html


def test_relative_time_gives_a_tooltip_with_the_exact_time():
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    html = relative_time(now - timedelta(minutes=5), now=now)
    assert html == '<time datetime="2026-01-10T11:55:00Z" title="2026-01-10 11:55:00 UTC">5 min ago</time>'


def test_relative_time_accepts_iso_strings_and_epoch_milliseconds():
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert ">3 h ago<" in relative_time("2026-01-10T09:00:00.000Z", now=now)
    assert ">2 d ago<" in relative_time(int((now - timedelta(days=2)).timestamp() * 1000), now=now)
    assert ">in 10 min<" in relative_time(now + timedelta(minutes=10), now=now)
    assert ">just now<" in relative_time(now, now=now)


def test_relative_time_shows_a_date_for_old_moments_and_a_dash_for_none():
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert ">2 Nov 2025<" in relative_time(datetime(2025, 11, 2, tzinfo=UTC), now=now)
    assert "—" in relative_time(None, now=now)


def test_status_badge_knows_every_run_status_and_escapes_the_rest():
    for status in (
        "running",
        "success",
        "failed",
        "tripwire",
        "suspended",
        "waiting",
        "pending",
        "canceled",
        "bailed",
        "paused",
    ):
        assert status_badge(status) == f'<span class="badge badge-{status}">{status}</span>'
    assert status_badge("<b>odd</b>") == '<span class="badge badge-unknown">&lt;b&gt;odd&lt;/b&gt;</span>'
    assert status_badge(None) == '<span class="badge badge-unknown">unknown</span>'


def test_durations_read_naturally():
    assert [duration_ms(v) for v in (350, 2_400, 185_000, 7_800_000, None)] == [
        "350 ms",
        "2.4 s",
        "3 min 5 s",
        "2 h 10 min",
        "",
    ]


def test_counts_show_thousands_and_lower_bounds():
    assert render("{{ c|count }}", c=Count(10_000, at_least=True)) == "10,000+"
    assert render("{{ c|count }}", c=1234) == "1,234"


def test_epoch_ms_and_timestamp_format_step_times():
    assert render("{{ t|epoch_ms|timestamp }}", t=1767967332255) == "2026-01-09 14:02:12 UTC"


def test_relative_time_writes_the_date_and_tooltip_in_the_readers_zone():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        # 31 Dec, 20:30 UTC is already New Year's Day in Tokyo: a date of this year, shown short.
        html = relative_time(datetime(2025, 12, 31, 20, 30, tzinfo=UTC), now=now)
        older = relative_time(datetime(2025, 12, 31, 12, 0, tzinfo=UTC), now=now)
    assert html == '<time datetime="2025-12-31T20:30:00Z" title="2026-01-01 05:30:00 JST">1 Jan</time>'
    assert ">31 Dec 2025<" in older


def test_record_url_links_each_row_as_reverse_does():
    ids = ["thread-1", "team/a b", "ünïcode", "a'b<&>\"", "?#%", "/leading"]
    html = render('{% for i in ids %}{% record_url "threads:detail" i as u %}[{{ u }}]{% endfor %}', ids=ids)
    assert html == "".join(f"[{escape(reverse('threads:detail', args=[i]))}]" for i in ids)


def test_record_url_leaves_unlinkable_ids_unlinked():
    html = render(
        '{% for i in ids %}{% record_url "threads:detail" i as u %}[{{ u }}]{% endfor %}'
        '{% record_url "no-such:page" "x" as missing %}[{{ missing }}]',
        ids=["", "line\nbreak"],
    )
    assert html == "[][][]"
