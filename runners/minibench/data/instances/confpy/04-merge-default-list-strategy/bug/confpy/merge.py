"""Deep merge of nested dicts, with a choice of how lists combine."""

from __future__ import annotations

import copy
from typing import Any, Mapping

from confpy.errors import ConfigError

LIST_STRATEGIES = ("replace", "append", "unique")


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any], list_strategy: str = "append") -> dict[str, Any]:
    """Return a new dict: ``override`` merged into ``base``; inputs are not modified.

    Nested mappings merge key by key. When both sides hold a list,
    ``list_strategy`` decides: ``replace`` keeps the override's list,
    ``append`` concatenates, ``unique`` concatenates and drops repeated items
    (first occurrence wins). Any other value in ``override`` replaces the base.
    """
    if list_strategy not in LIST_STRATEGIES:
        raise ConfigError(f"list_strategy must be one of {LIST_STRATEGIES}, got {list_strategy!r}")
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value, list_strategy)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = _merge_lists(current, value, list_strategy)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def merge_all(*layers: Mapping[str, Any], list_strategy: str = "replace") -> dict[str, Any]:
    """Merge layers from lowest to highest precedence."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = deep_merge(merged, layer, list_strategy)
    return merged


def _merge_lists(base: list[Any], override: list[Any], strategy: str) -> list[Any]:
    if strategy == "replace":
        return copy.deepcopy(override)
    combined = base + copy.deepcopy(override)
    if strategy == "append":
        return combined
    return _dedupe(combined)


def _dedupe(items: list[Any]) -> list[Any]:
    """Drop repeated items by equality, so unhashable items (dicts, lists) work too."""
    unique: list[Any] = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return unique
