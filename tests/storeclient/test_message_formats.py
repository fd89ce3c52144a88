"""Every message content format Mastra has stored normalises to format-2 parts, losing nothing."""

from __future__ import annotations

from typing import Any

from storeclient.messages import detect_format, message_text, normalize_parts


def test_format_2_parts_are_kept_exactly() -> None:
    content = {
        "format": 2,
        "parts": [
            {"type": "step-start"},
            {"type": "text", "text": "Hi", "createdAt": 1767967334120},
            {"type": "data-om-observation-start", "data": {"tokens": 120}},
        ],
    }
    assert detect_format(content) == "v2"
    assert normalize_parts(content) == tuple(content["parts"])


def test_a_format_2_object_without_parts_falls_back_to_its_text() -> None:
    assert normalize_parts({"format": 2, "content": "plain"}) == ({"type": "text", "text": "plain"},)


def test_v1_plain_string_is_one_text_part() -> None:
    assert detect_format("Where is my order?") == "v1-text"
    assert normalize_parts("Where is my order?") == ({"type": "text", "text": "Where is my order?"},)


def test_v1_arrays_map_core_parts_and_pair_tool_results() -> None:
    content: list[dict[str, Any]] = [
        {"type": "reasoning", "text": "Check the order first", "signature": "sig"},
        {"type": "tool-call", "toolCallId": "c1", "toolName": "lookupOrder", "args": {"orderId": "A-1"}},
        {
            "type": "tool-result",
            "toolCallId": "c1",
            "toolName": "lookupOrder",
            "result": {"status": "shipped"},
        },
        {"type": "image", "image": "https://cdn.example.com/a.png", "mimeType": "image/png"},
        {"type": "redacted-reasoning", "data": "opaque"},
    ]
    parts = normalize_parts(content)
    assert [p["type"] for p in parts] == ["reasoning", "tool-invocation", "file", "reasoning"]
    assert parts[0]["reasoning"] == "Check the order first"
    assert parts[1]["toolInvocation"] == {
        "state": "result",
        "toolCallId": "c1",
        "toolName": "lookupOrder",
        "args": {"orderId": "A-1"},
        "result": {"status": "shipped"},
    }
    assert parts[2] == {"type": "file", "mimeType": "image/png", "data": "https://cdn.example.com/a.png"}
    assert parts[3]["details"] == [{"type": "redacted", "data": "opaque"}]


def test_a_tool_error_result_is_marked_as_an_error() -> None:
    parts = normalize_parts(
        [
            {
                "type": "tool-result",
                "toolCallId": "c9",
                "toolName": "charge",
                "result": "Card declined",
                "isError": True,
            }
        ]
    )
    assert parts[0]["toolInvocation"]["state"] == "output-error"
    assert parts[0]["toolInvocation"]["errorText"] == "Card declined"


def test_ai_sdk_v4_messages_without_parts_are_rebuilt_from_their_mirrors() -> None:
    content = {
        "content": "It is 18 °C in Paris.",
        "reasoning": "Need the weather tool.",
        "toolInvocations": [
            {
                "state": "result",
                "toolCallId": "w1",
                "toolName": "weather",
                "args": {"city": "Paris"},
                "result": {"c": 18},
            }
        ],
        "experimental_attachments": [
            {"url": "https://x.test/map.png", "contentType": "image/png", "name": "map.png"}
        ],
    }
    assert detect_format(content) == "ai-v4"
    parts = normalize_parts(content)
    assert [p["type"] for p in parts] == ["reasoning", "tool-invocation", "text", "file"]
    assert parts[3]["filename"] == "map.png"


def test_ai_sdk_v5_parts_map_to_mastra_shapes() -> None:
    content = {
        "parts": [
            {"type": "reasoning", "text": "thinking", "state": "done"},
            {
                "type": "tool-weatherTool",
                "toolCallId": "call_1",
                "state": "output-available",
                "input": {"city": "Paris"},
                "output": {"type": "json", "value": {"tempC": 18}},
            },
            {
                "type": "dynamic-tool",
                "toolName": "mcp_search",
                "toolCallId": "call_2",
                "state": "output-error",
                "input": {"q": "x"},
                "errorText": "MCP server unreachable",
            },
            {"type": "file", "url": "https://x.test/r.pdf", "mediaType": "application/pdf"},
            {"type": "source-url", "sourceId": "s1", "url": "https://docs.example.com", "title": "Docs"},
            {"type": "text", "text": "Done"},
        ]
    }
    assert detect_format(content) == "ai-v5"
    parts = normalize_parts(content)
    tool = parts[1]["toolInvocation"]
    assert (tool["toolName"], tool["state"], tool["args"], tool["result"]) == (
        "weatherTool",
        "result",
        {"city": "Paris"},
        {"tempC": 18},
    )
    assert parts[2]["toolInvocation"]["state"] == "output-error"
    assert parts[2]["toolInvocation"]["errorText"] == "MCP server unreachable"
    assert parts[3] == {"type": "file", "mimeType": "application/pdf", "data": "https://x.test/r.pdf"}
    assert parts[4]["source"] == {
        "sourceType": "url",
        "id": "s1",
        "url": "https://docs.example.com",
        "title": "Docs",
    }
    assert message_text(content) == "Done"


def test_unknown_shapes_are_kept_visible() -> None:
    assert normalize_parts(42) == ({"type": "unknown-content", "data": 42},)
    odd = {"format": 2, "parts": [{"type": "future-part", "payload": [1, 2]}, 7]}
    assert normalize_parts(odd) == (
        {"type": "future-part", "payload": [1, 2]},
        {"type": "unknown", "data": 7},
    )


def test_a_tool_call_id_that_is_not_a_string_leaves_the_parts_unpaired() -> None:
    content: list[dict[str, Any]] = [
        {"type": "tool-call", "toolCallId": {"id": "c1"}, "toolName": "lookupOrder", "args": {}},
        {"type": "tool-result", "toolCallId": {"id": "c1"}, "toolName": "lookupOrder", "result": "ok"},
    ]
    parts = normalize_parts(content)
    assert [p["toolInvocation"]["state"] for p in parts] == ["call", "result"]
