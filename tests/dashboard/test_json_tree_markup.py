"""{% json_tree %} builds its markup in Python for speed; templates/core/json_tree.html is the
reference it must match, byte for byte, for every kind of value."""

from __future__ import annotations

import json

import pytest
from django.template.loader import get_template

from dashboard.core.templatetags.ui import build_json_node, json_tree
from tests.support.xss_payloads import PAYLOADS


def deep(levels: int) -> object:
    value: object = {"leaf": 1}
    for i in range(levels):
        value = {f"level{i}": value}
    return value


VALUES = [
    {
        "orderId": "A-10492",
        "total": 84.5,
        "paid": True,
        "note": None,
        "items": [{"sku": "BLND-900", "qty": 1}],
    },
    list(range(250)),
    {"stack": "Error: boom\n" + "    at frame\n" * 50},
    deep(15),
    {payload: [payload] for payload in PAYLOADS},
    "plain text",
    '{"workingMemory": "# User"}',
    3,
    -0.5,
    float("nan"),
    None,
    [],
    {},
    [1],
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
@pytest.mark.parametrize("raw", [False, True])
def test_the_tag_renders_exactly_what_the_template_does(value, raw):
    shown = json.loads(value) if isinstance(value, str) and value.startswith("{") else value
    reference = get_template("core/json_tree.html").render(
        {
            "root": build_json_node(shown),
            "raw": json.dumps(shown, indent=2, ensure_ascii=False, default=str) if raw else None,
        }
    )
    assert json_tree(value, raw=raw) == reference
