"""Conversion of raw configuration strings to Python values."""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from confpy.errors import CoercionError

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_UNIT_PATTERN = "[smhdw]|ms"
_PART = rf"(\d+(?:\.\d+)?)\s*({_UNIT_PATTERN})"
_PART_RE = re.compile(_PART)
_DURATION_RE = re.compile(rf"(?:{_PART}\s*)+")


def to_bool(value: Any) -> bool:
    """Accept booleans and the words 1/0, true/false, yes/no, on/off."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CoercionError(f"expected a boolean (true/false, yes/no, on/off, 1/0), got {value!r}")


def to_int(value: Any) -> int:
    """Accept ints and decimal, 0x/0o/0b prefixed or underscore-grouped strings."""
    if isinstance(value, bool):
        raise CoercionError(f"expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    base = 0 if text.lower().lstrip("+-").startswith(("0x", "0o", "0b")) else 10
    try:
        return int(text, base)
    except ValueError:
        raise CoercionError(f"expected an integer, got {value!r}") from None


def to_float(value: Any) -> float:
    """Accept ints, floats and numeric strings (finite values only)."""
    if isinstance(value, bool):
        raise CoercionError(f"expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CoercionError(f"expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise CoercionError(f"expected a finite number, got {value!r}")
    return number


def to_list(value: Any, sep: str = ",") -> list[str]:
    """Split on ``sep`` and on newlines, strip items and drop empty ones."""
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    items: list[str] = []
    for line in str(value).splitlines():
        items.extend(part.strip() for part in line.split(sep))
    return [item for item in items if item]


def to_duration(value: Any) -> float:
    """Return seconds for ``90``, ``"1.5"``, ``"500ms"``, ``"1h30m"``, ``"2d"`` ..."""
    if isinstance(value, bool):
        raise CoercionError(f"expected a duration, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().lower()
    try:
        return to_float(text)
    except CoercionError:
        pass
    if not _DURATION_RE.fullmatch(text):
        raise CoercionError(
            f"expected a duration such as '30s', '1h30m' or '250ms', got {value!r}"
        )
    return sum(float(number) * _UNITS[unit] for number, unit in _PART_RE.findall(text))


COERCERS: dict[str, Callable[[Any], Any]] = {
    "str": str,
    "int": to_int,
    "float": to_float,
    "bool": to_bool,
    "list": to_list,
    "duration": to_duration,
}


def coerce(value: Any, type_name: str) -> Any:
    """Convert ``value`` with the coercer registered under ``type_name``."""
    try:
        converter = COERCERS[type_name]
    except KeyError:
        known = ", ".join(sorted(COERCERS))
        raise CoercionError(f"unknown type {type_name!r}; known types: {known}") from None
    return converter(value)
