"""What the model sends as a tool's arguments: parsed, and explained when unusable.

Every message says what was wrong and what the tool takes, so the model can fix its call.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from tools.base import Tool, ToolResult


def parse_arguments(name: str, arguments: str | dict | None, hint: str) -> dict | ToolResult:
    """The model's arguments as a dict, or a failure the model can act on."""
    if arguments is None:
        return {}
    if isinstance(arguments, str):
        if not arguments.strip():
            return {}  # some models send "" for a tool without arguments
        try:
            data = json.loads(arguments)
        except json.JSONDecodeError as exc:
            return failure(
                "invalid_json",
                f"Error: the arguments for {name!r} are not valid JSON ({exc.msg} at line "
                f"{exc.lineno} column {exc.colno}). Send one JSON object. {hint}",
            )
    else:
        data = arguments
    if isinstance(data, str) and data.lstrip().startswith("{"):
        # Arguments JSON-encoded twice (a string holding the object), as some models
        # send them: unambiguous, so taken rather than refused.
        try:
            data = json.loads(data)
        except json.JSONDecodeError:
            pass  # refused below as "not an object"
    if data is None:
        return {}
    if not isinstance(data, dict):
        return failure(
            "invalid_arguments",
            f"Error: the arguments for {name!r} must be a JSON object, not {json_type(data)}. {hint}",
        )
    return data


def validation_message(name: str, exc: ValidationError, hint: str) -> str:
    """Every problem pydantic found, one line each, then what the tool takes."""
    lines = [f"Error: invalid arguments for {name!r}:"]
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "(arguments)"
        kind = error["type"]
        if kind == "missing":
            lines.append(f"- {where}: required argument is missing")
        elif kind == "extra_forbidden":
            lines.append(f"- {where}: unexpected argument")
        else:
            got = _short(error.get("input"))
            lines.append(f"- {where}: {error['msg']} (got {got})")
    lines.append(hint)
    return "\n".join(lines)


def failure(error_type: str, content: str) -> ToolResult:
    return ToolResult(ok=False, content=content, error_type=error_type)


def json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return f"a {type(value).__name__}"


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, default=repr, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def argument_hint(item: Tool) -> str:
    schema = item.parameters()
    properties = schema.get("properties", {})
    if not properties:
        return f"{item.name!r} takes no arguments: send {{}}."
    required = set(schema.get("required", []))
    parts = []
    for prop, sub in properties.items():
        kind = _type_label(sub)
        parts.append(f"{prop} ({kind}, {'required' if prop in required else 'optional'})")
    return f"{item.name!r} takes: " + ", ".join(parts) + "."


def _type_label(schema: dict) -> str:
    if "enum" in schema:
        return "one of " + "|".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "type" in schema:
        kind = schema["type"]
        if kind == "array" and isinstance(schema.get("items"), dict):
            return f"array of {_type_label(schema['items'])}"
        return kind if isinstance(kind, str) else "|".join(kind)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return "|".join(_type_label(sub) for sub in schema[key])
    return "any"
