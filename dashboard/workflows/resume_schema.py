"""A step's resume data: a form built from its JSON Schema, and the check of a value against it.

Mastra describes a step's ``resumeSchema`` as the JSON Schema that its Zod schema converts to, so
the keywords handled here are the ones that conversion writes: ``type`` (one or several),
``properties``/``required``/``additionalProperties``, ``items``, ``enum``/``const``, string and
number bounds, ``anyOf``/``oneOf``. A keyword not handled here is left to the server, which checks
the data again when the step resumes. Each error names the field it is about ("note: at most 200
characters"), so the person can fix it before anything is sent.

The form has one input per top-level property when every property is a plain value (text, number,
whole number, yes/no, one of a list); any other schema, or none, gets the JSON editor.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Types a form input can hold.
SIMPLE_TYPES = ("string", "number", "integer", "boolean")


@dataclass(frozen=True)
class ResumeField:
    name: str
    kind: str  # "string", "number", "integer", "boolean" or "enum"
    required: bool
    description: str
    choices: tuple[Any, ...] = ()
    #: Shown in the input: from the posted form, else from the suspend payload when it fits.
    initial: str = ""

    @property
    def input_name(self) -> str:
        return f"field.{self.name}"

    def choice_values(self) -> list[tuple[str, str]]:
        return [(json.dumps(c), str(c)) for c in self.choices]


def _types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [t for t in declared if isinstance(t, str)]
    return []


def form_fields(schema: Mapping[str, Any] | None) -> list[ResumeField] | None:
    """One field per property of an object schema of plain values, or ``None`` for the JSON editor."""
    if not isinstance(schema, Mapping) or _types(schema) != ["object"]:
        return None
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return None
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    fields = []
    for name, prop in properties.items():
        if not isinstance(prop, Mapping):
            return None
        description = prop.get("description") if isinstance(prop.get("description"), str) else ""
        if isinstance(prop.get("enum"), list) and prop["enum"]:
            fields.append(ResumeField(str(name), "enum", name in required, description, tuple(prop["enum"])))
            continue
        types = [t for t in _types(prop) if t != "null"]
        if len(types) != 1 or types[0] not in SIMPLE_TYPES:
            return None
        fields.append(ResumeField(str(name), types[0], name in required, description))
    return fields


def prefilled(
    fields: list[ResumeField], schema: Mapping[str, Any], suspend_payload: Any
) -> list[ResumeField]:
    """The fields with initial values from the suspend payload where a key of the same name holds a
    value the field accepts (a step often suspends with the values it wants confirmed)."""
    if not isinstance(suspend_payload, Mapping):
        return fields
    properties = schema.get("properties") or {}
    result = []
    for field in fields:
        value = suspend_payload.get(field.name)
        if field.name in suspend_payload and not errors(properties.get(field.name, {}), value, field.name):
            field = ResumeField(**{**field.__dict__, "initial": _as_input(field, value)})
        result.append(field)
    return result


def _as_input(field: ResumeField, value: Any) -> str:
    if field.kind == "enum":
        return json.dumps(value)
    if field.kind == "boolean":
        return "true" if value else "false"
    return str(value)


def with_posted(fields: list[ResumeField], data: Mapping[str, Any]) -> list[ResumeField]:
    """The fields showing what was posted (so a refused form keeps the person's input)."""
    return [ResumeField(**{**f.__dict__, "initial": str(data.get(f.input_name, ""))}) for f in fields]


def value_from_fields(fields: list[ResumeField], data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The resume data the posted inputs spell, and the inputs that do not read as their type.
    An empty input leaves its property out (the schema then says whether it may be missing)."""
    value: dict[str, Any] = {}
    problems = []
    for field in fields:
        raw = (
            str(data.get(field.input_name, "")).strip()
            if field.kind != "string"
            else data.get(field.input_name, "")
        )
        if raw == "" or raw is None:
            continue
        if field.kind == "string":
            value[field.name] = str(raw)
        elif field.kind == "boolean":
            if raw not in ("true", "false"):
                problems.append(f"{field.name}: choose yes or no")
            else:
                value[field.name] = raw == "true"
        elif field.kind == "enum":
            try:
                chosen = json.loads(raw)
            except ValueError:
                chosen = raw
            value[field.name] = chosen
        else:
            number: float | None = _read_number(raw, whole=field.kind == "integer")
            if number is None:
                wanted = "a whole number" if field.kind == "integer" else "a number"
                problems.append(f"{field.name}: {raw!r} is not {wanted}")
            else:
                value[field.name] = number
    return value, problems


def _read_number(raw: str, *, whole: bool) -> float | None:
    """The number an input spells (``None`` when it is not one; "inf" and "nan" are not)."""
    try:
        number = int(raw) if whole else float(raw)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# --- validation -----------------------------------------------------------------------------------

_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def _is_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "null":
        return value is None
    return True  # an unknown type name: left to the server


def errors(schema: Any, value: Any, path: str = "") -> list[str]:
    """What is wrong with ``value`` under ``schema``, each message starting with the field's path
    (``items[2].sku``), or "the data" for the top level. Empty when it fits."""
    if schema is True or not isinstance(schema, Mapping):
        return []
    where = path or "the data"
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        fits_one = isinstance(branches, list) and any(not errors(b, value, path) for b in branches)
        if isinstance(branches, list) and branches and not fits_one:
            first = errors(branches[0], value, path)
            return first if len(branches) == 1 else [f"{where}: matches none of the allowed shapes"]
    problems: list[str] = []
    types = _types(schema)
    if types and not any(_is_type(value, t) for t in types):
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in types)
        return [f"{where}: must be {wanted}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: must be {json.dumps(schema['const'])}")
    if isinstance(schema.get("enum"), list) and value not in schema["enum"]:
        allowed = ", ".join(json.dumps(v) for v in schema["enum"])
        problems.append(f"{where}: must be one of {allowed}")
    if isinstance(value, str):
        problems += _string_errors(schema, value, where)
    if isinstance(value, int | float) and not isinstance(value, bool):
        problems += _number_errors(schema, value, where)
    if isinstance(value, dict):
        problems += _object_errors(schema, value, path)
    if isinstance(value, list):
        problems += _array_errors(schema, value, path)
    return problems


def _string_errors(schema: Mapping[str, Any], value: str, where: str) -> list[str]:
    problems = []
    if isinstance(schema.get("minLength"), int) and len(value) < schema["minLength"]:
        problems.append(f"{where}: at least {schema['minLength']} characters")
    if isinstance(schema.get("maxLength"), int) and len(value) > schema["maxLength"]:
        problems.append(f"{where}: at most {schema['maxLength']} characters")
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            if re.search(pattern, value) is None:
                problems.append(f"{where}: does not match the pattern {pattern}")
        except re.error:
            pass  # a JavaScript-only pattern: the server checks it
    return problems


def _number_errors(schema: Mapping[str, Any], value: float, where: str) -> list[str]:
    problems = []
    bounds = (
        ("minimum", lambda b: value < b, "at least"),
        ("maximum", lambda b: value > b, "at most"),
        ("exclusiveMinimum", lambda b: value <= b, "more than"),
        ("exclusiveMaximum", lambda b: value >= b, "less than"),
    )
    for keyword, broken, words in bounds:
        bound = schema.get(keyword)
        if isinstance(bound, int | float) and not isinstance(bound, bool) and broken(bound):
            problems.append(f"{where}: must be {words} {bound:g}")
    return problems


def _object_errors(schema: Mapping[str, Any], value: dict[str, Any], path: str) -> list[str]:
    problems = []
    properties = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    for name in required:
        if name not in value:
            problems.append(f"{_join(path, name)}: is required")
    for name, item in value.items():
        if name in properties:
            problems += errors(properties[name], item, _join(path, name))
        elif schema.get("additionalProperties") is False:
            problems.append(f"{_join(path, name)}: is not a field of this step's resume data")
        elif isinstance(schema.get("additionalProperties"), Mapping):
            problems += errors(schema["additionalProperties"], item, _join(path, name))
    return problems


def _array_errors(schema: Mapping[str, Any], value: list[Any], path: str) -> list[str]:
    where = path or "the data"
    problems = []
    if isinstance(schema.get("minItems"), int) and len(value) < schema["minItems"]:
        problems.append(f"{where}: at least {schema['minItems']} items")
    if isinstance(schema.get("maxItems"), int) and len(value) > schema["maxItems"]:
        problems.append(f"{where}: at most {schema['maxItems']} items")
    if isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            problems += errors(schema["items"], item, f"{where if path else ''}[{index}]")
    return problems


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
