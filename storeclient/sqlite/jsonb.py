"""A decoder for SQLite's binary JSON format (JSONB), in pure Python.

``@mastra/libsql`` writes every ``jsonb``-typed column (thread and resource ``metadata``, workflow
``snapshot``, ten score columns) with SQLite's ``jsonb(?)``, so those cells are BLOBs in SQLite's
JSONB format (https://sqlite.org/jsonb.html). SQLite only understands that format from 3.45 on;
the ``sqlite3`` module of the CPython this project runs on links 3.40, whose ``json()`` and
``json_extract()`` reject such blobs as "malformed JSON".

Why decode in Python rather than ship a newer SQLite (``sqlean.py``, ``pysqlite3-binary``):

* The format is documented and frozen (it is an on-disk format SQLite promises to keep reading), and
  the store only ever *reads* it: it writes plain JSON text, which Mastra reads as well. A decoder is
  ~150 lines; a second SQLite build is a binary wheel per platform that must stay in step with
  Python's own ``sqlite3`` API, for every user of the dashboard.
* SQL still sees the values: the store registers ``dashboard_jsonb_extract(blob, path)`` as a
  deterministic SQL function (see ``connection.py``), so a run status filter or status counts stay
  one SQL statement. :func:`extract` walks the path by skipping over sizes, without decoding the
  rest of the document, so pulling ``$.status`` out of a large snapshot touches a few dozen bytes.
* A malformed cell (legacy text that is not JSON, a corrupt blob) makes SQLite's ``json_extract``
  abort the whole query; here it only yields ``NULL`` for that row, and the row is still shown raw.

Element layout: one header byte, low nibble = type, high nibble = payload size (0-11 literally; 12,
13, 14, 15 = the size follows in 1, 2, 4, 8 big-endian bytes), then the payload. Arrays and objects
hold their children back to back; an object alternates key and value elements.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

from ..codec import has_surrogates, loads, repair_text

NULL, TRUE, FALSE, INT, INT5, FLOAT, FLOAT5, TEXT, TEXTJ, TEXT5, TEXTRAW, ARRAY, OBJECT = range(13)

_TEXT_TYPES = (TEXT, TEXTJ, TEXT5, TEXTRAW)
_MAX_DEPTH = 1000  # SQLite's own JSON nesting limit


class JSONBError(ValueError):
    """The bytes are not a well-formed JSONB element."""


def _header(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """Parse the header at ``pos``: ``(type, payload_start, payload_end)``."""
    if pos >= end:
        raise JSONBError(f"truncated element at byte {pos}")
    byte = data[pos]
    kind = byte & 0x0F
    size = byte >> 4
    start = pos + 1
    if size >= 12:
        width = 1 << (size - 12)  # 1, 2, 4 or 8 bytes
        if start + width > end:
            raise JSONBError(f"truncated size at byte {pos}")
        size = int.from_bytes(data[start : start + width], "big")
        start += width
    stop = start + size
    if stop > end:
        raise JSONBError(f"element at byte {pos} claims {size} bytes, only {end - start} remain")
    if kind > OBJECT:
        raise JSONBError(f"reserved element type {kind} at byte {pos}")
    return kind, start, stop


def _text(data: bytes, start: int, stop: int) -> str:
    try:
        return data[start:stop].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JSONBError(f"text at byte {start} is not UTF-8") from exc


_JSON5_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "0": "\0",
    "/": "/",
    "\\": "\\",
    '"': '"',
    "'": "'",
}
# JSON5 line continuations: a backslash before a line terminator stands for nothing.
_CONTINUATIONS = {"\n", "\r", "\r\n", "\u2028", "\u2029"}


def _unescape_json5(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "xu" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        if esc in _CONTINUATIONS:
            return ""
        return _SIMPLE_ESCAPES.get(esc, esc)

    # \uXXXX pairs may encode a surrogate pair; re-join them after the per-escape pass, and
    # replace a half without its partner (it could not be encoded in a page).
    out = _JSON5_ESCAPE.sub(repl, text)
    if not has_surrogates(out):
        return out
    return repair_text(out.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass"))


def _scalar_text(kind: int, data: bytes, start: int, stop: int) -> str:
    text = _text(data, start, stop)
    if kind == TEXTJ:
        try:
            value = loads(f'"{text}"', strict=False)
        except ValueError as exc:
            raise JSONBError(f"bad escape in text at byte {start}") from exc
        return str(value)
    if kind == TEXT5:
        return _unescape_json5(text)
    return text  # TEXT and TEXTRAW are used as is


def _int5(text: str) -> int | float:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body[:2].lower() == "0x":
        return sign * int(body[2:], 16)
    return sign * int(body)


def _float(text: str) -> float | int:
    try:
        return float(text)
    except ValueError as exc:
        raise JSONBError(f"bad number {text!r}") from exc


def _decode(data: bytes, pos: int, end: int, depth: int) -> tuple[Any, int]:
    kind, start, stop = _header(data, pos, end)
    if kind == NULL:
        return None, stop
    if kind == TRUE:
        return True, stop
    if kind == FALSE:
        return False, stop
    if kind == INT:
        try:
            return int(data[start:stop]), stop
        except ValueError as exc:
            raise JSONBError(f"bad integer at byte {pos}") from exc
    if kind == INT5:
        try:
            return _int5(_text(data, start, stop)), stop
        except ValueError as exc:
            raise JSONBError(f"bad JSON5 integer at byte {pos}") from exc
    if kind in (FLOAT, FLOAT5):
        return _float(_text(data, start, stop)), stop
    if kind in _TEXT_TYPES:
        return _scalar_text(kind, data, start, stop), stop
    if depth >= _MAX_DEPTH:
        raise JSONBError("nested too deeply")
    if kind == ARRAY:
        items: list[Any] = []
        p = start
        while p < stop:
            value, p = _decode(data, p, stop, depth + 1)
            items.append(value)
        return items, stop
    # OBJECT
    obj: dict[str, Any] = {}
    p = start
    while p < stop:
        key_kind, key_start, key_stop = _header(data, p, stop)
        if key_kind not in _TEXT_TYPES:
            raise JSONBError(f"object key at byte {p} is not text")
        key = _scalar_text(key_kind, data, key_start, key_stop)
        if key_stop >= stop:
            raise JSONBError(f"object key at byte {p} has no value")
        obj[key], p = _decode(data, key_stop, stop, depth + 1)
    return obj, stop


def decode(data: bytes | bytearray | memoryview) -> Any:
    """Decode one JSONB value (the whole buffer must be exactly one element)."""
    buf = bytes(data)
    value, stop = _decode(buf, 0, len(buf), 0)
    if stop != len(buf):
        raise JSONBError(f"{len(buf) - stop} trailing bytes after the value")
    return value


def _skip_to_member(data: bytes, start: int, stop: int, key: str) -> tuple[int, int] | None:
    """In the object payload ``[start, stop)``, find ``key``; return its value's ``(pos, end)``."""
    p = start
    wanted = key.encode("utf-8")
    while p < stop:
        key_kind, key_start, key_stop = _header(data, p, stop)
        if key_kind not in _TEXT_TYPES:
            raise JSONBError(f"object key at byte {p} is not text")
        if key_kind in (TEXT, TEXTRAW):
            match = data[key_start:key_stop] == wanted
        else:
            match = _scalar_text(key_kind, data, key_start, key_stop) == key
        _, _, value_stop = _header(data, key_stop, stop)
        if match:
            # The last duplicate wins in a decoded object; SQLite's json_extract returns the first.
            # Mastra never writes duplicate keys; follow SQLite.
            return key_stop, value_stop
        p = value_stop
    return None


