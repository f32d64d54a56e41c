"""Validation of nested configuration dicts: types, defaults, required keys,
choices and bounds, with every error reported at its dotted path."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Mapping, Union

from confpy.coerce import COERCERS, coerce
from confpy.errors import CoercionError, ConfigError, ValidationError

MISSING: Any = object()


@dataclass(frozen=True)
class Field:
    """One key. ``item_type`` converts the items of a ``list`` field."""

    type: str = "str"
    default: Any = MISSING
    required: bool = False
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    item_type: str | None = None

    def __post_init__(self) -> None:
        for type_name in (self.type, self.item_type or "str"):
            if type_name not in COERCERS:
                raise ConfigError(f"unknown field type {type_name!r}; known: {sorted(COERCERS)}")
        if self.required and self.default is not MISSING:
            raise ConfigError("a field cannot be both required and have a default")


Spec = Mapping[str, Union[Field, "Spec"]]


class Schema:
    """A tree of sections (mappings) whose leaves are :class:`Field` objects."""

    def __init__(self, spec: Spec, strict: bool = False) -> None:
        self.spec = spec
        self.strict = strict

    def validate(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return a new dict with converted values and defaults filled in.

        Raises :class:`ValidationError` listing every problem found.
        """
        errors: list[tuple[str, str]] = []
        result = self._section(self.spec, data, "", errors)
        if errors:
            raise ValidationError(errors)
        return result

    def _section(self, spec: Spec, data: Any, path: str, errors: list[tuple[str, str]]) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            errors.append((path or "<root>", f"expected a section, got {type(data).__name__}"))
            return {}
        result: dict[str, Any] = {}
        for name, entry in spec.items():
            where = f"{path}.{name}" if path else name
            if isinstance(entry, Mapping):
                result[name] = self._section(entry, data.get(name, {}), where, errors)
            elif name in data:
                result[name] = _check(entry, data[name], where, errors)
            elif entry.required:
                errors.append((where, "is required"))
            elif entry.default is not MISSING:
                result[name] = entry.default
        for name in data:
            if name not in spec:
                if self.strict:
                    where = f"{path}.{name}" if path else str(name)
                    errors.append((where, "is not a known key"))
                else:
                    result[name] = copy.deepcopy(data[name])
        return result


def _check(field: Field, value: Any, where: str, errors: list[tuple[str, str]]) -> Any:
    try:
        converted = coerce(value, field.type)
    except CoercionError as exc:
        errors.append((where, str(exc)))
        return None
    if field.type == "list" and field.item_type:
        items = []
        for position, item in enumerate(converted):
            items.append(_check(Field(type=field.item_type), item, f"{where}[{position}]", errors))
        converted = items
    if field.choices and converted not in field.choices:
        allowed = ", ".join(repr(choice) for choice in field.choices)
        errors.append((where, f"must be one of {allowed}, got {converted!r}"))
    if field.minimum is not None and converted < field.minimum:
        errors.append((where, f"must be at least {field.minimum}, got {converted!r}"))
    if field.maximum is not None and converted > field.maximum:
        errors.append((where, f"must be at most {field.maximum}, got {converted!r}"))
    return converted
