"""JSON schema for tool arguments, shaped for model providers.

pydantic's schema is correct but noisy for a model: it titles every node and puts
nested models and enums behind `$ref`s, which some providers handle poorly. We drop the
titles and inline the references (unless a model refers to itself, where `$defs` stay).
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

# Keywords whose value maps names to subschemas (names are data, not keywords).
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")
# Keywords whose value is one subschema.
_SCHEMA_ONE = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else")
# Keywords whose value is a list of subschemas.
_SCHEMA_LIST = ("anyOf", "allOf", "oneOf", "prefixItems")


class _Recursive(Exception):
    """A `$ref` cycle: the schema cannot be inlined."""


def parameters_schema(model: type[BaseModel]) -> dict:
    """Return the provider-ready JSON schema of `model`'s fields (an object schema)."""
    raw = model.model_json_schema(by_alias=True)
    defs = raw.get("$defs", {})
    body = {k: v for k, v in raw.items() if k != "$defs"}
    try:
        schema = _inline(body, defs, ())
    except _Recursive:
        schema = _strip_titles(raw)
    else:
        schema = _strip_titles(schema)
    ordered: dict[str, Any] = {"type": "object", "properties": schema.pop("properties", {})}
    if schema.get("required"):
        ordered["required"] = schema.pop("required")
    schema.pop("type", None)
    schema.pop("additionalProperties", None)
    ordered.update(schema)  # description, $defs... whatever else pydantic put there
    ordered["additionalProperties"] = False
    return ordered


def _inline(node: Any, defs: dict, seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref[len("#/$defs/") :]
        if name in seen:
            raise _Recursive(name)
        target = _inline(copy.deepcopy(defs[name]), defs, (*seen, name))
        siblings = {k: _inline(v, defs, seen) for k, v in node.items() if k != "$ref"}
        return {**target, **siblings}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _inline(sub, defs, seen) for name, sub in value.items()}
        elif key in _SCHEMA_ONE or key in _SCHEMA_LIST:
            out[key] = _inline(value, defs, seen)
        else:
            out[key] = value
    return out


def _strip_titles(node: Any) -> Any:
    """Drop the `title` keyword everywhere (but keep properties that are named "title")."""
    if isinstance(node, list):
        return [_strip_titles(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _strip_titles(sub) for name, sub in value.items()}
        elif key in _SCHEMA_ONE or key in _SCHEMA_LIST:
            out[key] = _strip_titles(value)
        else:
            out[key] = value
    return out