_PATH_TOKEN = re.compile(r'\.(?:"((?:[^"\\]|\\.)*)"|([^.\[]+))|\[(\d+)\]')


def parse_path(path: str) -> list[str | int]:
    """``$.a.b[2]."c d"`` -> ``["a", "b", 2, "c d"]`` (the subset of SQLite's paths the store uses)."""
    if not path.startswith("$"):
        raise ValueError(f"JSON path must start with $: {path!r}")
    steps: list[str | int] = []
    pos = 1
    while pos < len(path):
        m = _PATH_TOKEN.match(path, pos)
        if m is None:
            raise ValueError(f"unsupported JSON path {path!r}")
        quoted, bare, index = m.groups()
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(quoted.replace('\\"', '"') if quoted is not None else bare)
        pos = m.end()
    return steps


_MISSING = object()


def extract(data: bytes, path: Sequence[str | int]) -> Any:
    """The value at ``path``, decoded; ``KeyError`` when the path does not exist.

    Only the elements on the path are parsed: siblings are skipped by their sizes.
    """
    pos, end = 0, len(data)
    for step in path:
        kind, start, stop = _header(data, pos, end)
        if isinstance(step, str):
            if kind != OBJECT:
                raise KeyError(step)
            found = _skip_to_member(data, start, stop, step)
            if found is None:
                raise KeyError(step)
            pos, end = found
        else:
            if kind != ARRAY:
                raise KeyError(step)
            p, i = start, 0
            while p < stop and i < step:
                _, _, p = _header(data, p, stop)
                i += 1
            if p >= stop:
                raise KeyError(step)
            _, _, elem_stop = _header(data, p, stop)
            pos, end = p, elem_stop
    value, _ = _decode(data, pos, end, 0)
    return value


def to_sql_value(value: Any) -> Any:
    """What SQLite's ``json_extract`` returns for a JSON value: SQL NULL, 1/0 for booleans,
    numbers and text as is, and compact JSON text for arrays and objects."""
    if value is None:
        return None
    if value is True:
        return 1
    if value is False:
        return 0
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        # SQLite integers are 64-bit; json_extract turns larger ones into REAL.
        return value if -(2**63) <= value < 2**63 else float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
