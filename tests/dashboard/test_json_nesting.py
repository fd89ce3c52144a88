"""The depth rules every page's JSON goes through: the tree collapses what nests deeper than 50
levels, raw JSON is written for any depth, and text too deep to decode comes back as text with a
reason."""

from __future__ import annotations

import json
from typing import Any

from dashboard.core.templatetags.ui import JSON_COLLAPSED, bounded_json, json_tree, nesting_depth
from storeclient.codec import NESTED_TOO_DEEPLY, parse_json_lenient, safely_parse_json


def chain(depth: int) -> Any:
    """``{"next": {"next": … "refund approved" …}}`` ``depth`` levels deep, with arrays mixed in."""
    value: Any = "refund approved"
    for i in range(depth):
        value = {"next": value, "n": i} if i % 2 else [value, None, True]
    return value


def test_depth_is_counted_without_recursion_and_stops_past_the_limit():
    assert nesting_depth("refund", 50) == 0
    assert nesting_depth({"orderId": "A-18896", "items": [{"sku": "KB-01"}]}, 50) == 3
    assert nesting_depth(chain(50_000), 50) == 51


def test_shallow_json_is_indented_as_before():
    value = {"orderId": "A-18896", "items": [{"sku": "KB-01", "qty": 1}], "note": "café"}
    assert bounded_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_json_deeper_than_python_recurses_is_written_compact():
    text = bounded_json(chain(5_000))
    assert text.startswith('{"next":[{"next":[')
    assert text.endswith(',"n":4999}')
    assert json.loads(bounded_json(chain(60))) == chain(60)


def test_the_tree_collapses_what_nests_deeper_than_the_limit_and_keeps_the_raw_json():
    html = str(json_tree(chain(3_000), raw=True))
    assert JSON_COLLAPSED in html
    assert "Raw JSON" in html
    assert "refund approved" in html


def test_json_text_too_deep_to_decode_is_shown_as_text():
    text = '{"next":' * 5_000 + '"refund approved"' + "}" * 5_000
    assert "refund approved" in str(json_tree(text))


def test_json_too_deep_to_decode_stays_text_with_a_reason():
    text = "[" * 100_000 + "]" * 100_000
    assert parse_json_lenient(text) == (text, NESTED_TOO_DEEPLY)
    assert safely_parse_json(text) == text
